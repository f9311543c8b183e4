// The structure-edit dialogs against a real dustlite: PathField's escaping and errors, a new
// entry with escaped segments written and read back over REST with its rendered path, its
// undo and redo (CreateCommand), the value types, a paste of JSON into a node, and the
// delete confirmation. The jobs (move, delete) are in tst_subtreejobs.

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "TestHttp.h"
#include "edit/CreateCommand.h"
#include "edit/DeleteConfirmDialog.h"
#include "edit/MoveDialog.h"
#include "edit/NewEntryDialog.h"
#include "edit/PasteSubtreeDialog.h"
#include "edit/PathField.h"
#include "transport/HttpTransport.h"

#include <QApplication>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

using namespace dust;
using namespace dust::test;
using namespace Qt::StringLiterals;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");

QPushButton *acceptButton(QDialog &dialog)
{
    for (QPushButton *button : dialog.findChildren<QPushButton *>()) {
        if (button->accessibleName() == QLatin1String("Create") ||
            button->accessibleName() == QLatin1String("Replace"))
            return button;
    }
    return nullptr;
}

QByteArray entryUrl(const QString &rendered)
{
    return TestHttp::entries("/" + Path::parse(rendered).value().urlEncoded());
}

} // namespace

class TestStructureEdits : public QObject
{
    Q_OBJECT

private slots:
    void pathFieldShowsEscapingAndErrors_data();
    void pathFieldShowsEscapingAndErrors();
    void createWithEscapedSegment_data();
    void createWithEscapedSegment();
    void newEntryValueTypes_data();
    void newEntryValueTypes();
    void pasteSubtree();
    void pasteShowsWhereJsonBreaks();
    void deleteConfirmNamesWhatGoes();
    void moveDialogTarget_data();
    void moveDialogTarget();
};

void TestStructureEdits::pathFieldShowsEscapingAndErrors_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("shown");   // expected in renderedText() when valid
    QTest::addColumn<QString>("problem"); // expected in errorText() when not

    const int segment = int(PathField::Mode::Segment);
    const int path = int(PathField::Mode::Path);
    const int optional = int(PathField::Mode::OptionalPath);
    QTest::newRow("segment with slash") << segment << u"a/b"_s << true << u"a~1b"_s << u""_s;
    QTest::newRow("segment with tilde") << segment << u"~"_s << true << u"~0"_s << u""_s;
    QTest::newRow("segment with both") << segment << u"a/b~c"_s << true << u"a~1b~0c"_s << u""_s;
    QTest::newRow("segment plain")
        << segment << u"hello.world"_s << true << u"hello.world"_s << u""_s;
    QTest::newRow("empty segment")
        << segment << u""_s << false << u""_s << u"at least one character"_s;
    QTest::newRow("path") << path << u"users/alice"_s << true << u"\"users\" › \"alice\""_s
                          << u""_s;
    QTest::newRow("path escaped") << path << u"a~1b/c~0"_s << true << u"\"a/b\" › \"c~\""_s
                                  << u""_s;
    QTest::newRow("leading slash") << path << u"/users"_s << false << u""_s << u"'//'"_s;
    QTest::newRow("doubled slash") << path << u"a//b"_s << false << u""_s << u"'//'"_s;
    QTest::newRow("bad escape") << path << u"a~2b"_s << false << u""_s << u"~0"_s;
    QTest::newRow("bare tilde") << path << u"~"_s << false << u""_s << u"~1"_s;
    QTest::newRow("empty path") << path << u""_s << false << u""_s << u"Type a path"_s;
    QTest::newRow("optional empty") << optional << u""_s << true << u"top of the store"_s << u""_s;
    QTest::newRow("optional bad") << optional << u"a/"_s << false << u""_s << u"'//'"_s;
}

