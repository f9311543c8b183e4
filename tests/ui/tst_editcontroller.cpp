// EditController against a real dustlite on 127.0.0.1, over SdkTransport and HttpTransport
// (the same cases on both where both can): each kind writes the right op, path and value
// (read back over REST by a separate client); a second client's change between load and save
// raises the conflict dialog and each of its choices does exactly what it says; undo and
// redo write back and forth, and an undo whose entry moved on is refused with the dialog and
// leaves the stack where it was; read-only profiles and tokens write nothing; a REST-only
// connection refuses the WebSocket-only kinds with the reason; refused writes come in words.

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"
#include "edit/ConflictDialog.h"
#include "edit/EditController.h"
#include "edit/UndoHistoryView.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>
#include <QUndoView>

#include <memory>

using namespace dust;
using namespace Qt::StringLiterals;
using namespace dust::test;
using Kind = EditRequest::Kind;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");
const QString kReader = QStringLiteral("dust_tok_reader");

template <typename T> QString why(const Result<T> &result)
{
    return result ? QString() : result.error().message();
}

} // namespace

class TestEditController : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void writesEachKind_data();
    void writesEachKind();
    void conflictChoices_data();
    void conflictChoices();
    void overwriteThatConflictsAgainAsksAgain_data();
    void overwriteThatConflictsAgainAsksAgain();
    void undoAndRedo_data();
    void undoAndRedo();
    void undoRefusedWhenTheEntryMovedOn_data();
    void undoRefusedWhenTheEntryMovedOn();
    void undoKeepsTheType_data();
    void undoKeepsTheType();
    void historyViewStepsThroughTheController();
    void readOnlyProfile_data();
    void readOnlyProfile();
    void tokenWithoutWrite_data();
    void tokenWithoutWrite();
    void restOnlyRefusesWebSocketKinds_data();
    void restOnlyRefusesWebSocketKinds();
    void refusedWritesComeInWords_data();
    void refusedWritesComeInWords();

private:
    std::unique_ptr<Transport> makeClient(const QString &kind, const QString &token = kToken,
                                          InProcessDustlite *server = nullptr);
    // A path of its own for each case.
    Path fresh(const QString &name);
    // Writes `value` at `where` as another client (REST) and waits until `seenBy` reads that
    // revision there; returns it (0 on failure).
    qint64 otherWrites(Transport &seenBy, const Path &where, const QJsonValue &value);
    // The value at `where` over REST (Undefined when there is nothing).
    Entry serverEntry(const Path &where);
    QJsonValue serverValue(const Path &where) { return serverEntry(where).value; }

    InProcessDustlite m_server;
    std::unique_ptr<HttpTransport> m_rest; // the separate reader and "second client"
    int m_cases = 0;
};

void TestEditController::initTestCase()
{
    m_server.config().tokens = {{kToken, {}, {}}, {kReader, {}, {QStringLiteral("entries:read")}}};
    // REST writes of the second client reach the live mirror, as a WebSocket client's would.
    m_server.config().broadcastRestWrites = true;
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    m_rest = std::make_unique<HttpTransport>(m_server.baseUrl(), kToken);
}

std::unique_ptr<Transport> TestEditController::makeClient(const QString &kind, const QString &token,
                                                          InProcessDustlite *server)
{
    InProcessDustlite &s = server ? *server : m_server;
    if (kind == QLatin1String("rest"))
        return std::make_unique<HttpTransport>(s.baseUrl(), token);
    auto sdk = std::make_unique<SdkTransport>(sdkOptions(s.wsUrl(), token));
    QSignalSpy live(sdk.get(), &SdkTransport::storeLive);
    QSignalSpy failed(sdk.get(), &SdkTransport::storeError);
    sdk->open(kStore);
    if (!QTest::qWaitFor([&] { return !live.isEmpty() || !failed.isEmpty(); }, 30000))
        qWarning("the store did not become live");
    return sdk;
}

Path TestEditController::fresh(const QString &name)
{
    return path(QStringLiteral("case%1/%2").arg(++m_cases).arg(name));
}

qint64 TestEditController::otherWrites(Transport &seenBy, const Path &where,
                                       const QJsonValue &value)
{
    const auto written = await(m_rest->put(kStore, where, value));
    if (!written)
        return 0;
    const qint64 seq = written->storeSeq;
    // The live mirror learns it from the broadcast: wait until a read there shows it.
    const bool seen = QTest::qWaitFor(
        [&] {
            const auto entry = await(seenBy.get(kStore, where));
            return entry && entry->revision >= seq;
        },
        10000);
    return seen ? seq : 0;
}

Entry TestEditController::serverEntry(const Path &where)
{
    const auto entry = await(m_rest->get(kStore, where));
    if (!entry)
        return Entry{where, QJsonValue(QJsonValue::Undefined), {}, 0};
    return *entry;
}

// ---- each kind ---------------------------------------------------------------------------

