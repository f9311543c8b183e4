// ImportDialog and its preview model, offscreen against a real dustlite over real sockets: a
// bad file shows its line, column and reason with Import disabled; a good one is previewed
// (counts and the tree, under QAbstractItemModelTester), imported with progress and read
// back; replace mode, a target that is not a path, Cancel, and a conflict after the preview.

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestHttp.h"
#include "exchange/ImportDialog.h"
#include "exchange/ImportPreviewModel.h"
#include "transport/HttpTransport.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace dust;
using namespace Qt::Literals::StringLiterals;

class TestImportDialog : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void previewModelUnderTester();
    void badFileShowsWhereAndDisablesImport_data();
    void badFileShowsWhereAndDisablesImport();
    void previewsThenImports();
    void replaceModeAndTarget();
    void targetThatIsNoPathDisablesImport();
    void cancelStopsBetweenBatches();
    void conflictAfterPreviewNamesThePath();
    void everyControlHasAnAccessibleName();

private:
    QString writeFile(const QString &name, const QByteArray &text)
    {
        QFile file(m_dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
            qFatal("cannot write a test file");
        return file.fileName();
    }
    QStringList pathsOf(const QByteArray &store = "local/demo")
    {
        QStringList paths;
        const QByteArray body = m_http->get("/api/stores/" + store + "/export?format=jsonl").body;
        for (const QByteArray &line : body.split('\n')) {
            const QJsonObject object = QJsonDocument::fromJson(line).object();
            if (object.contains(u"path"_s))
                paths.append(object.value(u"path"_s).toString());
        }
        return paths;
    }
    QPushButton *importButton(ImportDialog &dialog)
    {
        for (QPushButton *button : dialog.findChildren<QPushButton *>()) {
            if (button->accessibleName() == u"Import"_s)
                return button;
        }
        return nullptr;
    }
    // Waits until the dialog's preview is there (or its problem).
    static bool previewed(ImportDialog &dialog)
    {
        return QTest::qWaitFor(
            [&] {
                return !dialog.problemText().isEmpty() ||
                       dialog.summaryText().contains(u"to create"_s);
            },
            30000);
    }

    QTemporaryDir m_dir;
    std::unique_ptr<test::InProcessDustlite> m_server;
    std::unique_ptr<HttpTransport> m_transport;
    std::unique_ptr<test::TestHttp> m_http;
};

void TestImportDialog::init()
{
    m_server = std::make_unique<test::InProcessDustlite>();
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_transport = std::make_unique<HttpTransport>(m_server->baseUrl(), u"dust_tok_dev"_s);
    m_http = std::make_unique<test::TestHttp>(m_server->baseUrl());
}

void TestImportDialog::cleanup()
{
    m_transport.reset();
    m_http.reset();
    m_server.reset();
}

void TestImportDialog::previewModelUnderTester()
{
    ImportPreviewModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(m_http->put(test::TestHttp::entries("/a"), "1").status == 200);
    QVERIFY(m_http->put(test::TestHttp::entries("/gone"), "1").status == 200);
    QList<ImportLeaf> leaves{{test::path(u"a"_s), 2, u"counter"_s, 1},
                             {test::path(u"b"_s), u"x"_s, {}, 2}};
    QObject context;
    const auto plan = test::await(ImportPlan::build(m_transport.get(), u"local/demo"_s, {}, leaves,
                                                    ImportMode::Replace, &context));
    QVERIFY(plan);
    model.setPlan(*plan);
    QCOMPARE(model.rowCount(), 3); // create, change, remove; no unchanged row
    QCOMPARE(model.index(0, 0).data().toString(), u"To create (1)"_s);
    QCOMPARE(model.kindAt(1), ImportPreviewModel::Kind::Change);
    const QModelIndex changed = model.index(0, 0, model.index(1, 0));
    QCOMPARE(changed.data().toString(), u"a"_s);
    QCOMPARE(changed.siblingAtColumn(ImportPreviewModel::TypeColumn).data().toString(),
             u"integer → counter"_s);
    QCOMPARE(changed.siblingAtColumn(ImportPreviewModel::CurrentColumn).data().toString(), u"1"_s);
    QCOMPARE(changed.siblingAtColumn(ImportPreviewModel::FileColumn).data().toString(), u"2"_s);
    QCOMPARE(model.index(0, 0, model.index(2, 0)).data().toString(), u"gone"_s);
    QVERIFY(!model.index(0, ImportPreviewModel::FileColumn, model.index(2, 0)).data().isValid());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestImportDialog::badFileShowsWhereAndDisablesImport_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("says");
    QByteArray tenLines;
    for (int i = 1; i <= 10; ++i)
        tenLines += i == 3 ? QByteArray(R"({"path":"a//b","value":1})"
                                        "\n")
                           : R"({"path":"k)" + QByteArray::number(i) + R"(","value":1})" + "\n";
    QTest::newRow("invalid path at line 3 of 10")
        << tenLines << u"line 3, column 9: invalid path \"a//b\""_s;
    QTest::newRow("bad JSON") << QByteArray("{\n \"a\": [1,\n}")
                              << u"line 2, column 9: invalid JSON"_s;
}

