// What SdkTransport tells a window watching a store: catch-up progress (from the join
// reply's store_seq, throttled), when the next reconnect is due, that a store came from its
// on-disk cache and when that was written, and cancelling a catch-up. Against a scripted
// Phoenix server where the timing must be exact, and a real dustlite elsewhere.

#include "SdkTestSupport.h"

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "sync/MirrorCache.h"
#include "transport/StoreChannel.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

using namespace sdktest;
using dust::test::InProcessDustlite;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kTopic = QStringLiteral("store:local/demo");

PhoenixMessage eventFrame(const std::optional<QString> &joinRef, qint64 seq)
{
    const QString key = QStringLiteral("k%1").arg(seq);
    return PhoenixMessage{
        joinRef, std::nullopt, kTopic, QStringLiteral("event"),
        QJsonObject{{QStringLiteral("store_seq"), seq},
                    {QStringLiteral("op"), QStringLiteral("set")},
                    {QStringLiteral("path"), key},
                    {QStringLiteral("path_segments"), QJsonArray{key}},
                    {QStringLiteral("value"), seq},
                    {QStringLiteral("device_id"), QStringLiteral("dev_other")},
                    {QStringLiteral("client_op_id"), QStringLiteral("op_%1").arg(seq)}}};
}

void replyJoin(QWebSocket *socket, const PhoenixMessage &join, qint64 storeSeq)
{
    FakePhoenixServer::replyOk(
        socket, join,
        QJsonObject{{QStringLiteral("store_seq"), storeSeq},
                    {QStringLiteral("capver"), 3},
                    {QStringLiteral("capver_min"), 3},
                    {QStringLiteral("permissions"), QJsonObject{{QStringLiteral("read"), true},
                                                                {QStringLiteral("write"), true}}}});
}

void completeCatchUp(QWebSocket *socket, const PhoenixMessage &join, qint64 throughSeq)
{
    FakePhoenixServer::send(
        socket,
        PhoenixMessage{join.joinRef, std::nullopt, join.topic, QStringLiteral("catch_up_complete"),
                       QJsonObject{{QStringLiteral("through_seq"), throughSeq}}});
}

qint64 joinedFrom(const PhoenixMessage &join)
{
    return join.payload.toObject().value(QLatin1String("last_store_seq")).toInteger();
}

struct Progress
{
    qint64 received;
    qint64 expected;
};

QList<Progress> progressOf(const QSignalSpy &spy, const QString &store)
{
    QList<Progress> out;
    for (const QList<QVariant> &args : spy) {
        if (args.at(0).toString() == store)
            out.append({args.at(1).toLongLong(), args.at(2).toLongLong()});
    }
    return out;
}

QList<std::pair<Path, QJsonValue>> numbered(const QString &prefix, int count)
{
    QList<std::pair<Path, QJsonValue>> leaves;
    for (int i = 0; i < count; ++i)
        leaves.append({path(QStringLiteral("%1/%2").arg(prefix).arg(i)), QJsonValue(i)});
    return leaves;
}

} // namespace

class TstSdkWatch : public QObject
{
    Q_OBJECT

private slots:
    void catchUpProgressIsThrottled();
    void catchUpFromTheCacheCountsTheDelta();
    void reconnectIsAnnouncedWithItsDelay();
    void cancelledCatchUpKeepsTheMirrorUntilOpened();
    void cancelLeavesALiveStoreAlone();
    void cachedCopyIsReadableOffline();
};

void TstSdkWatch::catchUpProgressIsThrottled()
{
    constexpr qint64 kOps = 3000;
    FakePhoenixServer server;
    QVERIFY(server.listen());
    server.onFrame = [](QWebSocket *socket, const PhoenixMessage &m) {
        if (m.topic == QLatin1String("phoenix")) {
            FakePhoenixServer::replyOk(socket, m, {});
        } else if (m.event == QLatin1String("phx_join")) {
            replyJoin(socket, m, kOps);
            for (qint64 seq = 1; seq <= kOps; ++seq)
                FakePhoenixServer::send(socket, eventFrame(m.joinRef, seq));
            completeCatchUp(socket, m, kOps);
        }
    };
    SdkTransport t(options(server.url()));
    QSignalSpy progress(&t, &SdkTransport::catchUpProgress);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(waitLive(t, kStore));
    const qint64 elapsed = clock.elapsed();

    const QList<Progress> seen = progressOf(progress, kStore);
    QVERIFY(seen.size() >= 2);
    QCOMPARE(seen.first().received, 0);
    QCOMPARE(seen.first().expected, kOps);
    QCOMPARE(seen.last().received, kOps);
    QCOMPARE(seen.last().expected, kOps);
    for (qsizetype i = 1; i < seen.size(); ++i) {
        QVERIFY(seen.at(i).received >= seen.at(i - 1).received);
        QCOMPARE(seen.at(i).expected, kOps);
    }
    // Throttled: the first and the last, and at most one per interval in between — never
    // one per event.
    QVERIFY2(seen.size() <= 2 + elapsed / StoreChannel::kProgressIntervalMs + 1,
             qPrintable(QStringLiteral("%1 reports in %2 ms").arg(seen.size()).arg(elapsed)));
}