void TestEditController::writesEachKind_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QJsonValue>("seed");  // Undefined: nothing there first
    QTest::addColumn<QJsonValue>("value"); // what the request carries
    QTest::addColumn<QJsonValue>("expected");

    const QJsonValue none(QJsonValue::Undefined);
    const QJsonObject object{{QStringLiteral("name"), QStringLiteral("Alice")},
                             {QStringLiteral("age"), 30}};
    for (const QString &transport : {QStringLiteral("sdk"), QStringLiteral("rest")}) {
        const auto row = [&](const char *name) -> QTestData & {
            return QTest::addRow("%s: %s", qPrintable(transport), name) << transport;
        };
        row("create a leaf (if absent)")
            << int(Kind::Set) << none << QJsonValue(42) << QJsonValue(42);
        row("set a leaf (if revision)")
            << int(Kind::Set) << QJsonValue(QStringLiteral("v1"))
            << QJsonValue(QStringLiteral("v2")) << QJsonValue(QStringLiteral("v2"));
        row("set an object over an object")
            << int(Kind::Set) << QJsonValue(QJsonObject{{QStringLiteral("old"), true}})
            << QJsonValue(object) << QJsonValue(object);
        row("delete a leaf (if revision)") << int(Kind::Delete) << QJsonValue(7) << none << none;
        row("delete a map") << int(Kind::Delete) << QJsonValue(object) << none << none;
    }
    const auto sdk = [](const char *name) -> QTestData & {
        return QTest::addRow("sdk: %s", name) << QStringLiteral("sdk");
    };
    sdk("merge") << int(Kind::Merge) << QJsonValue(object)
                 << QJsonValue(QJsonObject{{QStringLiteral("age"), 31}})
                 << QJsonValue(QJsonObject{{QStringLiteral("name"), QStringLiteral("Alice")},
                                           {QStringLiteral("age"), 31}});
    sdk("increment") << int(Kind::Increment) << QJsonValue(10) << QJsonValue(5) << QJsonValue(15);
    sdk("add a member") << int(Kind::AddMember) << none << QJsonValue(QStringLiteral("red"))
                        << QJsonValue(QJsonArray{QStringLiteral("red")});
    sdk("put a file") << int(Kind::PutFile) << none << QJsonValue(QStringLiteral("hello"))
                      << QJsonValue(QStringLiteral("file"));
}

void TestEditController::writesEachKind()
{
    QFETCH(QString, transport);
    QFETCH(int, kind);
    QFETCH(QJsonValue, seed);
    QFETCH(QJsonValue, value);
    QFETCH(QJsonValue, expected);

    auto client = makeClient(transport);
    EditController controller(client.get(), kStore);
    const Path where = fresh(QStringLiteral("entry"));
    qint64 revision = 0;
    if (!seed.isUndefined()) {
        revision = otherWrites(*client, where, seed);
        QVERIFY(revision > 0);
    }

    EditRequest request;
    request.kind = Kind(kind);
    request.path = where;
    request.value = value;
    request.baseValue = seed;
    request.baseRevision = revision;
    if (request.kind == Kind::Set || request.kind == Kind::Delete) {
        if (revision > 0)
            request.ifMatch = revision;
        else
            request.ifAbsent = request.kind == Kind::Set;
    }
    if (request.kind == Kind::PutFile) {
        request.fileContent = value.toString().toUtf8();
        request.fileName = QStringLiteral("hello.txt");
        request.contentType = QStringLiteral("text/plain");
    }
    QSignalSpy saved(&controller, &EditController::saved);
    QSignalSpy failed(&controller, &EditController::failed);
    controller.submit(request);
    QTRY_VERIFY_WITH_TIMEOUT(!saved.isEmpty() || !failed.isEmpty(), 15000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    const qint64 seq = saved.first().at(1).toLongLong();
    QVERIFY(seq > revision);

    const Entry entry = serverEntry(where);
    if (request.kind == Kind::PutFile) {
        QCOMPARE(entry.type, expected.toString());
        QCOMPARE(entry.value.toObject().value(QLatin1String("filename")).toString(),
                 QStringLiteral("hello.txt"));
    } else {
        QCOMPARE(entry.value, expected);
    }
    if (!expected.isUndefined())
        QCOMPARE(entry.revision, seq);
    QCOMPARE(controller.undoStack()->count(), 1);
    QCOMPARE(controller.undoStack()->text(0), request.summary());
}

// ---- conflicts ---------------------------------------------------------------------------

void TestEditController::conflictChoices_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QJsonValue>("loaded");
    QTest::addColumn<QJsonValue>("mine");
    QTest::addColumn<QJsonValue>("theirs");
    QTest::addColumn<int>("choice");

    const QJsonValue leafLoaded(QStringLiteral("loaded"));
    const QJsonValue leafMine(QStringLiteral("mine"));
    const QJsonValue leafTheirs(QStringLiteral("theirs"));
    const QJsonValue mapLoaded(QJsonObject{{QStringLiteral("a"), 1}, {QStringLiteral("b"), 2}});
    const QJsonValue mapMine(QJsonObject{{QStringLiteral("a"), 1}, {QStringLiteral("b"), 3}});
    const QJsonValue mapTheirs(QJsonObject{{QStringLiteral("a"), 5}, {QStringLiteral("b"), 2}});
    const std::pair<const char *, ConflictDialog::Choice> choices[] = {
        {"reload", ConflictDialog::Choice::Reload},
        {"overwrite", ConflictDialog::Choice::Overwrite},
        {"keep mine", ConflictDialog::Choice::KeepMine}};
    for (const QString &transport : {QStringLiteral("sdk"), QStringLiteral("rest")}) {
        for (const auto &[name, choice] : choices) {
            QTest::addRow("%s: leaf, %s", qPrintable(transport), name)
                << transport << leafLoaded << leafMine << leafTheirs << int(choice);
            QTest::addRow("%s: object, %s", qPrintable(transport), name)
                << transport << mapLoaded << mapMine << mapTheirs << int(choice);
        }
    }
}