void TestImportDialog::badFileShowsWhereAndDisablesImport()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, says);
    ImportDialog dialog(m_transport.get(), u"local/demo"_s);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.setFile(writeFile(u"bad.json"_s, text));
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.problemText().isEmpty(), 30000);
    QVERIFY2(dialog.problemText().contains(says), qPrintable(dialog.problemText()));
    QVERIFY(!importButton(dialog)->isEnabled());
    QCOMPARE(dialog.previewModel()->rowCount(), 0);
    QVERIFY(pathsOf().isEmpty());
}

void TestImportDialog::previewsThenImports()
{
    QVERIFY(m_http->put(test::TestHttp::entries("/keep"), "1").status == 200);
    ImportDialog dialog(m_transport.get(), u"local/demo"_s);
    QSignalSpy imported(&dialog, &ImportDialog::imported);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(!importButton(dialog)->isEnabled());
    dialog.setFile(writeFile(u"good.ndjson"_s, R"({"_header":true})"
                                               "\n"
                                               R"({"path":"keep","value":1,"type":"integer"})"
                                               "\n"
                                               R"({"path":"c","value":3,"type":"counter"})"
                                               "\n"
                                               R"({"path":"s","value":"x"})"
                                               "\n"));
    QVERIFY(previewed(dialog));
    QVERIFY2(dialog.problemText().isEmpty(), qPrintable(dialog.problemText()));
    QCOMPARE(dialog.summaryText(), u"2 to create, 0 to change, 1 unchanged (NDJSON file)."_s);
    QCOMPARE(dialog.previewModel()->rowCount(), 2);
    QVERIFY(importButton(dialog)->isEnabled());
    QTest::mouseClick(importButton(dialog), Qt::LeftButton);
    QVERIFY2(imported.wait(30000), qPrintable(dialog.problemText() + dialog.summaryText()));
    QCOMPARE(imported.first().at(0).toString(), u"local/demo"_s);
    QCOMPARE(dialog.summaryText(), u"Imported: 2 to create, 0 to change, 1 unchanged."_s);
    QCOMPARE(dialog.findChild<QProgressBar *>()->value(), 2);
    QCOMPARE(pathsOf(), (QStringList{u"c"_s, u"keep"_s, u"s"_s}));
    QCOMPARE(m_http->get(test::TestHttp::entries("/c")).object().value(u"type"_s).toString(),
             u"counter"_s);
    QVERIFY(!importButton(dialog)->isEnabled()); // preview again before another import
}

void TestImportDialog::replaceModeAndTarget()
{
    QVERIFY(m_http->put(test::TestHttp::entries("/t/old"), "1").status == 200);
    QVERIFY(m_http->put(test::TestHttp::entries("/other"), "1").status == 200);
    ImportDialog dialog(m_transport.get(), u"local/demo"_s, test::path(u"t"_s));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.setMode(ImportMode::Replace);
    dialog.setFile(writeFile(u"t.json"_s, R"({"new":{"x":true}})"));
    QVERIFY(previewed(dialog));
    QCOMPARE(dialog.summaryText(),
             u"1 to create, 0 to change, 1 to remove, 0 unchanged (JSON file)."_s);
    QSignalSpy imported(&dialog, &ImportDialog::imported);
    QTest::mouseClick(importButton(dialog), Qt::LeftButton);
    QVERIFY2(imported.wait(30000), qPrintable(dialog.problemText() + dialog.summaryText()));
    QCOMPARE(pathsOf(), (QStringList{u"other"_s, u"t/new/x"_s}));
}

