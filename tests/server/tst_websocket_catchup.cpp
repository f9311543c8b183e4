// dustlite's catch-up after a join (dust-protocol.md §5): the ops after the client's seq,
// snapshots where the log was compacted, batches, and a big catch-up that neither blocks
// other sockets nor queues up for a client that stopped reading.

#include "WsTestHarness.h"

#include <QJsonArray>
#include <QSet>
#include <QTcpSocket>
#include <QTest>

using namespace wstest;

namespace {

// The ops in the store of the big catch-ups: thirty full batches.
constexpr int kBigStore = 30000;

// One masked client text frame (RFC 6455 §5.2), for a client that speaks raw TCP.
QByteArray maskedTextFrame(const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x81));
    const qsizetype n = payload.size();
    if (n < 126) {
        frame.append(char(0x80 | n));
    } else if (n < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char((n >> 8) & 0xff));
        frame.append(char(n & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(n) >> shift) & 0xff));
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < n; ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

} // namespace

class TestWebSocketCatchUp : public QObject
{
    Q_OBJECT

private slots:
    void catchUpFromZero();
    void catchUpFromMiddle();
    void catchUpClientAhead();
    void catchUpAcrossSnapshot();
    void catchUpAcrossRetainedSnapshot();
    void catchUpInBatches();
    void compactAfter();
    void catchUpDoesNotBlockOthers();
    void clientVanishesMidCatchUp();
    void slowReaderIsNotBuffered();
};

void TestWebSocketCatchUp::catchUpFromZero()
{
    WsServer server;
    QVERIFY(server.start());
    server.seedItems(5);
    WsClient client;
    QVERIFY(client.open(server.url()));
    qsizetype replyIndex = -1;
    const auto joined = client.reply(client.push(topicOf(), QStringLiteral("phx_join"),
                                                 QJsonObject{{QStringLiteral("last_store_seq"), 0}},
                                                 QStringLiteral("7")),
                                     5000, &replyIndex);
    QCOMPARE(replyStatus(joined), QStringLiteral("ok"));
    const qsizetype done = client.waitCaughtUp(topicOf());
    QVERIFY(done > replyIndex);
    const auto events = client.events();
    QCOMPARE(storeSeqs(events), seqRange(1, 5));
    for (int i = 0; i < 5; ++i) {
        const PhoenixMessage &m = events.at(i);
        QCOMPARE(m.joinRef, QStringLiteral("7"));
        QCOMPARE(m.ref, std::nullopt);
        const QJsonObject e = m.payload.toObject();
        QCOMPARE(e.value(QLatin1String("op")).toString(), QStringLiteral("set"));
        QCOMPARE(e.value(QLatin1String("path")).toString(), QStringLiteral("item/%1").arg(i + 1));
        QCOMPARE(e.value(QLatin1String("path_segments")).toArray(),
                 (QJsonArray{QStringLiteral("item"), QString::number(i + 1)}));
        QCOMPARE(e.value(QLatin1String("value")).toInt(), i + 1);
        QCOMPARE(e.value(QLatin1String("device_id")).toString(), QStringLiteral("dev_seed"));
        QCOMPARE(e.value(QLatin1String("client_op_id")).toString(),
                 QStringLiteral("seed_%1").arg(i + 1));
    }
    const PhoenixMessage &complete = client.received.at(done);
    QCOMPARE(complete.joinRef, QStringLiteral("7"));
    QCOMPARE(complete.payload.toObject(), (QJsonObject{{QStringLiteral("through_seq"), 5}}));
    QVERIFY(client.events(topicOf(), QStringLiteral("snapshot")).isEmpty());
}

void TestWebSocketCatchUp::catchUpFromMiddle()
{
    WsServer server;
    QVERIFY(server.start());
    server.seedItems(10);
    const auto client = server.joined({.lastSeq = 6});
    QVERIFY(client);
    QCOMPARE(client->throughSeq(), 10);
    QCOMPARE(storeSeqs(client->events()), seqRange(7, 10));

    // Up to date: nothing replayed, through_seq is the client's own seq.
    const auto current = server.joined({.lastSeq = 10});
    QVERIFY(current);
    QCOMPARE(current->throughSeq(), 10);
    QVERIFY(current->events().isEmpty());
}

