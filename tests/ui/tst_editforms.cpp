// The inspector's edit forms against a real dustlite on 127.0.0.1: each kind of value is
// written the way clients write it, read back with Transport::get and shown; the form is
// driven with the keyboard and mouse, Save (Ctrl+Return) is caught from editRequested, and
// the request is checked (kind, path, value, ifMatch, base) and then applied with the
// transport (put / merge / increment / add / remove / renew / release / put_file), as the
// edit controller will, and read back over REST: the op written is the right one end to end.
// Then the live change while editing (banner, input kept, Reload), invalid JSON, the
// read-only policy, a refused write keeping the input, Escape, and big values left unloaded.

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestFileUpload.h"
#include "TestSdkOptions.h"

#include "edit/JsonEditor.h"
#include "inspector/CounterForm.h"
#include "inspector/EntryEditor.h"
#include "inspector/FileForm.h"
#include "inspector/InspectorPanel.h"
#include "inspector/JsonForm.h"
#include "inspector/JsonTreeModel.h"
#include "inspector/LeaseForm.h"
#include "inspector/MapForm.h"
#include "inspector/ScalarForm.h"
#include "inspector/SetForm.h"
#include "inspector/SetPage.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <Qsci/qsciscintilla.h>

#include <QApplication>
#include <QCheckBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace dust;
using namespace dust::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(dust::EditRequest::Kind)

namespace {

const QString kStore = QStringLiteral("local/demo");

QString describe(const Error &error)
{
    return Error::kindName(error.kind()) + QStringLiteral(": ") + error.message();
}

QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray("[") + text + "]").array().at(0);
}

// Replaces the text of a line edit the way a person does: select all, type.
void retype(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(edit, text);
}

} // namespace

class TestEditForms : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void eachFormWritesTheRightOp_data();
    void eachFormWritesTheRightOp();
    void liveChangeDuringEditingShowsInEditor();
    void invalidJsonCannotBeSaved_data();
    void invalidJsonCannotBeSaved();
    void integerIsCheckedAsTyped_data();
    void integerIsCheckedAsTyped();
    void readOnlyPolicyHasNoEditors();
    void refusedWriteKeepsInput();
    void escapeDropsInput();
    void keyboardReachesSave();
    void bigValuesLoadOnlyWhenAsked();

private:
    Entry read(const Path &where);
    Entry seed(const QString &how, const Path &where, const QJsonValue &value);
    Result<WriteResult> apply(const EditRequest &request);
    void showIn(InspectorPanel &panel, const Entry &entry);

    InProcessDustlite m_server;
    std::unique_ptr<HttpTransport> m_http;
    std::unique_ptr<SdkTransport> m_live;
    QTemporaryDir m_dir;
};

void TestEditForms::initTestCase()
{
    m_server.config().maxBodyBytes = 16LL * 1024 * 1024;
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    m_http = std::make_unique<HttpTransport>(m_server.baseUrl(), QStringLiteral("dust_tok_dev"));
    SdkOptions options = sdkOptions(m_server.wsUrl());
    options.statusPollInterval = 0ms;
    m_live = std::make_unique<SdkTransport>(options);
    QVERIFY(m_dir.isValid());
}

void TestEditForms::cleanupTestCase()
{
    m_live.reset();
    m_http.reset();
}

Entry TestEditForms::read(const Path &where)
{
    const auto got = await(m_http->get(kStore, where));
    if (!got)
        qWarning("get %s: %s", qPrintable(where.rendered()), qPrintable(describe(got.error())));
    return got ? *got : Entry{};
}

// Writes `value` at `where` as `how` says ("put", "increment", "add" each member of an
// array, "lease", "file" with the value's text as content) and reads the entry back.
Entry TestEditForms::seed(const QString &how, const Path &where, const QJsonValue &value)
{
    bool ok = true;
    if (how == QLatin1String("put")) {
        ok = bool(await(m_http->put(kStore, where, value)));
    } else if (how == QLatin1String("increment")) {
        ok = bool(await(m_live->increment(kStore, where, value.toDouble())));
    } else if (how == QLatin1String("add")) {
        const QJsonArray members = value.toArray();
        for (const QJsonValue &member : members)
            ok = ok && bool(await(m_live->addMember(kStore, where, member)));
    } else if (how == QLatin1String("lease")) {
        ok = bool(await(m_live->lease(kStore, where, 60s, value.toString())));
    } else if (how == QLatin1String("file")) {
        ok = uploadFile(m_server.wsUrl(), kStore, where.rendered(), value.toString().toUtf8(),
                        QStringLiteral("old.txt"), QStringLiteral("text/plain"))
                 .error.isEmpty();
    }
    if (!ok)
        qWarning("seeding %s failed", qPrintable(where.rendered()));
    return read(where);
}