void TestStructureEdits::pathFieldShowsEscapingAndErrors()
{
    QFETCH(int, mode);
    QFETCH(QString, typed);
    QFETCH(bool, valid);
    QFETCH(QString, shown);
    QFETCH(QString, problem);

    PathField field{PathField::Mode(mode)};
    field.show();
    QVERIFY(!field.lineEdit()->accessibleName().isEmpty());
    QSignalSpy changed(&field, &PathField::changed);
    field.lineEdit()->setFocus();
    QTest::keyClicks(field.lineEdit(), typed);
    QCOMPARE(field.isValid(), valid);
    if (valid) {
        QVERIFY2(field.renderedText().contains(shown), qPrintable(field.renderedText()));
        QVERIFY(field.errorText().isEmpty());
    } else {
        QVERIFY2(field.errorText().contains(problem), qPrintable(field.errorText()));
        // The problem is also what a screen reader hears about the field.
        QVERIFY(field.lineEdit()->accessibleDescription().contains(field.errorText()));
    }
    if (!typed.isEmpty())
        QCOMPARE(changed.count(), typed.size());
}

void TestStructureEdits::createWithEscapedSegment_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("rendered");
    QTest::newRow("slash") << u"a/b"_s << u"docs/a~1b"_s;
    QTest::newRow("tilde") << u"~"_s << u"docs/~0"_s;
    QTest::newRow("both") << u"x~/y"_s << u"docs/x~0~1y"_s;
}

void TestStructureEdits::createWithEscapedSegment()
{
    QFETCH(QString, name);
    QFETCH(QString, rendered);

    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    HttpTransport transport(dustlite.baseUrl(), kToken);
    TestHttp http(dustlite.baseUrl());

    NewEntryDialog dialog(path(QStringLiteral("docs")));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QPushButton *create = acceptButton(dialog);
    QVERIFY(create);
    QVERIFY(!create->isEnabled()); // no name yet
    QVERIFY(dialog.problem().contains(QStringLiteral("Name")));
    QCOMPARE(dialog.parentField()->text(), QStringLiteral("docs"));
    // The name field has the focus: type the name, Tab to the type and the value.
    QTRY_VERIFY(dialog.nameField()->lineEdit()->hasFocus());
    QTest::keyClicks(dialog.nameField()->lineEdit(), name);
    QVERIFY(dialog.nameField()->renderedText().contains(rendered.mid(5)));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), dialog.typeBox());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), dialog.valueEdit());
    QTest::keyClicks(dialog.valueEdit(), QStringLiteral("hello"));
    QVERIFY2(create->isEnabled(), qPrintable(dialog.problem()));
    QCOMPARE(dialog.previewText(), QStringLiteral("set %1 = \"hello\" (if absent)").arg(rendered));

    QTest::mouseClick(create, Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const std::optional<EditRequest> request = dialog.request();
    QVERIFY(request);
    QCOMPARE(request->kind, EditRequest::Kind::Set);
    QCOMPARE(request->path.rendered(), rendered);
    QCOMPARE(request->path.lastSegment(), name);
    QVERIFY(request->ifAbsent);

    // What the edit controller does with it: one conditional put.
    WriteOptions options;
    options.ifAbsent = request->ifAbsent;
    const auto written = await(transport.put(kStore, request->path, request->value, options));
    QVERIFY2(written, qPrintable(written ? QString() : written.error().message()));
    const HttpResult read = http.get(entryUrl(rendered));
    QCOMPARE(read.status, 200);
    QCOMPARE(read.object().value(QStringLiteral("path")).toString(), rendered);
    QCOMPARE(read.object().value(QStringLiteral("value")).toString(), QStringLiteral("hello"));
    // A second create of the same path is refused, not an overwrite.
    const auto again =
        await(transport.put(kStore, request->path, QStringLiteral("other"), options));
    QVERIFY(!again);
    QCOMPARE(again.error().kind(), Error::Kind::Conflict);
    QCOMPARE(http.get(entryUrl(rendered)).object().value(QStringLiteral("value")).toString(),
             QStringLiteral("hello"));

    // Undo of the create deletes it on its revision; redo writes it again if absent.
    QUndoStack stack;
    auto *command =
        new CreateCommand(&transport, kStore, request->path, request->value, written->storeSeq);
    StructureCommand::keepStackOnFailure(&stack, command);
    QSignalSpy finished(command, &StructureCommand::finished);
    stack.push(command); // the first redo does nothing: the create already happened
    QCOMPARE(finished.count(), 0);
    stack.undo();
    QVERIFY(command->isBusy());
    QVERIFY(finished.wait(10000));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    QCOMPARE(http.get(entryUrl(rendered)).status, 404);
    stack.redo();
    QVERIFY(finished.wait(10000));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(finished.last().at(1).toString()));
    QCOMPARE(http.get(entryUrl(rendered)).object().value(QStringLiteral("value")).toString(),
             QStringLiteral("hello"));
    // Someone changes it: the undo keeps it and says why.
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet({{request->path, QStringLiteral("changed")}}, QStringLiteral("other")) > 0);
    stack.undo();
    QVERIFY(finished.wait(10000));
    QVERIFY(!finished.last().at(0).toBool());
    QVERIFY2(finished.last().at(1).toString().contains(QStringLiteral("changed")),
             qPrintable(finished.last().at(1).toString()));
    QCOMPARE(http.get(entryUrl(rendered)).object().value(QStringLiteral("value")).toString(),
             QStringLiteral("changed"));
    // The refused undo left the history where the store is: the create still counts as done,
    // and the next Undo is this one again.
    QCOMPARE(stack.index(), 1);
    QCOMPARE(stack.undoText(), command->text());
    QVERIFY(!command->isBusy());
}