void TestEditController::conflictChoices()
{
    QFETCH(QString, transport);
    QFETCH(QJsonValue, loaded);
    QFETCH(QJsonValue, mine);
    QFETCH(QJsonValue, theirs);
    QFETCH(int, choice);

    auto client = makeClient(transport);
    EditController controller(client.get(), kStore);
    const Path where = fresh(QStringLiteral("doc"));
    const qint64 loadedAt = otherWrites(*client, where, loaded);
    QVERIFY(loadedAt > 0);
    // The second client changes it after "our" form loaded it.
    const qint64 theirsAt = otherWrites(*client, where, theirs);
    QVERIFY(theirsAt > loadedAt);

    EditRequest request;
    request.kind = Kind::Set;
    request.path = where;
    request.value = mine;
    request.baseValue = loaded;
    request.baseType = loaded.isObject() ? QStringLiteral("map") : QStringLiteral("string");
    request.baseRevision = loadedAt;
    request.ifMatch = loadedAt;

    QSignalSpy raised(&controller, &EditController::conflictRaised);
    QSignalSpy saved(&controller, &EditController::saved);
    QSignalSpy kept(&controller, &EditController::keepEditing);
    QSignalSpy reloaded(&controller, &EditController::reloaded);
    QSignalSpy failed(&controller, &EditController::failed);
    controller.submit(request);
    QTRY_COMPARE_WITH_TIMEOUT(raised.size(), 1, 15000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    auto *dialog = raised.first().at(0).value<ConflictDialog *>();
    QVERIFY(dialog);
    QTRY_COMPARE(QApplication::activeModalWidget(), static_cast<QWidget *>(dialog));
    // Nothing was written by the refused save.
    QCOMPARE(serverValue(where), theirs);
    QVERIFY(dialog->theirsText().contains(
        ConflictDialog::formatted(theirs).split(QLatin1Char(0x0a)).at(0)));
    QVERIFY(dialog->mineText().contains(QLatin1Char('+')));
    QVERIFY(saved.isEmpty());

    QTest::mouseClick(dialog->button(ConflictDialog::Choice(choice)), Qt::LeftButton);
    switch (ConflictDialog::Choice(choice)) {
    case ConflictDialog::Choice::Reload:
        QTRY_COMPARE(reloaded.size(), 1);
        QCOMPARE(reloaded.first().at(1).value<QJsonValue>(), theirs);
        QCOMPARE(reloaded.first().at(2).toLongLong(), theirsAt);
        QCOMPARE(serverValue(where), theirs);
        QCOMPARE(controller.undoStack()->count(), 0);
        break;
    case ConflictDialog::Choice::Overwrite: {
        QTRY_VERIFY_WITH_TIMEOUT(!saved.isEmpty() || !failed.isEmpty(), 15000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        const Entry now = serverEntry(where);
        QCOMPARE(now.value, mine);
        QCOMPARE(now.revision, saved.first().at(1).toLongLong());
        QCOMPARE(controller.undoStack()->count(), 1);
        // Its undo goes back to theirs: what was overwritten.
        const auto *cmd = controller.undoStack()->command(0);
        QVERIFY(cmd);
        break;
    }
    case ConflictDialog::Choice::KeepMine:
        QTRY_COMPARE(kept.size(), 1);
        QCOMPARE(kept.first().at(0).value<EditRequest>().value, mine);
        QCOMPARE(serverValue(where), theirs);
        QCOMPARE(controller.undoStack()->count(), 0);
        break;
    }
    QTRY_VERIFY(!controller.isBusy());
    QVERIFY(saved.size() <= 1);
    QCOMPARE(raised.size(), 1);
}

void TestEditController::overwriteThatConflictsAgainAsksAgain_data()
{
    QTest::addColumn<QString>("transport");
    QTest::newRow("sdk") << QStringLiteral("sdk");
    QTest::newRow("rest") << QStringLiteral("rest");
}

void TestEditController::overwriteThatConflictsAgainAsksAgain()
{
    QFETCH(QString, transport);
    auto client = makeClient(transport);
    EditController controller(client.get(), kStore);
    const Path where = fresh(QStringLiteral("busy"));
    const qint64 loadedAt = otherWrites(*client, where, QStringLiteral("loaded"));
    QVERIFY(otherWrites(*client, where, QStringLiteral("theirs 1")) > 0);

    EditRequest request;
    request.path = where;
    request.value = QStringLiteral("mine");
    request.baseValue = QStringLiteral("loaded");
    request.baseRevision = loadedAt;
    request.ifMatch = loadedAt;
    QSignalSpy raised(&controller, &EditController::conflictRaised);
    QSignalSpy kept(&controller, &EditController::keepEditing);
    controller.submit(request);
    QTRY_COMPARE_WITH_TIMEOUT(raised.size(), 1, 15000);
    // It changes again while the dialog is open: the overwrite is conditional on what the
    // dialog showed, so it is refused and the dialog comes back.
    QVERIFY(otherWrites(*client, where, QStringLiteral("theirs 2")) > 0);
    QTest::mouseClick(
        raised.first().at(0).value<ConflictDialog *>()->button(ConflictDialog::Choice::Overwrite),
        Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(raised.size(), 2, 15000);
    auto *second = raised.at(1).at(0).value<ConflictDialog *>();
    QVERIFY(second->theirsText().contains(QLatin1String("theirs 2")));
    QCOMPARE(serverValue(where), QJsonValue(QStringLiteral("theirs 2")));
    QTest::mouseClick(second->button(ConflictDialog::Choice::KeepMine), Qt::LeftButton);
    QTRY_COMPARE(kept.size(), 1);
    QCOMPARE(serverValue(where), QJsonValue(QStringLiteral("theirs 2")));
}

// ---- undo / redo -------------------------------------------------------------------------

void TestEditController::undoAndRedo_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QJsonValue>("before");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QJsonValue>("after");

    const QJsonValue none(QJsonValue::Undefined);
    const QJsonObject map{{QStringLiteral("x"), 1}, {QStringLiteral("y"), 2}};
    const QJsonObject map2{{QStringLiteral("x"), 9}, {QStringLiteral("z"), 3}};
    for (const QString &transport : {QStringLiteral("sdk"), QStringLiteral("rest")}) {
        const auto row = [&](const char *name) -> QTestData & {
            return QTest::addRow("%s: %s", qPrintable(transport), name) << transport;
        };
        row("set a leaf") << int(Kind::Set) << QJsonValue(1) << QJsonValue(2) << QJsonValue(2);
        row("create a leaf") << int(Kind::Set) << none << QJsonValue(true) << QJsonValue(true);
        row("set an object") << int(Kind::Set) << QJsonValue(map) << QJsonValue(map2)
                             << QJsonValue(map2);
        row("delete a leaf") << int(Kind::Delete) << QJsonValue(QStringLiteral("x")) << none
                             << none;
        row("delete a map") << int(Kind::Delete) << QJsonValue(map) << none << none;
    }
    QTest::newRow("sdk: merge") << QStringLiteral("sdk") << int(Kind::Merge) << QJsonValue(map)
                                << QJsonValue(QJsonObject{{QStringLiteral("y"), 7},
                                                          {QStringLiteral("w"), 8}})
                                << QJsonValue(QJsonObject{{QStringLiteral("x"), 1},
                                                          {QStringLiteral("y"), 7},
                                                          {QStringLiteral("w"), 8}});
    QTest::newRow("sdk: increment") << QStringLiteral("sdk") << int(Kind::Increment)
                                    << QJsonValue(10) << QJsonValue(-4) << QJsonValue(6);
    QTest::newRow("sdk: remove a member")
        << QStringLiteral("sdk") << int(Kind::RemoveMember)
        << QJsonValue(QJsonArray{QStringLiteral("a"), QStringLiteral("b")})
        << QJsonValue(QStringLiteral("a")) << QJsonValue(QJsonArray{QStringLiteral("b")});
}

void TestEditController::undoAndRedo()
{
    QFETCH(QString, transport);
    QFETCH(int, kind);
    QFETCH(QJsonValue, before);
    QFETCH(QJsonValue, value);
    QFETCH(QJsonValue, after);

    auto client = makeClient(transport);
    EditController controller(client.get(), kStore);
    const Path where = fresh(QStringLiteral("u"));
    qint64 revision = 0;
    if (!before.isUndefined()) {
        if (Kind(kind) == Kind::RemoveMember) {
            // A real set (type "set"): built with add, as the store keeps them.
            auto *sdk = qobject_cast<SdkTransport *>(client.get());
            QVERIFY(sdk);
            QVERIFY(await(sdk->addMember(kStore, where, QStringLiteral("b"))));
            const auto added = await(sdk->addMember(kStore, where, QStringLiteral("a")));
            QVERIFY(added);
            revision = added->storeSeq;
        } else if (Kind(kind) == Kind::Increment) {
            auto *sdk = qobject_cast<SdkTransport *>(client.get());
            const auto counted = await(sdk->increment(kStore, where, before.toDouble()));
            QVERIFY(counted);
            revision = counted->storeSeq;
        } else {
            revision = otherWrites(*client, where, before);
        }
        QVERIFY(revision > 0);
    }
    const QJsonValue shownBefore = serverValue(where);
    QCOMPARE(shownBefore, before);

    EditRequest request;
    request.kind = Kind(kind);
    request.path = where;
    request.value = value;
    request.baseValue = before;
    request.baseType = serverEntry(where).type;
    request.baseRevision = revision;
    if (request.kind == Kind::Set || request.kind == Kind::Delete) {
        if (revision > 0 && !before.isObject())
            request.ifMatch = revision;
        else
            request.ifAbsent = request.kind == Kind::Set && revision == 0;
    }
    QSignalSpy saved(&controller, &EditController::saved);
    QSignalSpy undone(&controller, &EditController::undone);
    QSignalSpy redone(&controller, &EditController::redone);
    QSignalSpy stepFailed(&controller, &EditController::historyStepFailed);
    QSignalSpy raised(&controller, &EditController::conflictRaised);
    controller.submit(request);
    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 15000);
    QCOMPARE(serverValue(where), after);
    QCOMPARE(controller.undoStack()->index(), 1);

    QVERIFY(controller.canUndo());
    QVERIFY(!controller.canRedo());
    QVERIFY(controller.undoStack()->undoText().contains(request.summary()));
    controller.undo();
    QTRY_VERIFY_WITH_TIMEOUT(!undone.isEmpty() || !stepFailed.isEmpty() || !raised.isEmpty(),
                             15000);
    QVERIFY2(stepFailed.isEmpty(), qPrintable(stepFailed.value(0).value(0).toString()));
    QCOMPARE(raised.size(), 0);
    QCOMPARE(serverValue(where), before);
    QCOMPARE(controller.undoStack()->index(), 0);
    QVERIFY(controller.canRedo());

    controller.redo();
    QTRY_VERIFY_WITH_TIMEOUT(!redone.isEmpty() || !stepFailed.isEmpty() || !raised.isEmpty(),
                             15000);
    QVERIFY2(stepFailed.isEmpty(), qPrintable(stepFailed.value(0).value(0).toString()));
    QCOMPARE(raised.size(), 0);
    QCOMPARE(serverValue(where), after);
    QCOMPARE(controller.undoStack()->index(), 1);
}

void TestEditController::undoRefusedWhenTheEntryMovedOn_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QJsonValue>("mine");
    QTest::addColumn<QJsonValue>("theirs");
    const QJsonValue mapMine(QJsonObject{{QStringLiteral("k"), 1}, {QStringLiteral("l"), 2}});
    for (const QString &transport : {QStringLiteral("sdk"), QStringLiteral("rest")}) {
        QTest::addRow("%s: leaf", qPrintable(transport))
            << transport << QJsonValue(QStringLiteral("mine"))
            << QJsonValue(QStringLiteral("theirs"));
        QTest::addRow("%s: object", qPrintable(transport))
            << transport << mapMine
            << QJsonValue(QJsonObject{{QStringLiteral("k"), 1}, {QStringLiteral("l"), 99}});
    }
}