// What the edit controller does with a request, done here with the transports.
Result<WriteResult> TestEditForms::apply(const EditRequest &r)
{
    using Kind = EditRequest::Kind;
    switch (r.kind) {
    case Kind::Set: {
        WriteOptions options;
        options.ifMatch = r.ifMatch;
        options.ifAbsent = r.ifAbsent;
        return await(m_live->put(kStore, r.path, r.value, options));
    }
    case Kind::Delete:
        return await(m_live->remove(kStore, r.path, WriteOptions{r.ifMatch, false}));
    case Kind::Merge:
        return await(m_live->merge(kStore, r.path, r.value.toObject()));
    case Kind::Increment:
        return await(m_live->increment(kStore, r.path, r.value.toDouble()));
    case Kind::AddMember:
        return await(m_live->addMember(kStore, r.path, r.value));
    case Kind::RemoveMember:
        return await(m_live->removeMember(kStore, r.path, r.value));
    case Kind::LeaseRenew:
        return await(
            m_live->renew(kStore, r.path, r.leaseToken, std::chrono::milliseconds(r.leaseTtlMs)));
    case Kind::LeaseRelease:
        return await(m_live->release(kStore, r.path, r.leaseToken));
    case Kind::PutFile: {
        const UploadedFile up = uploadFile(m_server.wsUrl(), kStore, r.path.rendered(),
                                           r.fileContent, r.fileName, r.contentType);
        if (!up.error.isEmpty())
            return Result<WriteResult>::failure(Error(Error::Kind::Protocol, up.error));
        WriteResult written;
        written.storeSeq = up.seq;
        return written;
    }
    case Kind::PutTyped: // no form makes one: only an undo writes it
        break;
    }
    return Result<WriteResult>::failure(Error(Error::Kind::Protocol, QStringLiteral("kind")));
}

void TestEditForms::showIn(InspectorPanel &panel, const Entry &entry)
{
    panel.resize(900, 700);
    panel.show();
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    panel.showEntry(entry);
}