void TestStructureEdits::newEntryValueTypes_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QJsonValue>("value"); // undefined = refused
    QTest::addColumn<QString>("problem");

    using T = NewEntryDialog::ValueType;
    const QJsonValue refused(QJsonValue::Undefined);
    QTest::newRow("string") << int(T::String) << u" x "_s << QJsonValue(u" x "_s) << u""_s;
    QTest::newRow("integer") << int(T::Integer) << u"42"_s << QJsonValue(42) << u""_s;
    QTest::newRow("not integer") << int(T::Integer) << u"4x"_s << refused << u"whole number"_s;
    QTest::newRow("float") << int(T::Float) << u"1.5"_s << QJsonValue(1.5) << u""_s;
    QTest::newRow("not float") << int(T::Float) << u"one"_s << refused << u"not a number"_s;
    QTest::newRow("boolean") << int(T::Boolean) << u"true"_s << QJsonValue(true) << u""_s;
    QTest::newRow("not boolean") << int(T::Boolean) << u"yes"_s << refused << u"true or false"_s;
    QTest::newRow("null") << int(T::Null) << u""_s << QJsonValue(QJsonValue::Null) << u""_s;
    QTest::newRow("json array") << int(T::Json) << u"[1, \"a\"]"_s
                                << QJsonValue(QJsonArray{1, u"a"_s}) << u""_s;
    QTest::newRow("json scalar") << int(T::Json) << u"\"s\""_s << QJsonValue(u"s"_s) << u""_s;
    QTest::newRow("json broken") << int(T::Json) << u"[1,\n  2,]"_s << refused
                                 << u"line 2, column 4: trailing comma"_s;
    QTest::newRow("json object") << int(T::Json) << u"{\"a\": 1}"_s << refused << u"subtree"_s;
}

void TestStructureEdits::newEntryValueTypes()
{
    QFETCH(int, type);
    QFETCH(QString, text);
    QFETCH(QJsonValue, value);
    QFETCH(QString, problem);

    NewEntryDialog dialog(Path{});
    dialog.nameField()->setText(QStringLiteral("k"));
    dialog.setValueType(NewEntryDialog::ValueType(type));
    dialog.valueEdit()->setPlainText(text);
    if (value.isUndefined()) {
        QVERIFY(!dialog.request());
        QVERIFY2(dialog.problem().contains(problem), qPrintable(dialog.problem()));
        QVERIFY(!acceptButton(dialog)->isEnabled());
    } else {
        QVERIFY2(dialog.request(), qPrintable(dialog.problem()));
        QCOMPARE(dialog.request()->value, value);
        QCOMPARE(dialog.request()->path.rendered(), QStringLiteral("k")); // top of the store
        QVERIFY(acceptButton(dialog)->isEnabled());
    }
}