void TestEditController::undoRefusedWhenTheEntryMovedOn()
{
    QFETCH(QString, transport);
    QFETCH(QJsonValue, mine);
    QFETCH(QJsonValue, theirs);

    auto client = makeClient(transport);
    EditController controller(client.get(), kStore);
    const Path where = fresh(QStringLiteral("moved"));
    const qint64 loadedAt = otherWrites(*client, where, QStringLiteral("original"));
    QVERIFY(loadedAt > 0);

    EditRequest request;
    request.path = where;
    request.value = mine;
    request.baseValue = QStringLiteral("original");
    request.baseType = QStringLiteral("string");
    request.baseRevision = loadedAt;
    request.ifMatch = loadedAt;
    QSignalSpy saved(&controller, &EditController::saved);
    controller.submit(request);
    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 15000);

    // Someone else changes it after our save: our undo must not put "original" back.
    const qint64 theirsAt = otherWrites(*client, where, theirs);
    QVERIFY(theirsAt > 0);

    QSignalSpy raised(&controller, &EditController::conflictRaised);
    QSignalSpy undone(&controller, &EditController::undone);
    QSignalSpy stepFailed(&controller, &EditController::historyStepFailed);
    controller.undo();
    QTRY_COMPARE_WITH_TIMEOUT(raised.size(), 1, 15000);
    auto *dialog = raised.first().at(0).value<ConflictDialog *>();
    QVERIFY(dialog->windowTitle().contains(QLatin1String("Undo")));
    QCOMPARE(controller.undoStack()->index(), 1);
    QCOMPARE(serverEntry(where).revision, theirsAt);
    QCOMPARE(serverValue(where), theirs);

    QTest::mouseClick(dialog->button(ConflictDialog::Choice::KeepMine), Qt::LeftButton);
    QTRY_COMPARE(stepFailed.size(), 1);
    QVERIFY(stepFailed.first().at(0).toString().contains(where.rendered()));
    QCOMPARE(undone.size(), 0);
    QCOMPARE(controller.undoStack()->index(), 1);
    QCOMPARE(serverValue(where), theirs);
    QCOMPARE(serverEntry(where).revision, theirsAt);
}