void TestEditForms::eachFormWritesTheRightOp_data()
{
    using Kind = EditRequest::Kind;
    QTest::addColumn<QString>("seedOp");
    QTest::addColumn<QJsonValue>("seedValue");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("input");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QJsonValue>("value"); // of the request
    QTest::addColumn<bool>("ifMatch");     // conditional on the revision shown
    QTest::addColumn<QString>("readType"); // "" = the entry is gone
    QTest::addColumn<QJsonValue>("readValue");

    const auto s = [](const char *text) {
        return QJsonValue(QString::fromUtf8(text));
    };
    QTest::newRow("string") << "put" << s("hello") << "line"
                            << "world" << Kind::Set << s("world") << true << "string" << s("world");
    QTest::newRow("string multi-line")
        << "put" << s("one") << "multi"
        << "\ntwo" << Kind::Set << s("one\ntwo") << true << "string" << s("one\ntwo");
    QTest::newRow("integer") << "put" << QJsonValue(41) << "line"
                             << "42" << Kind::Set << QJsonValue(42) << true << "integer"
                             << QJsonValue(42);
    QTest::newRow("float") << "put" << QJsonValue(1.5) << "line"
                           << "2.25" << Kind::Set << QJsonValue(2.25) << true << "float"
                           << QJsonValue(2.25);
    QTest::newRow("boolean") << "put" << QJsonValue(true) << "false"
                             << "" << Kind::Set << QJsonValue(false) << true << "boolean"
                             << QJsonValue(false);
    QTest::newRow("null, type changed to string")
        << "put" << QJsonValue(QJsonValue::Null) << "type:string"
        << "now text" << Kind::Set << s("now text") << true << "string" << s("now text");
    QTest::newRow("integer, type changed to string")
        << "put" << QJsonValue(7) << "type:string"
        << "" << Kind::Set << s("7") << true << "string" << s("7");
    QTest::newRow("counter increment")
        << "increment" << QJsonValue(5) << "increment"
        << "3" << Kind::Increment << QJsonValue(3) << false << "counter" << QJsonValue(8);
    QTest::newRow("counter decrement")
        << "increment" << QJsonValue(5) << "decrement"
        << "2" << Kind::Increment << QJsonValue(-2) << false << "counter" << QJsonValue(3);
    QTest::newRow("set add text") << "add" << json(R"(["a"])") << "addText"
                                  << "b" << Kind::AddMember << s("b") << false << "set"
                                  << json(R"(["b","a"])");
    QTest::newRow("set add JSON") << "add" << json(R"(["a"])") << "addJson"
                                  << R"({"x":1})" << Kind::AddMember << json(R"({"x":1})") << false
                                  << "set" << json(R"([{"x":1},"a"])");
    QTest::newRow("set remove") << "add" << json(R"(["a","b"])") << "removeFirst"
                                << "" << Kind::RemoveMember << s("b") << false << "set"
                                << json(R"(["a"])");
    QTest::newRow("map merge") << "put" << json(R"({"name":"Al","age":30})") << "field:name"
                               << "Alice" << Kind::Merge << json(R"({"name":"Alice"})") << false
                               << "map" << json(R"({"name":"Alice","age":30})");
    QTest::newRow("map merge JSON field")
        << "put" << json(R"({"name":"Al","age":30})") << "field:age"
        << "31" << Kind::Merge << json(R"({"age":31})") << false << "map"
        << json(R"({"name":"Al","age":31})");
    QTest::newRow("array as JSON")
        << "put" << json("[1,2]") << "json"
        << "[1, 2, 3]" << Kind::Set << json("[1,2,3]") << true << "string" << json("[1,2,3]");
    QTest::newRow("map as JSON (type change)")
        << "put" << json(R"({"a":1})") << "type:json"
        << R"({"b": 2})" << Kind::Set << json(R"({"b":2})") << false << "map" << json(R"({"b":2})");
    QTest::newRow("lease renew") << "lease" << s("worker-1") << "renew"
                                 << "120" << Kind::LeaseRenew << QJsonValue(QJsonValue::Null)
                                 << false << "lease" << QJsonValue();
    QTest::newRow("lease release")
        << "lease" << s("worker-1") << "release"
        << "" << Kind::LeaseRelease << QJsonValue(QJsonValue::Null) << false << "" << QJsonValue();
    QTest::newRow("file replace") << "file" << s("old content") << "replace"
                                  << "new content" << Kind::PutFile << QJsonValue(QJsonValue::Null)
                                  << false << "file" << QJsonValue();
}