void TestStructureEdits::pasteSubtree()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet({{path(QStringLiteral("node/old1")), 1},
                         {path(QStringLiteral("node/old2")), 2},
                         {path(QStringLiteral("node/x/y")), 3},
                         {path(QStringLiteral("node-sibling")), 4}},
                        QStringLiteral("dev")) > 0);
    HttpTransport transport(dustlite.baseUrl(), kToken);
    TestHttp http(dustlite.baseUrl());

    const QString clipboard = QStringLiteral(R"({"a": 1, "b": {"c": "d", "e/f": true}})");
    PasteSubtreeDialog dialog(path(QStringLiteral("node")), clipboard, 3);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY2(dialog.impactText().contains(QStringLiteral("3 leaves")),
             qPrintable(dialog.impactText()));
    QVERIFY2(dialog.previewText().contains(QStringLiteral("3 leaves")),
             qPrintable(dialog.previewText()));
    QVERIFY(dialog.previewText().contains(QStringLiteral("set node = {")));
    const std::optional<EditRequest> request = dialog.request();
    QVERIFY(request);
    QVERIFY(!request->ifMatch && !request->ifAbsent);
    // Enter does not replace: Cancel is the default.
    QTest::keyClick(&dialog, Qt::Key_Escape);
    QCOMPARE(dialog.result(), int(QDialog::Rejected));

    const auto written = await(transport.put(kStore, request->path, request->value));
    QVERIFY(written);
    QCOMPARE(http.get(entryUrl(QStringLiteral("node/a"))).object().value(u"value"_s).toInt(), 1);
    QCOMPARE(http.get(entryUrl(QStringLiteral("node/b/c"))).object().value(u"value"_s).toString(),
             QStringLiteral("d"));
    QCOMPARE(http.get(entryUrl(QStringLiteral("node/b/e~1f"))).object().value(u"value"_s).toBool(),
             true);
    QCOMPARE(http.get(entryUrl(QStringLiteral("node/old1"))).status, 404);
    QCOMPARE(http.get(entryUrl(QStringLiteral("node/x/y"))).status, 404);
    QCOMPARE(http.get(entryUrl(QStringLiteral("node-sibling"))).status, 200);
}

void TestStructureEdits::pasteShowsWhereJsonBreaks()
{
    PasteSubtreeDialog dialog(path(QStringLiteral("n")), QStringLiteral("{\"a\": 1,\n  \"b\": }"),
                              0);
    QVERIFY(!dialog.request());
    QVERIFY2(dialog.problem().contains(QStringLiteral("line 2, column 8")),
             qPrintable(dialog.problem()));
    QVERIFY(!acceptButton(dialog)->isEnabled());
    QVERIFY(dialog.impactText().contains(QStringLiteral("Nothing")));
    // Fixing the text makes it acceptable.
    dialog.textEdit()->setPlainText(QStringLiteral("{\"a\": 1,\n  \"b\": 2}"));
    QVERIFY(dialog.request());
    QVERIFY(acceptButton(dialog)->isEnabled());
    dialog.textEdit()->setPlainText(QStringLiteral("{\"\": 1}"));
    QVERIFY(!dialog.request());
    QVERIFY(dialog.problem().contains(QStringLiteral("empty")));
    dialog.textEdit()->setPlainText(QStringLiteral("{}"));
    QVERIFY(dialog.request());
    QVERIFY(dialog.previewText().contains(QStringLiteral("removed")));
}