void TstSdkWatch::catchUpFromTheCacheCountsTheDelta()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    lite::StoreDb *db = dustlite.store();
    QVERIFY(db->bulkSet(numbered(QStringLiteral("a"), 40), QStringLiteral("dev")) > 0);
    const qint64 cachedSeq = db->currentSeq();
    QTemporaryDir dir;
    SdkOptions o = options(dustlite.wsUrl());
    o.cacheDirectory = dir.path();
    {
        SdkTransport first(o);
        QSignalSpy loaded(&first, &SdkTransport::storeLoadedFromCache);
        QVERIFY(waitLive(first, kStore));
        QVERIFY(loaded.isEmpty()); // nothing cached yet
    }
    const QStringList files =
        QDir(dir.path()).entryList({QStringLiteral("mirror-*.sqlite")}, QDir::Files);
    QCOMPARE(files.size(), 1);
    const QDateTime written = QFileInfo(dir.filePath(files.first())).lastModified();

    QVERIFY(db->bulkSet(numbered(QStringLiteral("b"), 25), QStringLiteral("dev")) > 0);
    SdkTransport second(o);
    QSignalSpy loaded(&second, &SdkTransport::storeLoadedFromCache);
    QSignalSpy progress(&second, &SdkTransport::catchUpProgress);
    QVERIFY(waitLive(second, kStore));
    QCOMPARE(loaded.size(), 1);
    QCOMPARE(loaded.first().at(0).toString(), kStore);
    QCOMPARE(loaded.first().at(1).toLongLong(), cachedSeq);
    QCOMPARE(loaded.first().at(2).toDateTime(), written);

    const QList<Progress> seen = progressOf(progress, kStore);
    QVERIFY(!seen.isEmpty());
    QCOMPARE(seen.first().received, 0);
    QCOMPARE(seen.first().expected, 25); // the join reply's store_seq minus the cached seq
    QCOMPARE(seen.last().received, 25);
}

void TstSdkWatch::reconnectIsAnnouncedWithItsDelay()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkOptions o = options(dustlite.wsUrl());
    o.reconnectDelay = 200ms;
    o.maxReconnectDelay = 800ms;
    SdkTransport t(o);
    QVERIFY(waitLive(t, kStore));
    QSignalSpy scheduled(&t, &SdkTransport::reconnectScheduled);
    QSignalSpy states(&t, &SdkTransport::connectionStateChanged);
    dustlite.stop();
    QVERIFY(scheduled.wait(20000));
    // The first wait is drawn from [delay/2, delay]; the next ones grow up to the cap.
    const qint64 first = scheduled.first().at(0).toLongLong();
    QVERIFY2(first >= 100 && first <= 200, qPrintable(QString::number(first)));
    QTRY_VERIFY_WITH_TIMEOUT(scheduled.size() >= 3, 20000);
    for (const QList<QVariant> &args : std::as_const(scheduled))
        QVERIFY(args.at(0).toLongLong() <= 800);
    QVERIFY(scheduled.at(2).at(0).toLongLong() >= 400); // the third ceiling is 800
    QVERIFY(!states.isEmpty());
    QCOMPARE(states.first().at(0).value<SdkConnectionState>(), SdkConnectionState::Disconnected);
}