void TestEditForms::eachFormWritesTheRightOp()
{
    QFETCH(QString, seedOp);
    QFETCH(QJsonValue, seedValue);
    QFETCH(QString, action);
    QFETCH(QString, input);
    QFETCH(EditRequest::Kind, kind);
    QFETCH(QJsonValue, value);
    QFETCH(bool, ifMatch);
    QFETCH(QString, readType);
    QFETCH(QJsonValue, readValue);

    const Path where =
        path(QStringLiteral("forms/") + QString::fromLatin1(QTest::currentDataTag())
                                            .replace(QLatin1Char(' '), QLatin1Char('_'))
                                            .remove(QLatin1Char(','))
                                            .remove(QLatin1Char('('))
                                            .remove(QLatin1Char(')')));
    const Entry shown = seed(seedOp, where, seedValue);
    QVERIFY2(shown.revision > 0, "the seeded entry reads back");

    InspectorPanel panel;
    showIn(panel, shown);
    EntryEditor *editor = panel.editor();
    QVERIFY(editor->isVisible());
    QVERIFY(!editor->saveButton()->visibleRegion().isEmpty()); // laid out, not squeezed away
    QVERIFY(!editor->currentForm()->visibleRegion().isEmpty());
    QVERIFY(!editor->saveButton()->isEnabled()); // nothing typed yet
    QSignalSpy requested(&panel, &InspectorPanel::editRequested);

    if (action == QLatin1String("line")) {
        retype(editor->scalarForm()->lineEdit(), input);
    } else if (action == QLatin1String("multi")) {
        QCheckBox *toggle = editor->scalarForm()->multiLineToggle();
        toggle->setFocus();
        QTest::keyClick(toggle, Qt::Key_Space);
        QVERIFY(editor->scalarForm()->isMultiLine());
        QPlainTextEdit *text = editor->scalarForm()->textEdit();
        text->setFocus();
        QTest::keyClick(text, Qt::Key_End, Qt::ControlModifier);
        const QStringList lines = input.split(QLatin1Char('\n'));
        for (qsizetype i = 0; i < lines.size(); ++i) {
            if (i > 0)
                QTest::keyClick(text, Qt::Key_Return);
            QTest::keyClicks(text, lines.at(i));
        }
    } else if (action == QLatin1String("false")) {
        QTest::mouseClick(editor->scalarForm()->falseButton(), Qt::LeftButton);
    } else if (action.startsWith(QLatin1String("type:"))) {
        editor->changeType(action.mid(5));
        if (action == QLatin1String("type:json")) {
            QTRY_VERIFY(editor->jsonForm()->isLoaded());
            QsciScintilla *sci = editor->jsonForm()->editor()->editor();
            sci->setFocus();
            sci->selectAll();
            QTest::keyClicks(sci, input);
        } else if (!input.isEmpty()) {
            retype(editor->scalarForm()->lineEdit(), input);
        }
    } else if (action == QLatin1String("increment") || action == QLatin1String("decrement")) {
        retype(editor->counterForm()->deltaEdit(), input);
        QTest::mouseClick(action == QLatin1String("increment")
                              ? editor->counterForm()->incrementButton()
                              : editor->counterForm()->decrementButton(),
                          Qt::LeftButton);
    } else if (action == QLatin1String("addText") || action == QLatin1String("addJson")) {
        if (action == QLatin1String("addJson"))
            QTest::mouseClick(editor->setForm()->jsonToggle(), Qt::LeftButton);
        retype(editor->setForm()->memberEdit(), input);
        QTest::mouseClick(editor->setForm()->addButton(), Qt::LeftButton);
    } else if (action == QLatin1String("removeFirst")) {
        QListView *list = panel.setPage()->list();
        QVERIFY(!editor->setForm()->removeButton()->isEnabled());
        const QModelIndex first = list->model()->index(0, JsonTreeModel::ValueColumn);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(first).center());
        QCOMPARE(list->currentIndex().row(), 0);
        QTest::mouseClick(editor->setForm()->removeButton(), Qt::LeftButton);
    } else if (action.startsWith(QLatin1String("field:"))) {
        QLineEdit *field = editor->mapForm()->field(action.mid(6));
        QVERIFY(field);
        retype(field, input);
    } else if (action == QLatin1String("json")) {
        QVERIFY(editor->jsonForm()->isLoaded());
        QsciScintilla *sci = editor->jsonForm()->editor()->editor();
        sci->setFocus();
        sci->selectAll();
        QTest::keyClicks(sci, input);
    } else if (action == QLatin1String("renew")) {
        QSpinBox *ttl = editor->leaseForm()->ttlSpin();
        ttl->setFocus();
        QTest::keyClick(ttl, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(ttl, input);
        QTest::mouseClick(editor->leaseForm()->renewButton(), Qt::LeftButton);
    } else if (action == QLatin1String("release")) {
        QTest::mouseClick(editor->leaseForm()->releaseButton(), Qt::LeftButton);
    } else if (action == QLatin1String("replace")) {
        const QString file = m_dir.filePath(QStringLiteral("new.txt"));
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(input.toUtf8());
        out.close();
        QVERIFY(editor->fileForm()->replaceWith(file));
    } else {
        QFAIL("unknown action");
    }

    // What will be written is on screen before Save, and Save sends exactly that.
    const auto expected = editor->request();
    QVERIFY2(expected, qPrintable(editor->previewText()));
    QCOMPARE(editor->previewText(), QStringLiteral("Will write: ") + expected->summary());
    QVERIFY(editor->saveButton()->isEnabled());
    QWidget *focus = QApplication::focusWidget();
    if (!focus || !editor->isAncestorOf(focus)) {
        // A click on a radio button or Replace… leaves no focus here: Tab on to Save.
        editor->saveButton()->setFocus();
        focus = editor->saveButton();
    }
    QTest::keyClick(focus, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(requested.count(), 1);
    const auto request = requested.at(0).at(0).value<EditRequest>();
    QCOMPARE(request.kind, kind);
    QCOMPARE(request.path, where);
    if (kind != EditRequest::Kind::LeaseRenew && kind != EditRequest::Kind::LeaseRelease &&
        kind != EditRequest::Kind::PutFile)
        QCOMPARE(request.value, value);
    QCOMPARE(request.ifMatch.has_value(), ifMatch);
    if (ifMatch)
        QCOMPARE(*request.ifMatch, shown.revision);
    QVERIFY(!request.ifAbsent);
    QCOMPARE(request.baseRevision, shown.revision);
    QCOMPARE(request.baseValue, shown.value);
    QCOMPARE(request.baseType, shown.type);
    QVERIFY(editor->isSaving());
    QVERIFY(!editor->saveButton()->isEnabled());
    if (kind == EditRequest::Kind::LeaseRenew || kind == EditRequest::Kind::LeaseRelease)
        QCOMPARE(request.leaseToken,
                 shown.value.toObject().value(QLatin1String("token")).toInteger());
    if (kind == EditRequest::Kind::LeaseRenew)
        QCOMPARE(request.leaseTtlMs, input.toLongLong() * 1000);
    if (kind == EditRequest::Kind::PutFile) {
        QCOMPARE(request.fileContent, input.toUtf8());
        QCOMPARE(request.fileName, QStringLiteral("new.txt"));
        QCOMPARE(request.contentType, QStringLiteral("text/plain"));
    }

    // Applied as the controller will: the server holds what the form meant.
    const auto written = apply(request);
    QVERIFY2(written, written ? "" : qPrintable(describe(written.error())));
    const auto back = await(m_http->get(kStore, where));
    if (readType.isEmpty()) {
        QVERIFY(!back);
        QCOMPARE(back.error().kind(), Error::Kind::NotFound);
    } else {
        QVERIFY2(back, back ? "" : qPrintable(describe(back.error())));
        QCOMPARE(back->type, readType);
        if (readType == QLatin1String("lease")) {
            const QJsonObject lease = back->value.toObject();
            QCOMPARE(lease.value(QLatin1String("token")).toInteger(), request.leaseToken);
            QVERIFY(lease.value(QLatin1String("expires_at")).toInteger() >
                    shown.value.toObject().value(QLatin1String("expires_at")).toInteger());
        } else if (readType == QLatin1String("file")) {
            const QJsonObject file = back->value.toObject();
            QCOMPARE(file.value(QLatin1String("filename")).toString(), request.fileName);
            QCOMPARE(file.value(QLatin1String("size")).toInteger(), input.toUtf8().size());
        } else {
            QCOMPARE(back->value, readValue);
        }
    }

    // The controller reports success: the form leaves edit mode.
    panel.editSucceeded(request);
    QVERIFY(!editor->isSaving());
    QVERIFY(!editor->hasUnsavedInput());
    QVERIFY(editor->statusText().startsWith(QStringLiteral("Saved")));
}

void TestEditForms::liveChangeDuringEditingShowsInEditor()
{
    const Path where = path(QStringLiteral("forms/live"));
    const Entry v1 = seed(QStringLiteral("put"), where, QStringLiteral("v1"));
    InspectorPanel panel;
    showIn(panel, v1);
    EntryEditor *editor = panel.editor();
    QLineEdit *line = editor->scalarForm()->lineEdit();
    retype(line, QStringLiteral("mine"));
    QCOMPARE(editor->request()->ifMatch, v1.revision);

    // Another device writes: the input stays, the banner names the device and revision, and
    // the save stays conditional on the revision the edit started from.
    const Entry v2 = seed(QStringLiteral("put"), where, QStringLiteral("v2"));
    panel.noteRemoteChange(v2, QStringLiteral("dev_other"));
    QCOMPARE(line->text(), QStringLiteral("mine"));
    QVERIFY2(editor->bannerText().contains(QStringLiteral("Changed by device dev_other")),
             qPrintable(editor->bannerText()));
    QVERIFY(editor->bannerText().contains(QString::number(v2.revision)));
    QVERIFY(editor->reloadButton()->isVisible());
    QCOMPARE(editor->request()->ifMatch, v1.revision);
    QCOMPARE(panel.valueText(), QStringLiteral("v2")); // the page shows the server's value

    // Keep editing: the banner goes, the condition does not change.
    QTest::mouseClick(editor->keepButton(), Qt::LeftButton);
    QVERIFY(editor->bannerText().isEmpty());
    QCOMPARE(line->text(), QStringLiteral("mine"));
    QCOMPARE(editor->request()->ifMatch, v1.revision);

    // A change seen through a plain refresh (no device known) still shows; Reload takes it.
    const Entry v3 = seed(QStringLiteral("put"), where, QStringLiteral("v3"));
    panel.showEntry(v3);
    QVERIFY2(editor->bannerText().contains(QString::number(v3.revision)),
             qPrintable(editor->bannerText()));
    QCOMPARE(line->text(), QStringLiteral("mine"));
    QTest::mouseClick(editor->reloadButton(), Qt::LeftButton);
    QCOMPARE(line->text(), QStringLiteral("v3"));
    QVERIFY(!editor->hasUnsavedInput());
    QCOMPARE(editor->baseEntry().revision, v3.revision);
    retype(line, QStringLiteral("again"));
    QCOMPARE(editor->request()->ifMatch, v3.revision);

    // Without input, a live change just shows.
    QTest::keyClick(line, Qt::Key_Escape);
    QVERIFY(!editor->hasUnsavedInput());
    const Entry v4 = seed(QStringLiteral("put"), where, QStringLiteral("v4"));
    panel.noteRemoteChange(v4, QStringLiteral("dev_other"));
    QCOMPARE(line->text(), QStringLiteral("v4"));
    QVERIFY(editor->bannerText().isEmpty());
    QCOMPARE(editor->baseEntry().revision, v4.revision);

    // A change to another path is not this entry's.
    Entry elsewhere = v4;
    elsewhere.path = path(QStringLiteral("forms/other"));
    elsewhere.value = QStringLiteral("x");
    panel.noteRemoteChange(elsewhere, QStringLiteral("dev_other"));
    QCOMPARE(line->text(), QStringLiteral("v4"));
}

void TestEditForms::invalidJsonCannotBeSaved_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("where");
    QTest::newRow("double comma") << "[1, 2,,]"
                                  << "Line 1, column 7";
    QTest::newRow("bare word, third line") << "[\n  1,\n  x\n]"
                                           << "Line 3, column 3";
    QTest::newRow("unterminated") << "[1, 2"
                                  << "Line 1, column 6";
    QTest::newRow("trailing comma") << "{\"a\": 1,}"
                                    << "Line 1, column 8";
    QTest::newRow("after a multi-byte character") << "[\"é\" 1]"
                                                  << "Line 1, column 6";
}