// An undo puts back what a plain set cannot (a counter's total, a set's members, a file's
// metadata) with its type, through the store's import; still only while the entry is as the
// edit left it.
void TestEditController::undoKeepsTheType_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QString>("seed"); // counter, set or file
    QTest::addColumn<int>("kind");     // the edit made over it
    QTest::addColumn<bool>("movedOn"); // another client writes before the undo
    QTest::newRow("sdk: set over a counter") << u"sdk"_s << u"counter"_s << int(Kind::Set) << false;
    QTest::newRow("sdk: delete a set") << u"sdk"_s << u"set"_s << int(Kind::Delete) << false;
    QTest::newRow("sdk: replace a file") << u"sdk"_s << u"file"_s << int(Kind::PutFile) << false;
    QTest::newRow("rest: delete a counter")
        << u"rest"_s << u"counter"_s << int(Kind::Delete) << false;
    QTest::newRow("sdk: set over a counter, then another write")
        << u"sdk"_s << u"counter"_s << int(Kind::Set) << true;
}

void TestEditController::undoKeepsTheType()
{
    QFETCH(QString, transport);
    QFETCH(QString, seed);
    QFETCH(int, kind);
    QFETCH(bool, movedOn);

    auto client = makeClient(transport);
    EditController controller(client.get(), kStore);
    controller.setReadTransport(m_rest.get());
    const Path where = fresh(u"typed"_s);
    // The typed value, written by a live client.
    auto seeder = makeClient(u"sdk"_s);
    auto *sdk = qobject_cast<SdkTransport *>(seeder.get());
    QVERIFY(sdk);
    Result<WriteResult> seeded = Result<WriteResult>::failure(Error(Error::Kind::Protocol));
    if (seed == u"counter"_s)
        seeded = await(sdk->increment(kStore, where, 10));
    else if (seed == u"set"_s)
        seeded = QTest::qWaitFor([&] { return bool(await(sdk->addMember(kStore, where, u"b"_s))); })
                     ? await(sdk->addMember(kStore, where, u"a"_s))
                     : seeded;
    else
        seeded = await(sdk->putFile(kStore, where, "one", u"one.txt"_s, u"text/plain"_s));
    QVERIFY2(seeded, qPrintable(seeded ? QString() : seeded.error().message()));
    QTRY_VERIFY_WITH_TIMEOUT(await(client->get(kStore, where)) &&
                                 await(client->get(kStore, where))->revision >= seeded->storeSeq,
                             10000);
    const Entry before = serverEntry(where);
    QCOMPARE(before.type, seed);

    EditRequest request;
    request.kind = Kind(kind);
    request.path = where;
    request.baseValue = before.value;
    request.baseType = before.type;
    request.baseRevision = before.revision;
    request.ifMatch = before.revision;
    if (request.kind == Kind::Set)
        request.value = 5;
    if (request.kind == Kind::PutFile) {
        request.fileContent = "two";
        request.fileName = u"two.txt"_s;
        request.contentType = u"text/plain"_s;
    }
    QSignalSpy saved(&controller, &EditController::saved);
    QSignalSpy failed(&controller, &EditController::failed);
    controller.submit(request);
    QTRY_VERIFY_WITH_TIMEOUT(!saved.isEmpty() || !failed.isEmpty(), 15000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    const Entry edited = serverEntry(where);
    QVERIFY(edited.value != before.value || edited.type != before.type);

    qint64 theirsAt = 0;
    if (movedOn) {
        theirsAt = otherWrites(*client, where, 99);
        QVERIFY(theirsAt > 0);
    }
    QSignalSpy undone(&controller, &EditController::undone);
    QSignalSpy raised(&controller, &EditController::conflictRaised);
    QSignalSpy stepFailed(&controller, &EditController::historyStepFailed);
    QVERIFY(controller.canUndo());
    controller.undo();
    QTRY_VERIFY_WITH_TIMEOUT(!undone.isEmpty() || !stepFailed.isEmpty() || !raised.isEmpty(),
                             15000);
    if (movedOn) {
        // Refused, never forced: their write stays.
        QCOMPARE(raised.size(), 1);
        QCOMPARE(serverValue(where), QJsonValue(99));
        QCOMPARE(serverEntry(where).revision, theirsAt);
        QCOMPARE(controller.undoStack()->index(), 1);
        return;
    }
    QVERIFY2(stepFailed.isEmpty(), qPrintable(stepFailed.value(0).value(0).toString()));
    QCOMPARE(raised.size(), 0);
    const Entry back = serverEntry(where);
    QCOMPARE(back.type, before.type);
    QCOMPARE(back.value, before.value);
    QCOMPARE(controller.undoStack()->index(), 0);

    // And the redo is the edit again.
    QSignalSpy redone(&controller, &EditController::redone);
    controller.redo();
    QTRY_VERIFY_WITH_TIMEOUT(!redone.isEmpty() || !stepFailed.isEmpty() || !raised.isEmpty(),
                             15000);
    QVERIFY2(stepFailed.isEmpty(), qPrintable(stepFailed.value(0).value(0).toString()));
    const Entry again = serverEntry(where);
    QCOMPARE(again.type, edited.type);
    if (request.kind == Kind::PutFile)
        QCOMPARE(again.value.toObject().value(u"filename"_s), QJsonValue(u"two.txt"_s));
    else
        QCOMPARE(again.value, edited.value);
}

void TestEditController::historyViewStepsThroughTheController()
{
    auto client = makeClient(QStringLiteral("rest"));
    EditController controller(client.get(), kStore);
    const Path where = fresh(QStringLiteral("history"));
    QSignalSpy saved(&controller, &EditController::saved);
    qint64 revision = 0;
    for (int i = 1; i <= 3; ++i) {
        EditRequest request;
        request.path = where;
        request.value = i;
        if (revision > 0) {
            request.baseValue = i - 1;
            request.baseRevision = revision;
            request.ifMatch = revision;
        } else {
            request.ifAbsent = true;
        }
        controller.submit(request);
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), i, 15000);
        revision = saved.last().at(1).toLongLong();
    }
    UndoHistoryView history(&controller);
    history.show();
    QCOMPARE(history.view()->model()->rowCount(), 4);
    QCOMPARE(history.view()->currentIndex().row(), 3);

    // Choosing the first change goes back two steps, each written before the mark moves.
    QSignalSpy undone(&controller, &EditController::undone);
    history.view()->setCurrentIndex(history.view()->model()->index(1, 0));
    QCOMPARE(controller.undoStack()->index(), 3); // not moved before the server answered
    QTRY_COMPARE_WITH_TIMEOUT(undone.size(), 2, 15000);
    QTRY_COMPARE(controller.undoStack()->index(), 1);
    QCOMPARE(serverValue(where), QJsonValue(1));
    QCOMPARE(history.view()->currentIndex().row(), 1);
    QVERIFY(history.statusText().contains(QLatin1String("Undid")));

    // And forward again to the last: each redo conditional on what the step before wrote.
    QSignalSpy redone(&controller, &EditController::redone);
    QSignalSpy stepFailed(&controller, &EditController::historyStepFailed);
    history.view()->setCurrentIndex(history.view()->model()->index(3, 0));
    QTRY_VERIFY_WITH_TIMEOUT(redone.size() == 2 || !stepFailed.isEmpty(), 15000);
    QVERIFY2(stepFailed.isEmpty(), qPrintable(stepFailed.value(0).value(0).toString()));
    QCOMPARE(controller.undoStack()->index(), 3);
    QCOMPARE(serverValue(where), QJsonValue(3));
    QCOMPARE(history.view()->currentIndex().row(), 3);
}

