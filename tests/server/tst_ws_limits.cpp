// The WebSocket's limits at the byte level: a subscriber that stops reading is closed once
// its send buffer passes ServerConfig::maxWsOutgoingBytes (and nobody else waits for it), and
// a client frame that is not masked is a protocol error (RFC 6455 §5.1).

#include "InProcessDustlite.h"
#include "RawWsClient.h"
#include "WsMaskGuard.h"
#include "WsTestHarness.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <array>

using namespace wstest;
using dust::test::InProcessDustlite;

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
    void maskedRawFramesAreServed_data();
    void maskedRawFramesAreServed();
    void unmaskedClientFrameCloses1002_data();
    void unmaskedClientFrameCloses1002();
    void unmaskedFrameOverDustlite();
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

namespace {

// The WebSocket server behind a plain QTcpServer whose sockets are watched by WsMaskGuard
// before the upgrade, as dustlite's HTTP server does it.
struct GuardedFront
{
    explicit GuardedFront(WsServer &ws)
    {
        QObject::connect(&tcp, &QTcpServer::newConnection, &tcp, [this, &ws] {
            while (QTcpSocket *socket = tcp.nextPendingConnection()) {
                WsMaskGuard::watch(socket);
                ws.server.handleConnection(socket);
            }
        });
    }
    bool listen() { return tcp.listen(QHostAddress::LocalHost, 0); }
    QTcpServer tcp;
};

// A heartbeat whose frame is `padding` bytes longer: 7-bit, 16-bit and 64-bit lengths.
QByteArray paddedHeartbeat(int padding)
{
    return PhoenixMessage{std::nullopt, QStringLiteral("8"), QStringLiteral("phoenix"),
                          QStringLiteral("heartbeat"),
                          QJsonObject{{QStringLiteral("pad"), QString(padding, QLatin1Char('p'))}}}
        .encode();
}

} // namespace

void TestWsLimits::maskedRawFramesAreServed_data()
{
    QTest::addColumn<int>("padding");
    QTest::addColumn<int>("pieces");
    QTest::newRow("small frame") << 0 << 1;
    QTest::newRow("16-bit length") << 1000 << 1;
    QTest::newRow("64-bit length") << 300 * 1024 << 1;
    QTest::newRow("small frame in 3 pieces") << 0 << 3;
    QTest::newRow("64-bit length in 7 pieces") << 100 * 1024 << 7;
}

void TestWsLimits::maskedRawFramesAreServed()
{
    QFETCH(int, padding);
    QFETCH(int, pieces);
    WsServer server;
    QVERIFY(server.start());
    GuardedFront front(server);
    QVERIFY(front.listen());
    RawWsClient raw;
    QVERIFY(raw.upgrade(front.tcp.serverPort(), kQuery));
    for (int round = 0; round < 2; ++round) {
        const QByteArray frame = RawWsClient::frame(1, paddedHeartbeat(padding));
        const qsizetype step = frame.size() / pieces + 1;
        for (qsizetype at = 0; at < frame.size(); at += step) {
            raw.socket.write(frame.mid(at, step));
            raw.socket.flush();
            QTest::qWait(1); // let the server see each piece on its own
        }
        QTRY_COMPARE((raw.readFrames(), raw.texts().size()), round + 1);
        QVERIFY(raw.texts().at(round).contains(R"("status":"ok")"));
    }
    QCOMPARE(server.endpoint->connectionCount(), 1);
}

void TestWsLimits::unmaskedClientFrameCloses1002_data()
{
    QTest::addColumn<QList<QByteArray>>("masked"); // sent first, each answered
    QTest::addColumn<int>("opcode");
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("text") << QList<QByteArray>() << 1 << heartbeatFrame();
    QTest::newRow("ping") << QList<QByteArray>() << 9 << QByteArray("are you there");
    QTest::newRow("after masked frames")
        << QList<QByteArray>{paddedHeartbeat(0), paddedHeartbeat(1000), paddedHeartbeat(300 * 1024)}
        << 1 << heartbeatFrame();
    QTest::newRow("big unmasked frame")
        << QList<QByteArray>{paddedHeartbeat(0)} << 1 << paddedHeartbeat(200 * 1024);
}

void TestWsLimits::unmaskedClientFrameCloses1002()
{
    QFETCH(QList<QByteArray>, masked);
    QFETCH(int, opcode);
    QFETCH(QByteArray, payload);
    WsServer server;
    QVERIFY(server.start());
    GuardedFront front(server);
    QVERIFY(front.listen());
    RawWsClient raw;
    QVERIFY(raw.upgrade(front.tcp.serverPort(), kQuery));
    for (const QByteArray &frame : masked)
        raw.sendText(frame);
    QTRY_COMPARE((raw.readFrames(), raw.texts().size()), masked.size());
    raw.socket.write(RawWsClient::frame(opcode, payload, /*masked*/ false));

    const auto close = raw.waitFor(8, 5000);
    QVERIFY2(close,
             qPrintable(QStringLiteral("no close frame; got %1 frames, the last: %2")
                            .arg(raw.frames.size())
                            .arg(raw.frames.isEmpty()
                                     ? QString()
                                     : QString::fromUtf8(raw.frames.last().payload.left(80)))));
    QCOMPARE(close->closeCode(), 1002);
    QCOMPARE(close->closeReason(), QByteArray(WsMaskGuard::kReason));
    // The unmasked frame was never handled.
    QCOMPARE(raw.texts().size(), masked.size());
    QVERIFY(raw.frames.size() == masked.size() + 1);
    QTRY_COMPARE(server.endpoint->connectionCount(), 0);
}

void TestWsLimits::unmaskedFrameOverDustlite()
{
    // The same through the whole dustlite: its HTTP server hands each upgraded socket to
    // WsMaskGuard::watch().
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    RawWsClient raw;
    QVERIFY(
        raw.upgrade(dustlite.port(), "token=dust_tok_dev&device_id=dev_raw&capver=3&vsn=2.0.0"));
    raw.socket.write(RawWsClient::frame(1, heartbeatFrame(), /*masked*/ false));
    const auto close = raw.waitFor(8, 5000);
    QVERIFY2(close, "the unmasked heartbeat was answered");
    QCOMPARE(close->closeCode(), 1002);
}

QTEST_GUILESS_MAIN(TestWsLimits)
#include "tst_ws_limits.moc"