void TestEditForms::invalidJsonCannotBeSaved()
{
    QFETCH(QString, text);
    QFETCH(QString, where);
    const Path at = path(QStringLiteral("forms/invalid"));
    const Entry shown = seed(QStringLiteral("put"), at, json("[1,2]"));
    InspectorPanel panel;
    showIn(panel, shown);
    EntryEditor *editor = panel.editor();
    QCOMPARE(editor->currentForm(), editor->jsonForm());
    QSignalSpy requested(&panel, &InspectorPanel::editRequested);
    QsciScintilla *sci = editor->jsonForm()->editor()->editor();
    sci->setFocus();
    if (text.contains(QLatin1Char('\n')) || text.toLatin1() != text.toUtf8()) {
        // Typed, Return would indent the next line by itself, and QTest types ASCII only.
        sci->setText(text);
    } else {
        sci->selectAll();
        QTest::keyClicks(sci, text);
    }
    QCOMPARE(sci->text(), text);

    QVERIFY(!editor->jsonForm()->editor()->isValid());
    QVERIFY2(editor->jsonForm()->editor()->message().startsWith(where),
             qPrintable(editor->jsonForm()->editor()->message()));
    QVERIFY(editor->previewText().contains(where));
    QVERIFY(!editor->saveButton()->isEnabled());
    QVERIFY(!editor->request());
    QTest::keyClick(sci, Qt::Key_Return, Qt::ControlModifier);
    editor->save();
    QCOMPARE(requested.count(), 0);

    // Fixed, it can.
    sci->selectAll();
    QTest::keyClicks(sci, QStringLiteral("[3]"));
    QVERIFY(editor->saveButton()->isEnabled());
    QTest::keyClick(sci, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).value<EditRequest>().value, json("[3]"));
}