// ---- permissions -------------------------------------------------------------------------

void TestEditController::readOnlyProfile_data()
{
    QTest::addColumn<QString>("transport");
    QTest::newRow("sdk") << QStringLiteral("sdk");
    QTest::newRow("rest") << QStringLiteral("rest");
}

void TestEditController::readOnlyProfile()
{
    QFETCH(QString, transport);
    auto client = makeClient(transport);
    EditController controller(client.get(), kStore);
    QVERIFY(controller.canWrite());
    UndoHistoryView history(&controller);
    QPushButton *undoButton = nullptr;
    for (QPushButton *button : history.findChildren<QPushButton *>()) {
        if (button->accessibleName() == QLatin1String("Undo"))
            undoButton = button;
    }
    QVERIFY(undoButton);

    // One edit made while writable: there is something to undo.
    EditRequest earlier;
    earlier.path = fresh(QStringLiteral("before-ro"));
    earlier.value = 0;
    earlier.ifAbsent = true;
    QSignalSpy saved(&controller, &EditController::saved);
    controller.submit(earlier);
    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 15000);
    QVERIFY(controller.canUndo());
    QVERIFY(undoButton->isEnabled());

    QSignalSpy writable(&controller, &EditController::writableChanged);
    const QString why = QStringLiteral("The profile is read-only.");
    controller.setReadOnly(true, why);
    QCOMPARE(writable.size(), 1);
    QCOMPARE(writable.first().at(0).toBool(), false);
    QVERIFY(!controller.canWrite());
    QCOMPARE(controller.whyReadOnly(), why);
    for (Kind kind : {Kind::Set, Kind::Delete, Kind::Merge, Kind::Increment, Kind::PutFile})
        QCOMPARE(controller.whyUnsupported(kind), why);
    QVERIFY(!controller.canUndo());
    QVERIFY(!undoButton->isEnabled());
    // Undo is refused with the reason too, and the stack stays.
    QSignalSpy stepFailed(&controller, &EditController::historyStepFailed);
    controller.undo();
    QTRY_COMPARE(stepFailed.size(), 1);
    QCOMPARE(stepFailed.first().at(0).toString(), why);
    QCOMPARE(controller.undoStack()->index(), 1);
    QCOMPARE(serverValue(earlier.path), QJsonValue(0));

    const Path where = fresh(QStringLiteral("ro"));
    EditRequest request;
    request.path = where;
    request.value = 1;
    request.ifAbsent = true;
    QSignalSpy failed(&controller, &EditController::failed);
    controller.submit(request);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(1).toString(), why);
    QVERIFY(!controller.isBusy());
    QVERIFY(serverValue(where).isUndefined());
    QCOMPARE(controller.undoStack()->count(), 1);

    controller.setReadOnly(false, {});
    QVERIFY(controller.canUndo());
    QVERIFY(undoButton->isEnabled());
    QVERIFY(controller.canWrite());
    QCOMPARE(writable.last().at(0).toBool(), true);
}

