// ExportDialog driven as a user would, offscreen, exporting from a real dustlite: what is
// exported, the format's note, Export → progress → the count and size, errors in words,
// accessible names on every control.
#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "exchange/ExportDialog.h"
#include "exchange/ExportJob.h"
#include "transport/HttpTransport.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace dust;
using namespace dust::test;

class TestExportDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void accessible();
    void formatNote();
    void exportsSelection();
    void errorInWords();

private:
    QLabel *status(ExportDialog &dialog) const;
    QPushButton *button(ExportDialog &dialog, const QString &accessibleName) const;
    // Plays the window's part: a job per request, followed by the dialog.
    void runJobs(ExportDialog &dialog, Transport &transport);

    InProcessDustlite m_dustlite;
    QTemporaryDir m_dir;
    std::unique_ptr<HttpTransport> m_http;
};

void TestExportDialog::initTestCase()
{
    QVERIFY2(m_dustlite.start(), qPrintable(m_dustlite.errorString()));
    m_http = std::make_unique<HttpTransport>(m_dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
    QVERIFY(await(m_http->put(QStringLiteral("local/demo"), path(QStringLiteral("users/a")), 1)));
    QVERIFY(await(m_http->put(QStringLiteral("local/demo"), path(QStringLiteral("users/b")), 2)));
    QVERIFY(await(m_http->put(QStringLiteral("local/demo"), path(QStringLiteral("x")), 3)));
}

QLabel *TestExportDialog::status(ExportDialog &dialog) const
{
    for (QLabel *label : dialog.findChildren<QLabel *>())
        if (label->accessibleName() == QStringLiteral("Export status"))
            return label;
    return nullptr;
}

QPushButton *TestExportDialog::button(ExportDialog &dialog, const QString &accessibleName) const
{
    for (QPushButton *b : dialog.findChildren<QPushButton *>())
        if (b->accessibleName() == accessibleName)
            return b;
    return nullptr;
}

void TestExportDialog::runJobs(ExportDialog &dialog, Transport &transport)
{
    connect(&dialog, &ExportDialog::exportRequested, &dialog,
            [&dialog, &transport](const ExportScope &scope, ExchangeFormat format,
                                  const QString &fileName) {
                auto *job = new ExportJob(QStringLiteral("local/demo"), scope, format, &dialog);
                job->setFileName(fileName);
                dialog.follow(job);
                job->start(&transport);
            });
}

void TestExportDialog::accessible()
{
    ExportDialog dialog(QStringLiteral("local/demo"), {path(QStringLiteral("users"))});
    for (QWidget *widget : dialog.findChildren<QWidget *>()) {
        if (qobject_cast<QAbstractButton *>(widget) || qobject_cast<QComboBox *>(widget) ||
            qobject_cast<QLineEdit *>(widget))
            QVERIFY2(!widget->accessibleName().isEmpty(), widget->metaObject()->className());
    }
}

void TestExportDialog::formatNote()
{
    ExportDialog dialog(QStringLiteral("local/demo"), {});
    QLabel *note = nullptr;
    for (QLabel *label : dialog.findChildren<QLabel *>())
        if (label->accessibleName() == QStringLiteral("What the format keeps"))
            note = label;
    QVERIFY(note);
    dialog.setFormat(ExchangeFormat::Csv);
    QVERIFY2(note->text().contains(QStringLiteral("types are only text")),
             qPrintable(note->text()));
    dialog.setFormat(ExchangeFormat::Flat);
    QVERIFY(note->text().contains(QStringLiteral("Types")));
    dialog.setFormat(ExchangeFormat::Nested);
    QVERIFY(note->text().contains(QStringLiteral("also has children")));
}

void TestExportDialog::exportsSelection()
{
    ExportDialog dialog(QStringLiteral("local/demo"), {path(QStringLiteral("users"))});
    runJobs(dialog, *m_http);
    dialog.show();
    QPushButton *exportButton = button(dialog, QStringLiteral("Start the export"));
    QVERIFY(exportButton);
    QVERIFY(!exportButton->isEnabled()); // no file yet
    const QString target = m_dir.filePath(QStringLiteral("users.json"));
    dialog.setFileName(target);
    dialog.setFormat(ExchangeFormat::Flat);
    QVERIFY(exportButton->isEnabled());
    QCOMPARE(dialog.scope().paths(), QList<Path>{path(QStringLiteral("users"))});
    QTest::mouseClick(exportButton, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(status(dialog)->text().startsWith(QStringLiteral("Exported")), 20000);
    QVERIFY2(status(dialog)->text().contains(QStringLiteral("2 leaves")),
             qPrintable(status(dialog)->text()));
    QFile file(target);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("{\n\"users/a\":1,\n\"users/b\":2\n}\n"));
    QVERIFY(exportButton->isEnabled());
    QCOMPARE(button(dialog, QStringLiteral("Cancel the export or close"))->text(),
             QStringLiteral("&Close"));
}

void TestExportDialog::errorInWords()
{
    ExportDialog dialog(QStringLiteral("local/demo"), {path(QStringLiteral("nothing/here"))});
    runJobs(dialog, *m_http);
    dialog.setFileName(m_dir.filePath(QStringLiteral("none.json")));
    QTest::mouseClick(button(dialog, QStringLiteral("Start the export")), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(status(dialog)->text(),
                              QStringLiteral("Nothing is stored at nothing/here."), 20000);
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("none.json"))));
}

QTEST_MAIN(TestExportDialog)
#include "tst_exportdialog.moc"