void TestEditForms::integerIsCheckedAsTyped_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("problem"); // "" = valid
    QTest::newRow("whole") << "12"
                           << "";
    QTest::newRow("negative limit") << "-9007199254740991"
                                    << "";
    QTest::newRow("letters") << "12a"
                             << "is not a whole number";
    QTest::newRow("fraction") << "1.5"
                              << "is not a whole number";
    QTest::newRow("beyond 2^53") << "9007199254740993"
                                 << "outside ±9,007,199,254,740,991";
    QTest::newRow("far beyond") << "99999999999999999999999"
                                << "outside ±9,007,199,254,740,991";
}

void TestEditForms::integerIsCheckedAsTyped()
{
    QFETCH(QString, typed);
    QFETCH(QString, problem);
    const Entry shown = seed(QStringLiteral("put"), path(QStringLiteral("forms/int")), 5);
    InspectorPanel panel;
    showIn(panel, shown);
    EntryEditor *editor = panel.editor();
    retype(editor->scalarForm()->lineEdit(), typed);
    if (problem.isEmpty()) {
        QVERIFY(editor->saveButton()->isEnabled());
        QCOMPARE(editor->request()->value.toInteger(), typed.toLongLong());
    } else {
        QVERIFY(!editor->saveButton()->isEnabled());
        QVERIFY2(editor->previewText().contains(problem), qPrintable(editor->previewText()));
    }
}