void TestEditController::tokenWithoutWrite_data()
{
    QTest::addColumn<QString>("transport");
    QTest::newRow("sdk: join permissions") << QStringLiteral("sdk");
    QTest::newRow("rest: 403 on the first write") << QStringLiteral("rest");
}

void TestEditController::tokenWithoutWrite()
{
    QFETCH(QString, transport);
    auto client = makeClient(transport, kReader);
    EditController controller(client.get(), kStore);
    QSignalSpy writable(&controller, &EditController::writableChanged);
    QSignalSpy failed(&controller, &EditController::failed);
    const Path where = fresh(QStringLiteral("token"));
    EditRequest request;
    request.path = where;
    request.value = QStringLiteral("nope");
    request.ifAbsent = true;

    if (transport == QLatin1String("sdk")) {
        // The join reply said write: false before the controller was made.
        QVERIFY(!controller.canWrite());
        QVERIFY(controller.whyReadOnly().contains(QLatin1String("entries:write")));
        controller.submit(request);
        QCOMPARE(failed.size(), 1);
    } else {
        // REST tells nothing until a write is refused with 403.
        QVERIFY(controller.canWrite());
        controller.submit(request);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 15000);
        QVERIFY(failed.first().at(1).toString().contains(QLatin1String("entries:write")));
        QCOMPARE(writable.size(), 1);
        QVERIFY(!controller.canWrite());
        controller.submit(request);
        QCOMPARE(failed.size(), 2);
        QCOMPARE(failed.last().at(1).toString(), controller.whyReadOnly());
    }
    QVERIFY(!controller.whyUnsupported(Kind::Set).isEmpty());
    QVERIFY(serverValue(where).isUndefined());
    QCOMPARE(controller.undoStack()->count(), 0);
}