void TstSdkWatch::cancelledCatchUpKeepsTheMirrorUntilOpened()
{
    FakePhoenixServer server;
    QVERIFY(server.listen());
    int demoJoins = 0;
    QList<PhoenixMessage> leaves;
    QList<int> joinConnections; // the connection number of each join of local/demo
    QStringList otherJoins;
    server.onFrame = [&](QWebSocket *socket, const PhoenixMessage &m) {
        if (m.topic == QLatin1String("phoenix")) {
            FakePhoenixServer::replyOk(socket, m, {});
            return;
        }
        if (m.event == QLatin1String("phx_leave")) {
            leaves.append(m);
            FakePhoenixServer::replyOk(socket, m, {});
            return;
        }
        if (m.event != QLatin1String("phx_join"))
            return;
        if (m.topic != kTopic) {
            otherJoins.append(m.topic);
            replyJoin(socket, m, 0);
            completeCatchUp(socket, m, 0);
            return;
        }
        joinConnections.append(server.connections);
        ++demoJoins;
        if (demoJoins == 1) {
            // First join: 5 ops, live.
            replyJoin(socket, m, 5);
            for (qint64 seq = 1; seq <= 5; ++seq)
                FakePhoenixServer::send(socket, eventFrame(m.joinRef, seq));
            completeCatchUp(socket, m, 5);
        } else if (demoJoins == 2) {
            // The rejoin: 100 ops to catch up, 10 of them sent, the rest never comes.
            replyJoin(socket, m, 105);
            for (qint64 seq = joinedFrom(m) + 1; seq <= joinedFrom(m) + 10; ++seq)
                FakePhoenixServer::send(socket, eventFrame(m.joinRef, seq));
        } else {
            // Opened again: nothing new.
            replyJoin(socket, m, joinedFrom(m));
            completeCatchUp(socket, m, joinedFrom(m));
        }
    };

    SdkTransport t(options(server.url()));
    QVERIFY(waitLive(t, kStore));
    QSignalSpy changed(&t, &SdkTransport::storeChanged);
    QSignalSpy progress(&t, &SdkTransport::catchUpProgress);
    QSignalSpy cancelled(&t, &SdkTransport::catchUpCancelled);
    QSignalSpy live(&t, &SdkTransport::storeLive);
    t.dropConnection();
    // The ten ops of the catch-up arrive (a short catch-up into a filled mirror: batches).
    QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty() &&
                                 changed.last().at(1).value<MirrorChangeBatch>().lastSeq() == 15,
                             20000);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.first().at(2).toLongLong(), 100);
    QVERIFY(!t.isLive(kStore));

    t.cancelCatchUp(kStore);
    QVERIFY(cancelled.wait(20000));
    QCOMPARE(cancelled.first().at(0).toString(), kStore);
    QCOMPARE(cancelled.first().at(1).toLongLong(), 15);
    QTRY_COMPARE(leaves.size(), 1);
    QCOMPARE(leaves.first().topic, kTopic);
    QVERIFY(!t.isLive(kStore));
    // Reads are answered from the mirror as it stands.
    const auto seq = await(t.withMirror(kStore,
                                        [](const Mirror &mirror) {
                                            return std::pair(mirror.lastSeq(), mirror.leafCount());
                                        }),
                           5000);
    SDK_EXPECT_OK(seq);
    QCOMPARE(seq->first, 15);
    QCOMPARE(seq->second, qsizetype(15));

    // A reconnect does not join it again (another store's join, sent after, shows the
    // connection's joins are through).
    const int connectionsBefore = server.connections;
    t.dropConnection();
    QTRY_VERIFY_WITH_TIMEOUT(server.connections > connectionsBefore, 20000);
    t.open(QStringLiteral("local/other"));
    QTRY_COMPARE_WITH_TIMEOUT(otherJoins.size(), 1, 20000);
    QCOMPARE(demoJoins, 2);
    const auto liveSeqs = [&live] {
        QList<qint64> seqs;
        for (const QList<QVariant> &args : std::as_const(live)) {
            if (args.at(0).toString() == kStore)
                seqs.append(args.at(1).toLongLong());
        }
        return seqs;
    };
    QVERIFY(liveSeqs().isEmpty());

    // open() resumes from where the mirror stands.
    t.open(kStore);
    QTRY_VERIFY_WITH_TIMEOUT(!liveSeqs().isEmpty(), 20000);
    QCOMPARE(demoJoins, 3);
    QCOMPARE(liveSeqs(), QList<qint64>{15});
    QVERIFY(t.isLive(kStore));
}

void TstSdkWatch::cancelLeavesALiveStoreAlone()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet(numbered(QStringLiteral("a"), 3), QStringLiteral("dev")) > 0);
    SdkTransport t(options(dustlite.wsUrl()));
    QVERIFY(waitLive(t, kStore));
    QSignalSpy cancelled(&t, &SdkTransport::catchUpCancelled);
    t.cancelCatchUp(kStore);
    // A round trip through the sync thread, after the cancel.
    const auto leaves = await(t.withMirror(kStore, [](const Mirror &m) { return m.leafCount(); }));
    SDK_EXPECT_OK(leaves);
    QCOMPARE(*leaves, qsizetype(3));
    QVERIFY(cancelled.isEmpty());
    QVERIFY(t.isLive(kStore));
    // Writes still go through.
    SDK_EXPECT_OK(await(t.put(kStore, path(QStringLiteral("x")), 1)));
}

void TstSdkWatch::cachedCopyIsReadableOffline()
{
    QTemporaryDir dir;
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet(numbered(QStringLiteral("a"), 12), QStringLiteral("dev")) >
            0);
    SdkOptions o = options(dustlite.wsUrl());
    o.cacheDirectory = dir.path();
    {
        SdkTransport first(o);
        QVERIFY(waitLive(first, kStore));
    }
    dustlite.stop();

    // The server is gone: the cached copy is there to read at once, without a catch-up.
    SdkTransport t(o);
    QSignalSpy loaded(&t, &SdkTransport::storeLoadedFromCache);
    const auto current =
        await(t.withCurrentMirror(kStore,
                                  [](const Mirror &mirror) {
                                      return std::pair(mirror.lastSeq(), mirror.leafCount());
                                  }),
              5000);
    SDK_EXPECT_OK(current);
    QCOMPARE(current->first, 12);
    QCOMPARE(current->second, qsizetype(12));
    QVERIFY(!t.isLive(kStore));
    QTRY_COMPARE(loaded.size(), 1);

    SDK_EXPECT_ERROR(
        await(t.withCurrentMirror(QStringLiteral("no-slash"), [](const Mirror &) { return true; })),
        Error::Kind::InvalidParams);
}

QTEST_MAIN(TstSdkWatch)
#include "tst_sdkwatch.moc"