void TestEditForms::readOnlyPolicyHasNoEditors()
{
    const Entry text =
        seed(QStringLiteral("put"), path(QStringLiteral("forms/ro")), QStringLiteral("x"));
    const Entry counter =
        seed(QStringLiteral("increment"), path(QStringLiteral("forms/ro_counter")), 1);
    InspectorPanel panel;
    const QString readOnly = QStringLiteral("The store is read-only.");
    panel.setWritePolicy([&readOnly](EditRequest::Kind) { return readOnly; });
    showIn(panel, text);
    QVERIFY(panel.editor()->isReadOnly());
    QVERIFY(!panel.editor()->isVisible());
    QVERIFY(!panel.editor()->saveButton()->isVisible());
    QCOMPARE(panel.valueText(), QStringLiteral("x")); // still shown
    panel.showEntry(counter);
    QVERIFY(!panel.editor()->isVisible());
    QSignalSpy requested(&panel, &InspectorPanel::editRequested);
    panel.editor()->save();
    QCOMPARE(requested.count(), 0);

    // Only set refused: its inputs are disabled with the reason; increments still work.
    const QString noSet = QStringLiteral("Set is not allowed for this token.");
    panel.setWritePolicy([&noSet](EditRequest::Kind kind) {
        return kind == EditRequest::Kind::Set ? noSet : QString();
    });
    QVERIFY(panel.editor()->isVisible());
    QVERIFY(panel.editor()->counterForm()->incrementButton()->isEnabled());
    panel.showEntry(text);
    QLineEdit *line = panel.editor()->scalarForm()->lineEdit();
    QVERIFY(!line->isEnabled());
    QCOMPARE(line->toolTip(), noSet);
    QVERIFY(!panel.editor()->typeButton()->isEnabled());
}