void TestWebSocketCatchUp::catchUpClientAhead()
{
    WsServer server;
    QVERIFY(server.start());
    server.seedItems(2);
    const auto client = server.joined({.lastSeq = 50});
    QVERIFY(client);
    QCOMPARE(response(client->joinReply).value(QLatin1String("store_seq")).toInteger(), 2);
    QCOMPARE(client->throughSeq(), 50);
    QVERIFY(client->events().isEmpty());
}

void TestWebSocketCatchUp::catchUpAcrossSnapshot()
{
    WsServer server;
    QVERIFY(server.start());
    StoreDb *db = server.db();
    db->write(setRequest(QStringLiteral("users/alice/name"), QStringLiteral("Alice"),
                         QStringLiteral("s1")));
    db->write(setRequest(QStringLiteral("stats/views"), 42, QStringLiteral("s2")));
    db->write(setRequest(QStringLiteral("gone"), true, QStringLiteral("s3")));
    WriteRequest remove = setRequest(QStringLiteral("gone"), QJsonValue(), QStringLiteral("s4"));
    remove.op = Op::Delete;
    db->write(remove);
    db->compact();
    QCOMPARE(db->latestSnapshotSeq(), 4);
    db->write(setRequest(QStringLiteral("after/one"), 1, QStringLiteral("s5")));
    db->write(setRequest(QStringLiteral("after/two"), 2, QStringLiteral("s6")));

    const auto client = server.joined({.lastSeq = 1});
    QVERIFY(client);
    QCOMPARE(client->throughSeq(), 6);
    const auto snapshots = client->events(topicOf(), QStringLiteral("snapshot"));
    QCOMPARE(snapshots.size(), 1);
    const QJsonObject snapshot = snapshots.first().payload.toObject();
    QCOMPARE(snapshot.value(QLatin1String("snapshot_seq")).toInteger(), 4);
    const QJsonObject entries = snapshot.value(QLatin1String("entries")).toObject();
    QCOMPARE(entries.size(), 2);
    QCOMPARE(json(entries.value(QLatin1String("users/alice/name"))),
             QByteArray(R"({"type":"string","value":{"_scalar":"Alice"}})"));
    QCOMPARE(json(entries.value(QLatin1String("stats/views"))),
             QByteArray(R"({"type":"integer","value":{"_scalar":42}})"));
    QCOMPARE(snapshots.first().joinRef, client->joinRefs.value(topicOf()));
    // The snapshot comes first, then the ops after it.
    QCOMPARE(storeSeqs(client->events()), (QList<qint64>{5, 6}));
    qsizetype snapshotIndex = -1;
    client->waitFor([](const PhoenixMessage &m) { return m.event == QLatin1String("snapshot"); }, 0,
                    &snapshotIndex);
    qsizetype firstEvent = -1;
    client->waitFor([](const PhoenixMessage &m) { return m.event == QLatin1String("event"); }, 0,
                    &firstEvent);
    QVERIFY(snapshotIndex < firstEvent);

    // A client past the snapshot gets no snapshot.
    const auto recent = server.joined({.lastSeq = 5});
    QVERIFY(recent);
    QVERIFY(recent->waitCaughtUp(topicOf()) >= 0);
    QVERIFY(recent->events(topicOf(), QStringLiteral("snapshot")).isEmpty());
    QCOMPARE(recent->events().size(), 1);
}