void TestImportDialog::targetThatIsNoPathDisablesImport()
{
    ImportDialog dialog(m_transport.get(), u"local/demo"_s);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.setFile(writeFile(u"one.json"_s, R"({"a":1})"));
    QVERIFY(previewed(dialog));
    QVERIFY(importButton(dialog)->isEnabled());
    QLineEdit *into = nullptr;
    for (QLineEdit *edit : dialog.findChildren<QLineEdit *>()) {
        if (edit->accessibleName() == u"Import into node"_s)
            into = edit;
    }
    QVERIFY(into);
    into->setFocus();
    into->setText(u"a//b"_s);
    QTest::keyClick(into, Qt::Key_Return);
    QTRY_VERIFY(!dialog.problemText().isEmpty());
    QVERIFY2(dialog.problemText().contains(u"is not a path"_s), qPrintable(dialog.problemText()));
    QVERIFY(!importButton(dialog)->isEnabled());
    QVERIFY(pathsOf().isEmpty()); // Enter did not import
}

void TestImportDialog::cancelStopsBetweenBatches()
{
    QByteArray text;
    for (int i = 0; i < 2500; ++i)
        text += R"({"path":"many/)" + QByteArray::number(i) + R"(","value":1})" + "\n";
    ImportDialog dialog(m_transport.get(), u"local/demo"_s);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.setFile(writeFile(u"many.ndjson"_s, text));
    QVERIFY(previewed(dialog));
    QTest::mouseClick(importButton(dialog), Qt::LeftButton);
    QVERIFY(dialog.isImporting());
    QPushButton *cancel = nullptr;
    for (QPushButton *button : dialog.findChildren<QPushButton *>()) {
        if (button->accessibleName() == u"Cancel the import"_s)
            cancel = button;
    }
    QVERIFY(cancel);
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isImporting(), 30000);
    QVERIFY2(dialog.problemText().startsWith(u"Cancelled after 1000 of 2500"_s),
             qPrintable(dialog.problemText()));
    QCOMPARE(pathsOf().size(), 1000);
    QVERIFY(dialog.isVisible()); // cancelling the import does not close the dialog
}

void TestImportDialog::conflictAfterPreviewNamesThePath()
{
    QVERIFY(m_http->put(test::TestHttp::entries("/x"), "1").status == 200);
    ImportDialog dialog(m_transport.get(), u"local/demo"_s);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.setFile(writeFile(u"x.json"_s, R"({"x":2,"y":3})"));
    QVERIFY(previewed(dialog));
    QVERIFY(m_http->put(test::TestHttp::entries("/x"), "5").status == 200); // another client
    QTest::mouseClick(importButton(dialog), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isImporting(), 30000);
    QVERIFY2(dialog.problemText().startsWith(u"Stopped: x conflicts"_s),
             qPrintable(dialog.problemText()));
    QCOMPARE(pathsOf(), QStringList{u"x"_s}); // y shared the atomic batch
}

void TestImportDialog::everyControlHasAnAccessibleName()
{
    ImportDialog dialog(m_transport.get(), u"local/demo"_s);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    const QList<QWidget *> widgets = dialog.findChildren<QWidget *>();
    for (QWidget *widget : widgets) {
        const bool interactive =
            widget->focusPolicy() != Qt::NoFocus &&
            (qobject_cast<QLineEdit *>(widget) || qobject_cast<QComboBox *>(widget) ||
             qobject_cast<QPushButton *>(widget) || qobject_cast<QTreeView *>(widget));
        if (interactive && !widget->parentWidget()->inherits("QComboBox"))
            QVERIFY2(!widget->accessibleName().isEmpty(), widget->metaObject()->className());
    }
    // The labels' mnemonics lead to their fields.
    int buddies = 0;
    for (QLabel *label : dialog.findChildren<QLabel *>())
        buddies += label->buddy() != nullptr;
    QCOMPARE(buddies, 4);
}

QTEST_MAIN(TestImportDialog)
#include "tst_importdialog.moc"