void TestEditController::restOnlyRefusesWebSocketKinds_data()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("merge") << int(Kind::Merge);
    QTest::newRow("increment") << int(Kind::Increment);
    QTest::newRow("add") << int(Kind::AddMember);
    QTest::newRow("remove") << int(Kind::RemoveMember);
    QTest::newRow("renew") << int(Kind::LeaseRenew);
    QTest::newRow("release") << int(Kind::LeaseRelease);
    QTest::newRow("put_file") << int(Kind::PutFile);
}

void TestEditController::restOnlyRefusesWebSocketKinds()
{
    QFETCH(int, kind);
    auto rest = makeClient(QStringLiteral("rest"));
    EditController controller(rest.get(), kStore);
    EditRequest request;
    request.kind = Kind(kind);
    request.path = fresh(QStringLiteral("ws-only"));
    request.value = request.kind == Kind::Merge ? QJsonValue(QJsonObject{{QStringLiteral("a"), 1}})
                                                : QJsonValue(1);
    const QString why = controller.whyUnsupported(request.kind);
    QVERIFY(why.contains(QLatin1String("WebSocket")));
    QVERIFY(why.contains(request.opName()));
    QVERIFY(controller.whyUnsupported(Kind::Set).isEmpty());
    QVERIFY(controller.whyUnsupported(Kind::Delete).isEmpty());
    QSignalSpy failed(&controller, &EditController::failed);
    controller.submit(request);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(1).toString(), why);
    QVERIFY(serverValue(request.path).isUndefined());

    auto live = makeClient(QStringLiteral("sdk"));
    EditController liveController(live.get(), kStore);
    QVERIFY(liveController.whyUnsupported(request.kind).isEmpty());
}

// ---- refusals in words -------------------------------------------------------------------

void TestEditController::refusedWritesComeInWords_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QString>("refusal");
    QTest::addColumn<QString>("words");
    for (const QString &transport : {QStringLiteral("sdk"), QStringLiteral("rest")}) {
        QTest::addRow("%s: rate limit", qPrintable(transport))
            << transport << QStringLiteral("rate") << QStringLiteral("Try again in");
        QTest::addRow("%s: empty object key", qPrintable(transport))
            << transport << QStringLiteral("value") << QStringLiteral("Not saved");
    }
}

void TestEditController::refusedWritesComeInWords()
{
    QFETCH(QString, transport);
    QFETCH(QString, refusal);
    QFETCH(QString, words);

    InProcessDustlite limited;
    limited.config().writesPerMinute = 1;
    QVERIFY2(limited.start(), qPrintable(limited.errorString()));
    auto client = makeClient(transport, kToken, &limited);
    EditController controller(client.get(), kStore);
    QSignalSpy saved(&controller, &EditController::saved);
    QSignalSpy failed(&controller, &EditController::failed);

    EditRequest request;
    request.path = path(QStringLiteral("limited/first"));
    request.value = 1;
    request.ifAbsent = true;
    if (refusal == QLatin1String("rate")) {
        controller.submit(request);
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 15000);
        request.path = path(QStringLiteral("limited/second"));
    } else {
        request.value = QJsonObject{{QString(), 1}};
        request.ifAbsent = false;
    }
    controller.submit(request);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 15000);
    const QString text = failed.first().at(1).toString();
    QVERIFY2(text.contains(words), qPrintable(text));
    QCOMPARE(failed.first().at(0).value<EditRequest>().value, request.value);
    QVERIFY(controller.canWrite()); // a refusal of one write is not a lost permission
    HttpTransport reader(limited.baseUrl(), kToken);
    QVERIFY(!await(reader.get(kStore, request.path)));
}

QTEST_MAIN(TestEditController)
#include "tst_editcontroller.moc"