// --retain-ops folds only the older ops: the snapshot holds the state at its own seq, not the
// current one, and the retained ops follow it.
void TestWebSocketCatchUp::catchUpAcrossRetainedSnapshot()
{
    WsServer server;
    QVERIFY(server.start());
    StoreDb *db = server.db();
    db->write(setRequest(QStringLiteral("users/alice/name"), QStringLiteral("Alice"),
                         QStringLiteral("s1")));
    db->write(setRequest(QStringLiteral("stats/views"), 42, QStringLiteral("s2")));
    db->write(setRequest(QStringLiteral("gone"), true, QStringLiteral("s3")));
    WriteRequest remove = setRequest(QStringLiteral("gone"), QJsonValue(), QStringLiteral("s4"));
    remove.op = Op::Delete;
    db->write(remove);
    db->write(setRequest(QStringLiteral("stats/views"), 43, QStringLiteral("s5")));
    db->write(setRequest(QStringLiteral("after/one"), 1, QStringLiteral("s6")));
    db->retainOps(2);
    QCOMPARE(db->latestSnapshotSeq(), 4);
    QCOMPARE(db->opCount(), 2);

    const auto client = server.joined({.lastSeq = 1});
    QVERIFY(client);
    QCOMPARE(client->throughSeq(), 6);
    const auto snapshots = client->events(topicOf(), QStringLiteral("snapshot"));
    QCOMPARE(snapshots.size(), 1);
    const QJsonObject snapshot = snapshots.first().payload.toObject();
    QCOMPARE(snapshot.value(QLatin1String("snapshot_seq")).toInteger(), 4);
    const QJsonObject entries = snapshot.value(QLatin1String("entries")).toObject();
    QCOMPARE(entries.size(), 2);
    QCOMPARE(json(entries.value(QLatin1String("users/alice/name"))),
             QByteArray(R"({"type":"string","value":{"_scalar":"Alice"}})"));
    QCOMPARE(json(entries.value(QLatin1String("stats/views"))),
             QByteArray(R"({"type":"integer","value":{"_scalar":42}})"));
    QCOMPARE(storeSeqs(client->events()), (QList<qint64>{5, 6}));
}

void TestWebSocketCatchUp::catchUpInBatches()
{
    WsServer server;
    QVERIFY(server.start());
    QCOMPARE(server.bulkSeed(2500), 2500);
    const auto client = server.joined();
    QVERIFY(client);
    QCOMPARE(client->throughSeq(topicOf(), 60000), 2500);
    QCOMPARE(storeSeqs(client->events()), seqRange(1, 2500));
    // Exactly one catch_up_complete, after the last event.
    QCOMPARE(client->events(topicOf(), QStringLiteral("catch_up_complete")).size(), 1);
    QCOMPARE(client->received.last().event, QStringLiteral("catch_up_complete"));

    // Exactly 1000 behind: one full batch then an empty one.
    const auto thousand = server.joined({.lastSeq = 1500});
    QVERIFY(thousand);
    QCOMPARE(thousand->throughSeq(topicOf(), 60000), 2500);
    QCOMPARE(thousand->events().size(), 1000);
}

void TestWebSocketCatchUp::compactAfter()
{
    ServerConfig config;
    config.compactAfter = 5;
    WsServer server(config);
    QVERIFY(server.start());
    const auto writer = server.joined();
    QVERIFY(writer);
    for (int i = 1; i <= 7; ++i) {
        const auto reply =
            writer->set(QStringLiteral("k/%1").arg(i), i, QStringLiteral("op_%1").arg(i));
        QCOMPARE(response(reply).value(QLatin1String("store_seq")).toInteger(), i);
    }
    QCOMPARE(server.db()->latestSnapshotSeq(), 5);
    QVERIFY(server.db()->opCount() < 5);

    const auto late = server.joined();
    QVERIFY(late);
    QCOMPARE(late->throughSeq(), 7);
    const auto snapshots = late->events(topicOf(), QStringLiteral("snapshot"));
    QCOMPARE(snapshots.size(), 1);
    QCOMPARE(snapshots.first().payload.toObject().value(QLatin1String("entries")).toObject().size(),
             5);
    QCOMPARE(late->events().size(), 2);
}