void TestEditForms::refusedWriteKeepsInput()
{
    const Entry shown =
        seed(QStringLiteral("put"), path(QStringLiteral("forms/refused")), QStringLiteral("v1"));
    InspectorPanel panel;
    showIn(panel, shown);
    EntryEditor *editor = panel.editor();
    QLineEdit *line = editor->scalarForm()->lineEdit();
    retype(line, QStringLiteral("typed by hand"));
    QSignalSpy requested(&panel, &InspectorPanel::editRequested);
    QTest::keyClick(line, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(requested.count(), 1);
    const auto request = requested.at(0).at(0).value<EditRequest>();

    const QString words = QStringLiteral("Not saved: someone changed the value first.");
    panel.editFailed(request, words);
    QCOMPARE(editor->statusText(), words);
    QCOMPARE(line->text(), QStringLiteral("typed by hand"));
    QVERIFY(editor->saveButton()->isEnabled());

    // After a conflict the input was lost (cancelled): keepEditing puts it back.
    QTest::keyClick(line, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(requested.count(), 2);
    editor->keepEditing(request);
    QVERIFY(!editor->isSaving());
    editor->cancel();
    QCOMPARE(line->text(), QStringLiteral("v1"));
    panel.keepEditing(request);
    QCOMPARE(line->text(), QStringLiteral("typed by hand"));
    QVERIFY(editor->saveButton()->isEnabled());
}

void TestEditForms::escapeDropsInput()
{
    const Entry shown =
        seed(QStringLiteral("put"), path(QStringLiteral("forms/escape")), QStringLiteral("keep"));
    InspectorPanel panel;
    showIn(panel, shown);
    EntryEditor *editor = panel.editor();
    QLineEdit *line = editor->scalarForm()->lineEdit();
    retype(line, QStringLiteral("drop me"));
    QVERIFY(editor->hasUnsavedInput());
    QTest::keyClick(line, Qt::Key_Escape);
    QCOMPARE(line->text(), QStringLiteral("keep"));
    QVERIFY(!editor->hasUnsavedInput());
    QCOMPARE(editor->previewText(), QStringLiteral("Nothing changed."));

    // The same from inside the JSON editor, which has keys of its own.
    const Entry array =
        seed(QStringLiteral("put"), path(QStringLiteral("forms/escape_json")), json("[1]"));
    panel.showEntry(array);
    QsciScintilla *sci = editor->jsonForm()->editor()->editor();
    sci->setFocus();
    QTest::keyClick(sci, Qt::Key_End, Qt::ControlModifier);
    QTest::keyClicks(sci, QStringLiteral(" "));
    QVERIFY(editor->hasUnsavedInput());
    QTest::keyClick(sci, Qt::Key_Escape);
    QVERIFY(!editor->hasUnsavedInput());
    QCOMPARE(sci->text(), QStringLiteral("[\n    1\n]"));
}

void TestEditForms::keyboardReachesSave()
{
    const Entry shown =
        seed(QStringLiteral("put"), path(QStringLiteral("forms/keyboard")), QStringLiteral("a"));
    InspectorPanel panel;
    showIn(panel, shown);
    EntryEditor *editor = panel.editor();
    QLineEdit *line = editor->scalarForm()->lineEdit();
    retype(line, QStringLiteral("b"));
    QVERIFY(panel.hasUnsavedEdit());
    // Tab from the input goes on through Change type… and Cancel to Save; Space presses it.
    QList<QWidget *> visited;
    for (int i = 0; i < 3 && QApplication::focusWidget() != editor->saveButton(); ++i) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        visited.append(QApplication::focusWidget());
    }
    QCOMPARE(visited, (QList<QWidget *>{editor->typeButton(), editor->cancelButton(),
                                        editor->saveButton()}));
    QSignalSpy requested(&panel, &InspectorPanel::editRequested);
    QTest::keyClick(editor->saveButton(), Qt::Key_Space);
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).value<EditRequest>().value, QJsonValue(QStringLiteral("b")));
}

void TestEditForms::bigValuesLoadOnlyWhenAsked()
{
    const QString big(ScalarForm::kBigText + 10, QLatin1Char('b'));
    const Entry text = seed(QStringLiteral("put"), path(QStringLiteral("forms/big_text")), big);
    InspectorPanel panel;
    showIn(panel, text);
    EntryEditor *editor = panel.editor();
    QVERIFY(editor->scalarForm()->editTextButton()->isVisible());
    QVERIFY(editor->scalarForm()->textEdit()->toPlainText().isEmpty());
    QTest::mouseClick(editor->scalarForm()->editTextButton(), Qt::LeftButton);
    QCOMPARE(editor->scalarForm()->bigTextEdit()->text().size(), big.size());
    QVERIFY(!editor->hasUnsavedInput());
    QTest::keyClick(editor->scalarForm()->bigTextEdit(), Qt::Key_End, Qt::ControlModifier);
    QTest::keyClicks(editor->scalarForm()->bigTextEdit(), QStringLiteral("c"));
    QCOMPARE(editor->request()->value.toString(), big + QLatin1Char('c'));

    QJsonArray items;
    for (int i = 0; i < 40000; ++i)
        items.append(QStringLiteral("item %1").arg(i));
    const Entry array = seed(QStringLiteral("put"), path(QStringLiteral("forms/big_array")), items);
    panel.showEntry(array);
    QCOMPARE(editor->currentForm(), editor->jsonForm());
    QVERIFY(!editor->jsonForm()->isLoaded());
    QVERIFY(editor->jsonForm()->editor()->text().isEmpty());
    QTest::mouseClick(editor->jsonForm()->editButton(), Qt::LeftButton);
    QTRY_VERIFY(editor->jsonForm()->isLoaded());
    QTRY_VERIFY(editor->jsonForm()->editor()->isValid());
    QCOMPARE(editor->jsonForm()->editor()->value(), QJsonValue(items));
}

QTEST_MAIN(TestEditForms)
#include "tst_editforms.moc"
