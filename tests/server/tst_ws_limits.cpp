// The WebSocket's limits at the byte level: a subscriber that stops reading is closed once
// its send buffer passes ServerConfig::maxWsOutgoingBytes (and nobody else waits for it).

#include "RawWsClient.h"
#include "WsTestHarness.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <array>

using namespace wstest;

namespace {

const QByteArray kQuery = "token=dust_tok_full&device_id=dev_raw&capver=3&vsn=2.0.0";

QByteArray joinFrame(const QString &topic = topicOf())
{
    return PhoenixMessage{QStringLiteral("1"), QStringLiteral("1"), topic,
                          QStringLiteral("phx_join"),
                          QJsonObject{{QStringLiteral("last_store_seq"), 0}}}
        .encode();
}

QByteArray heartbeatFrame()
{
    return PhoenixMessage{std::nullopt, QStringLiteral("7"), QStringLiteral("phoenix"),
                          QStringLiteral("heartbeat"), QJsonObject()}
        .encode();
}

bool hasText(const RawWsClient &client, QByteArrayView needle)
{
    const QList<QByteArray> texts = client.texts();
    return std::any_of(texts.cbegin(), texts.cend(),
                       [&](const QByteArray &t) { return t.contains(needle); });
}

} // namespace

class TestWsLimits : public QObject
{
    Q_OBJECT

private slots:
    void slowSubscribersAreClosedOthersKeepUp();
    void catchUpStaysUnderASmallLimit();
    void maskedRawFramesAreServed();
};

void TestWsLimits::slowSubscribersAreClosedOthersKeepUp()
{
    constexpr qint64 kLimit = 512 * 1024;
    constexpr qsizetype kValueChars = 1024 * 1024;
    constexpr int kSlow = 4;
    constexpr int kWrites = 20;
    ServerConfig config;
    config.maxWsOutgoingBytes = kLimit;
    WsServer server(config);
    QVERIFY(server.start());

    // Subscribers that join and then stop reading: Qt reads at most 16 KB ahead for them
    // and their kernel receive buffers are small, so the server's send buffers fill.
    std::array<RawWsClient, kSlow> slow;
    for (RawWsClient &client : slow) {
        QVERIFY(client.upgrade(server.server.serverPort(), kQuery, 16 * 1024));
        client.sendText(joinFrame());
        QTRY_VERIFY((client.readFrames(), hasText(client, "catch_up_complete")));
    }
    const auto writer = server.joined();
    const auto reader = server.joined();
    QVERIFY(writer && reader);

    QSignalSpy closing(server.endpoint.get(), &SyncEndpoint::connectionClosing);
    QElapsedTimer clock;
    clock.start();
    bool drained = false;
    const qint64 bound = (kSlow + 2) * (kLimit + 2 * kValueChars);
    for (int i = 0; i < kWrites; ++i) {
        const QString opId = QStringLiteral("op_%1").arg(i);
        const QString value(kValueChars, QLatin1Char(char('a' + i % 26)));
        // The writer is never held up: every write is acknowledged.
        QCOMPARE(replyStatus(writer->set(QStringLiteral("big/%1").arg(i), value, opId)),
                 QStringLiteral("ok"));
        // A subscriber that reads gets every event.
        QVERIFY2(reader->eventFor(opId), qPrintable(opId));
        // What waits for the slow ones stays bounded.
        const qint64 queued = server.endpoint->unwrittenBytes();
        QVERIFY2(queued <= bound, qPrintable(QStringLiteral("after write %1: %2 bytes queued, "
                                                            "expected at most %3")
                                                 .arg(i + 1)
                                                 .arg(queued)
                                                 .arg(bound)));
        if (closing.size() < kSlow || drained)
            continue;
        // Every slow subscriber is being closed: once it reads again, it finds what was
        // queued before the limit and then a close frame that says what to do.
        for (const QList<QVariant> &args : std::as_const(closing)) {
            QCOMPARE(args.at(1).toInt(), 1013);
            QCOMPARE(args.at(2).toString(),
                     QStringLiteral("send buffer over %1 bytes: rejoin to catch up").arg(kLimit));
        }
        for (RawWsClient &client : slow)
            client.socket.setReadBufferSize(0);
        for (RawWsClient &client : slow) {
            const auto close = client.waitFor(8);
            QVERIFY2(close, qPrintable(QStringLiteral("no close frame after %1 messages (%2)")
                                           .arg(client.texts().size())
                                           .arg(client.socket.errorString())));
            QCOMPARE(close->closeCode(), 1013);
            QCOMPARE(close->closeReason(), "send buffer over " + QByteArray::number(kLimit) +
                                               " bytes: rejoin to catch up");
            QVERIFY(client.texts().size() < kWrites);
            client.sendClose();
        }
        drained = true;
    }
    qDebug("%d writes of 1 MiB in %lld ms", kWrites, clock.elapsed());
    QVERIFY2(drained, qPrintable(QStringLiteral("%1 of %2 slow subscribers were closed")
                                     .arg(closing.size())
                                     .arg(kSlow)));
    QCOMPARE(reader->events().size(), kWrites);
    QCOMPARE(storeSeqs(reader->events()), seqRange(1, kWrites));
    QTRY_COMPARE(server.endpoint->connectionCount(), 2);

    // The others go on as before.
    QCOMPARE(replyStatus(writer->set(QStringLiteral("after"), 1, QStringLiteral("op_after"))),
             QStringLiteral("ok"));
    QVERIFY(reader->eventFor(QStringLiteral("op_after")));
}

void TestWsLimits::catchUpStaysUnderASmallLimit()
{
    // Catch-up paces itself below the limit: a client that reads is never closed for it,
    // even when the store is many times the limit.
    ServerConfig config;
    config.maxWsOutgoingBytes = 64 * 1024;
    WsServer server(config);
    QVERIFY(server.start());
    constexpr int kLeaves = 3000;
    QCOMPARE(server.bulkSeed(kLeaves, 1000), kLeaves);

    const auto client = server.joined();
    QVERIFY(client);
    QCOMPARE(client->throughSeq(topicOf(), 30000), qint64(kLeaves));
    QCOMPARE(client->events().size(), kLeaves);
    QVERIFY(!client->closed);
}

void TestWsLimits::maskedRawFramesAreServed()
{
    WsServer server;
    QVERIFY(server.start());
    RawWsClient raw;
    QVERIFY(raw.upgrade(server.server.serverPort(), kQuery));
    raw.sendText(heartbeatFrame());
    QTRY_VERIFY((raw.readFrames(), hasText(raw, "phx_reply")));
    QVERIFY(hasText(raw, R"("status":"ok")"));
}

QTEST_GUILESS_MAIN(TestWsLimits)
#include "tst_ws_limits.moc"