void TestWebSocketCatchUp::catchUpDoesNotBlockOthers()
{
    WsServer server;
    QVERIFY(server.start());
    QCOMPARE(server.bulkSeed(kBigStore), kBigStore);
    const auto other = server.joined({.lastSeq = kBigStore});
    QVERIFY(other);
    QVERIFY(other->waitCaughtUp(topicOf()) >= 0);

    const auto big = server.joined();
    QVERIFY(big);
    // While the big catch-up runs, the other socket is served promptly: heartbeat and a
    // write whose event reaches the catching-up socket too (interleaved with catch-up).
    QCOMPARE(replyStatus(other->heartbeat()), QStringLiteral("ok"));
    QCOMPARE(replyStatus(other->set(QStringLiteral("live"), 1, QStringLiteral("op_live"))),
             QStringLiteral("ok"));
    QVERIFY2(big->events(topicOf(), QStringLiteral("catch_up_complete")).isEmpty(),
             "the other socket had to wait for the whole catch-up");
    QVERIFY(big->events().size() < kBigStore);

    QCOMPARE(big->throughSeq(topicOf(), 120000), kBigStore + 1);
    // Every op once from catch-up (the live one may come twice: live and replayed).
    const QList<qint64> seqs = storeSeqs(big->events());
    QCOMPARE(QSet<qint64>(seqs.cbegin(), seqs.cend()).size(), kBigStore + 1);
}

void TestWebSocketCatchUp::clientVanishesMidCatchUp()
{
    WsServer server;
    QVERIFY(server.start());
    QCOMPARE(server.bulkSeed(kBigStore), kBigStore);
    const auto other = server.joined({.lastSeq = kBigStore});
    QVERIFY(other);

    {
        const auto doomed = server.joined();
        QVERIFY(doomed);
        QTRY_COMPARE(server.endpoint->connectionCount(), 2);
        QTRY_VERIFY(doomed->events().size() >= 1000);
        QVERIFY(doomed->events(topicOf(), QStringLiteral("catch_up_complete")).isEmpty());
        doomed->socket.abort();
    }
    QTRY_COMPARE(server.endpoint->connectionCount(), 1);

    // The server keeps serving: writes, broadcasts, a new join.
    QCOMPARE(replyStatus(other->set(QStringLiteral("after"), 1, QStringLiteral("op_after"))),
             QStringLiteral("ok"));
    QVERIFY(other->eventFor(QStringLiteral("op_after")));
    const auto next = server.joined({.lastSeq = kBigStore - 10});
    QVERIFY(next);
    QVERIFY(next->waitCaughtUp(topicOf()) >= 0);
    QCOMPARE(next->events().size(), 11);
}

void TestWebSocketCatchUp::slowReaderIsNotBuffered()
{
    WsServer server;
    QVERIFY(server.start());
    // About 20 MB of catch-up frames: more than the kernel's socket buffers hold.
    const int total = 20000;
    QCOMPARE(server.bulkSeed(total, 1000), total);

    // A client that joins and then stops reading (Qt reads at most 16 KB ahead for it).
    QTcpSocket raw;
    raw.setReadBufferSize(16 * 1024);
    raw.connectToHost(QHostAddress::LocalHost, server.server.serverPort());
    QVERIFY(raw.waitForConnected(5000));
    raw.write("GET /ws/sync/websocket?token=dust_tok_full&device_id=slow&capver=3&vsn=2.0.0 "
              "HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray handshake;
    QTRY_VERIFY((handshake += raw.readAll()).contains("\r\n\r\n"));
    QVERIFY2(handshake.startsWith("HTTP/1.1 101"), handshake.constData());
    raw.write(maskedTextFrame(PhoenixMessage{
        QStringLiteral("1"), QStringLiteral("1"), topicOf(), QStringLiteral("phx_join"),
        QJsonObject{{QStringLiteral("last_store_seq"),
                     0}}}.encode()));

    // The catch-up fills the network buffers, then pauses instead of queueing the rest.
    QTRY_VERIFY_WITH_TIMEOUT(server.endpoint->unwrittenBytes() > 256 * 1024, 30000);
    WsClient other;
    QVERIFY(other.open(server.url()));
    for (int i = 0; i < 20; ++i)
        QCOMPARE(replyStatus(other.heartbeat()), QStringLiteral("ok"));
    QVERIFY2(server.endpoint->unwrittenBytes() < 2 * 1024 * 1024,
             qPrintable(QString::number(server.endpoint->unwrittenBytes())));

    raw.abort();
    QTRY_COMPARE(server.endpoint->connectionCount(), 1);
    QCOMPARE(server.endpoint->unwrittenBytes(), 0);
}

QTEST_GUILESS_MAIN(TestWebSocketCatchUp)
#include "tst_websocket_catchup.moc"