void TestStructureEdits::deleteConfirmNamesWhatGoes()
{
    QList<Path> nodes;
    for (int i = 0; i < 12; ++i)
        nodes.append(path(QStringLiteral("n%1").arg(i, 2, 10, QLatin1Char('0'))));
    DeleteConfirmDialog dialog(nodes, 345);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    const QString text = dialog.messageText();
    QVERIFY2(text.contains(QStringLiteral("n00, n01")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("n09")));
    QVERIFY(!text.contains(QStringLiteral("n10")));
    QVERIFY(text.contains(QStringLiteral("and 2 more")));
    QVERIFY(text.contains(QStringLiteral("345 leaves")));
    QVERIFY(dialog.cancelButton()->isDefault());
    QVERIFY(!dialog.deleteButton()->isDefault());
    QVERIFY(!dialog.deleteButton()->accessibleName().isEmpty());
    // Enter takes the default: Cancel.
    QTest::keyClick(&dialog, Qt::Key_Return);
    QCOMPARE(dialog.result(), int(QDialog::Rejected));

    DeleteConfirmDialog one({path(QStringLiteral("a~1b"))}, 1);
    one.show();
    QVERIFY(one.messageText().contains(QStringLiteral("Delete a~1b?")));
    QTest::mouseClick(one.deleteButton(), Qt::LeftButton);
    QCOMPARE(one.result(), int(QDialog::Accepted));
}

void TestStructureEdits::moveDialogTarget_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("to"); // empty = refused
    QTest::addColumn<QString>("problem");

    const int rename = int(MoveDialog::Mode::Rename);
    const int move = int(MoveDialog::Mode::Move);
    QTest::newRow("rename") << rename << u"users/alice"_s << u"alicia"_s << u"users/alicia"_s
                            << QString();
    QTest::newRow("rename with slash")
        << rename << u"users/alice"_s << u"a/b~"_s << u"users/a~1b~0"_s << QString();
    QTest::newRow("rename at the top") << rename << u"top"_s << u"new"_s << u"new"_s << QString();
    QTest::newRow("rename to itself")
        << rename << u"users/alice"_s << u"alice"_s << QString() << u"where"_s;
    QTest::newRow("rename empty") << rename << u"users/alice"_s << QString() << QString()
                                  << u"at least one character"_s;
    QTest::newRow("move") << move << u"users/alice"_s << u"archive/2026/alice"_s
                          << u"archive/2026/alice"_s << QString();
    QTest::newRow("move inside itself")
        << move << u"users"_s << u"users/old"_s << QString() << u"inside itself"_s;
    QTest::newRow("move bad path") << move << u"users"_s << u"a//b"_s << QString() << u"'//'"_s;
}

void TestStructureEdits::moveDialogTarget()
{
    QFETCH(int, mode);
    QFETCH(QString, from);
    QFETCH(QString, typed);
    QFETCH(QString, to);
    QFETCH(QString, problem);

    MoveDialog dialog(MoveDialog::Mode(mode), path(from));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    // The field has the focus with its text selected: typing replaces it.
    QTRY_VERIFY(dialog.field()->lineEdit()->hasFocus());
    QVERIFY(dialog.field()->lineEdit()->hasSelectedText());
    if (typed.isEmpty())
        QTest::keyClick(dialog.field()->lineEdit(), Qt::Key_Backspace);
    else
        QTest::keyClicks(dialog.field()->lineEdit(), typed);
    if (to.isEmpty()) {
        QVERIFY(!dialog.destination().isValid());
        QVERIFY2(dialog.problem().contains(problem), qPrintable(dialog.problem()));
        QTest::keyClick(dialog.field()->lineEdit(), Qt::Key_Return);
        QVERIFY(dialog.isVisible()); // Enter does nothing while the target is refused
        return;
    }
    QVERIFY2(dialog.destination().isValid(), qPrintable(dialog.problem()));
    QCOMPARE(dialog.destination().rendered(), to);
    QVERIFY(dialog.previewText().contains(to));
    QTest::keyClick(dialog.field()->lineEdit(), Qt::Key_Return);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

QTEST_MAIN(TestStructureEdits)
#include "tst_structureedits.moc"
