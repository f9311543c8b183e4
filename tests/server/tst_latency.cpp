// One request must not stall everyone: while a slow REST request runs (a glob scan that
// matches nothing over the whole store, a diff from seq 0, an export, a 7 MB object PUT),
// /healthz on another connection is still answered. The server runs on its own thread
// (EmbeddedDustlite) with its stores on disk, so the test's clients are never blocked by it.
//
// The checks are about order, not time: each /healthz reply must arrive while the slow
// request's reply has not started. A server that handles the slow request on its event loop
// writes the slow reply before it even reads the next /healthz, so every /healthz answered
// after the slow request started arrives behind the first bytes of the slow reply. Timing figures
// are in bench/bench_dustlite.

#include "EmbeddedDustlite.h"
#include "InProcessDustlite.h"
#include "RawWsClient.h"
#include "ServerConfig.h"
#include "StoreRegistry.h"
#include "StoreSql.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <algorithm>
#include <memory>

using namespace dust::lite;

namespace {

using dust::test::InProcessDustlite;
constexpr QLatin1String kToken("dust_tok_dev");

// Leaves seeded into local/demo; DUST_LATENCY_LEAVES overrides it.
qint64 seededLeaves()
{
    bool ok = false;
    const qint64 n = qEnvironmentVariableIntValue("DUST_LATENCY_LEAVES", &ok);
    return ok && n > 0 ? n : 200000;
}

// One raw HTTP/1.1 connection: requests go out as bytes, replies are parsed as they come in
// (Content-Length or chunked bodies), so pipelined replies are told apart in order.
class RawHttp
{
public:
    struct Reply
    {
        int status = 0;
        QByteArray head;
        QByteArray body;
    };

    explicit RawHttp(quint16 port)
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] { parse(); });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }

    bool connected() { return m_socket.waitForConnected(5000); }
    QTcpSocket &socket() { return m_socket; }

    void send(const QByteArray &method, const QByteArray &target, const QByteArray &body = {})
    {
        QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        request += "Authorization: Bearer " + QByteArray(kToken.data()) + "\r\n";
        if (!body.isNull()) {
            request += "Content-Type: application/json\r\nContent-Length: " +
                       QByteArray::number(body.size()) + "\r\n";
        }
        request += "\r\n";
        m_socket.write(request + body);
    }

    // Writes until the kernel took every byte of what was sent.
    bool flush()
    {
        while (m_socket.bytesToWrite() > 0) {
            if (!m_socket.waitForBytesWritten(10000))
                return false;
        }
        return true;
    }

    // Replies received so far, oldest first.
    const QList<Reply> &replies() const { return m_replies; }
    // Bytes received so far (a big reply is "there" from its first byte on).
    qint64 received() const { return m_received; }

    // Reads whatever the kernel already holds for this socket, without waiting.
    void poll()
    {
        if (m_socket.waitForReadyRead(0))
            parse();
    }

    bool waitForReplies(int count, int timeoutMs = 60000)
    {
        QSignalSpy spy(&m_socket, &QTcpSocket::readyRead);
        QElapsedTimer timer;
        timer.start();
        while (m_replies.size() < count && timer.elapsed() < timeoutMs)
            spy.wait(int(std::max<qint64>(1, timeoutMs - timer.elapsed())));
        return m_replies.size() >= count;
    }

private:
    void parse()
    {
        const QByteArray bytes = m_socket.readAll();
        m_received += bytes.size();
        m_buffer += bytes;
        for (;;) {
            const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            Reply reply;
            reply.head = m_buffer.first(headEnd);
            reply.status = reply.head.mid(9, 3).toInt();
            const QByteArray lower = reply.head.toLower();
            qsizetype consumed = 0;
            if (lower.contains("transfer-encoding: chunked")) {
                qsizetype pos = headEnd + 4;
                for (;;) {
                    const qsizetype lineEnd = m_buffer.indexOf("\r\n", pos);
                    if (lineEnd < 0)
                        return;
                    bool ok = false;
                    const qsizetype size = m_buffer.mid(pos, lineEnd - pos).toLongLong(&ok, 16);
                    if (!ok)
                        return;
                    if (m_buffer.size() < lineEnd + 2 + size + 2)
                        return;
                    reply.body += m_buffer.mid(lineEnd + 2, size);
                    pos = lineEnd + 2 + size + 2;
                    if (size == 0)
                        break;
                }
                consumed = pos;
            } else {
                const qsizetype at = lower.indexOf("content-length:");
                const qsizetype length =
                    at < 0 ? 0
                           : lower.mid(at + 15, lower.indexOf("\r\n", at) - at - 15)
                                 .trimmed()
                                 .toLongLong();
                if (m_buffer.size() < headEnd + 4 + length)
                    return;
                reply.body = m_buffer.mid(headEnd + 4, length);
                consumed = headEnd + 4 + length;
            }
            m_buffer.remove(0, consumed);
            m_replies.append(std::move(reply));
        }
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QList<Reply> m_replies;
    qint64 m_received = 0;
};

// A 7 MB JSON object: 70,000 members of about 100 bytes each.
QByteArray bigObject()
{
    QByteArray body = "{";
    for (int i = 0; i < 70000; ++i) {
        if (i)
            body += ',';
        body += "\"k" + QByteArray::number(i) + "\":\"" + QByteArray(90, char('a' + i % 26)) + '"';
    }
    body += '}';
    return body;
}

} // namespace

class TestLatency : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void healthzAnsweredWhileSlowRequestRuns_data();
    void healthzAnsweredWhileSlowRequestRuns();
    void healthzAnsweredWhileWsWriteRuns_data();
    void healthzAnsweredWhileWsWriteRuns();
    void wsRepliesKeepRequestOrder();
    void wsWaitingRequestsBounded();
    void wsWriteOfClosedSocketStillCommits();
    void pipelinedRepliesKeepRequestOrder();
    void keepAliveWaitsForPipelinedAnswers();
    void readsSeeAcknowledgedWrites_data();
    void readsSeeAcknowledgedWrites();
    void broadcastsStayInSeqOrder();
    void commitsAnnouncedInSeqOrder();
    void registryWriteAnswersLater();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<EmbeddedDustlite> m_server;
    quint16 m_port = 0;
};

void TestLatency::initTestCase()
{
    QVERIFY(m_dir.isValid());
    ServerConfig config = InProcessDustlite::testConfig(); // its token is kToken
    config.inMemory = false;
    config.dataDir = m_dir.path();
    config.stores = {QStringLiteral("local/demo")};
    config.seed = QString::number(seededLeaves());
    m_server = std::make_unique<EmbeddedDustlite>();
    const auto started = m_server->startAndWait(config, std::chrono::minutes(5));
    QVERIFY2(started, started ? "" : qPrintable(started.error()));
    m_port = *started;
    qInfo("dustlite on port %d, %lld leaves", m_port, seededLeaves());
}

void TestLatency::cleanupTestCase()
{
    m_server.reset();
}

void TestLatency::healthzAnsweredWhileSlowRequestRuns_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");

    const QByteArray store = "/api/stores/local/demo";
    QTest::newRow("glob scan matching nothing")
        << QByteArray("GET") << store + "/entries?pattern=tenants/*/nothing/*&limit=10"
        << QByteArray();
    QTest::newRow("diff from seq 0")
        << QByteArray("GET") << store + "/diff?from_seq=0" << QByteArray();
    QTest::newRow("export") << QByteArray("GET") << store + "/export?format=jsonl" << QByteArray();
    QTest::newRow("7 MB object PUT")
        << QByteArray("PUT") << store + "/entries/big/object" << bigObject();
}

void TestLatency::healthzAnsweredWhileSlowRequestRuns()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);

    RawHttp health(m_port);
    QVERIFY(health.connected());
    RawHttp slow(m_port);
    QVERIFY(slow.connected());

    slow.send(method, target, body);
    QVERIFY(slow.flush());

    // /healthz one after another on a keep-alive connection until the slow reply starts.
    int answeredWhilePending = 0;
    int sent = 0;
    constexpr int kEnough = 20;
    while (slow.received() == 0 && answeredWhilePending < kEnough) {
        health.send("GET", "/healthz");
        ++sent;
        QVERIFY2(health.waitForReplies(sent), "no /healthz reply");
        QCOMPARE(health.replies().constLast().status, 200);
        slow.poll();
        if (slow.received() == 0)
            ++answeredWhilePending;
    }
    QVERIFY(slow.waitForReplies(1));
    QCOMPARE(slow.replies().first().status, 200);
    qInfo("%d /healthz answered while the slow request was pending (%d wanted)",
          answeredWhilePending, kEnough);
    // An upload's last pieces may still be read between two /healthz even by a server that
    // then blocks; a few answers prove nothing, many do.
    QVERIFY2(answeredWhilePending >= 5,
             qPrintable(QStringLiteral("only %1 /healthz answered while %2 %3 ran")
                            .arg(answeredWhilePending)
                            .arg(QString::fromLatin1(method), QString::fromLatin1(target))));
}

namespace {

// A `write` frame of the store channel local/demo; `value` is JSON text, put in as it is.
QByteArray wsWriteFrame(int ref, const QString &op, const QString &where, const QString &opId,
                        const QByteArray &value)
{
    const QJsonObject payload{{QStringLiteral("op"), op},
                              {QStringLiteral("path"), where},
                              {QStringLiteral("client_op_id"), opId}};
    QByteArray frame = QJsonDocument(QJsonArray{QStringLiteral("1"), QString::number(ref),
                                                QStringLiteral("store:local/demo"),
                                                QStringLiteral("write"), payload})
                           .toJson(QJsonDocument::Compact);
    frame.insert(frame.size() - 2, ",\"value\":" + value); // inside the payload object
    return frame;
}

// A frame of the store channel local/demo.
QByteArray wsFrame(int ref, const QString &event, const QJsonObject &payload)
{
    return QJsonDocument(QJsonArray{QStringLiteral("1"), QString::number(ref),
                                    QStringLiteral("store:local/demo"), event, payload})
        .toJson(QJsonDocument::Compact);
}

// 7 MB of bytes that do not compress.
QByteArray bigFile()
{
    QByteArray bytes(7 * 1024 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(7);
    generator.fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return bytes;
}

// A raw WebSocket client joined to local/demo ahead of its seq (no catch-up, live events).
bool joinAhead(wstest::RawWsClient &ws, quint16 port, const QByteArray &deviceId)
{
    if (!ws.upgrade(port, "token=" + QByteArray(kToken.data()) + "&device_id=" + deviceId +
                              "&capver=3&vsn=2.0.0"))
        return false;
    ws.sendText(R"(["1","1","store:local/demo","phx_join",{"last_store_seq":1000000000000}])");
    return QTest::qWaitFor(
        [&ws] {
            ws.readFrames();
            return ws.texts().join().contains("catch_up_complete");
        },
        10000);
}

// The frames `ws` received from the `from`th text on, decoded, once `count` replies are there.
QList<QJsonArray> waitForReplies(wstest::RawWsClient &ws, qsizetype from, int count)
{
    QList<QJsonArray> frames;
    (void)QTest::qWaitFor(
        [&] {
            ws.readFrames();
            frames.clear();
            int replies = 0;
            const QList<QByteArray> texts = ws.texts().mid(from);
            for (const QByteArray &text : texts) {
                frames.append(QJsonDocument::fromJson(text).array());
                replies += frames.constLast().at(3).toString() == QLatin1String("phx_reply");
            }
            return replies >= count;
        },
        60000);
    return frames;
}

} // namespace

void TestLatency::healthzAnsweredWhileWsWriteRuns_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("opId"); // of the event the writer gets first; empty: no event

    for (const QString &op : {QStringLiteral("set"), QStringLiteral("merge")}) {
        const QString opId = QStringLiteral("op_big_") + op;
        QTest::addRow("7 MB object %s", qPrintable(op))
            << wsWriteFrame(2, op, QStringLiteral("big/ws_") + op, opId, bigObject()) << opId;
    }
    // The upload is base64 in the frame: 7 MB of file, about 9.3 MB of text.
    const QString file = QString::fromLatin1(bigFile().toBase64());
    QTest::newRow("7 MB put_file")
        << wsFrame(2, QStringLiteral("put_file"),
                   {{QStringLiteral("path"), QStringLiteral("big/file_event")},
                    {QStringLiteral("content"), file},
                    {QStringLiteral("filename"), QStringLiteral("big.bin")},
                    {QStringLiteral("client_op_id"), QStringLiteral("op_big_put_file")}})
        << QStringLiteral("op_big_put_file");
    QTest::newRow("7 MB write with op put_file")
        << wsFrame(2, QStringLiteral("write"),
                   {{QStringLiteral("op"), QStringLiteral("put_file")},
                    {QStringLiteral("path"), QStringLiteral("big/file_write")},
                    {QStringLiteral("content"), file},
                    {QStringLiteral("client_op_id"), QStringLiteral("op_big_write_file")}})
        << QStringLiteral("op_big_write_file");
    // Rolling the seeded subtree back to the current seq changes nothing, but replays every
    // op under it and compares its leaves first: the seeded leaves are all under tenants/.
    QTest::newRow("rollback of the seeded subtree")
        << wsFrame(2, QStringLiteral("rollback"),
                   {{QStringLiteral("path"), QStringLiteral("tenants")},
                    {QStringLiteral("to_seq"), qint64(1000000000000)}})
        << QString();
}

// The same over the WebSocket: while a 7 MB object written by a joined client commits, /healthz
// is answered, and the writer still gets its own event before its reply. A server that commits
// WebSocket writes on its event loop answers no /healthz between reading the frame and sending
// the event.
void TestLatency::healthzAnsweredWhileWsWriteRuns()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, opId);

    wstest::RawWsClient ws;
    QVERIFY(joinAhead(ws, m_port, "dev_latency"));
    const qsizetype textsBefore = ws.texts().size();
    ws.sendText(frame);
    while (ws.socket.bytesToWrite() > 0)
        QVERIFY(ws.socket.waitForBytesWritten(10000));

    RawHttp health(m_port);
    QVERIFY(health.connected());
    // Until the first byte of the write's event or reply arrives.
    const auto wsPending = [&ws] {
        (void)ws.socket.waitForReadyRead(0);
        return ws.socket.bytesAvailable() == 0;
    };
    int answeredWhilePending = 0;
    int sent = 0;
    constexpr int kEnough = 20;
    while (wsPending() && answeredWhilePending < kEnough) {
        health.send("GET", "/healthz");
        ++sent;
        QVERIFY2(health.waitForReplies(sent), "no /healthz reply");
        QCOMPARE(health.replies().constLast().status, 200);
        if (wsPending())
            ++answeredWhilePending;
    }

    // The echo of the write, then its reply (dust-protocol.md §5.5).
    QList<QByteArray> texts;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            ws.readFrames();
            texts = ws.texts().mid(textsBefore);
            return std::any_of(texts.cbegin(), texts.cend(),
                               [](const QByteArray &text) { return text.contains("phx_reply"); });
        }(),
        60000);
    QCOMPARE(texts.size(), opId.isEmpty() ? 1 : 2);
    if (!opId.isEmpty()) {
        const QJsonArray event = QJsonDocument::fromJson(texts.at(0)).array();
        QCOMPARE(event.at(3).toString(), QStringLiteral("event"));
        QCOMPARE(event.at(4).toObject().value(QStringLiteral("client_op_id")).toString(), opId);
    }
    const QJsonArray reply = QJsonDocument::fromJson(texts.constLast()).array();
    QCOMPARE(reply.at(3).toString(), QStringLiteral("phx_reply"));
    QCOMPARE(reply.at(4).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("ok"));
    const char *row = QTest::currentDataTag();
    qInfo("%d /healthz answered while the WebSocket %s was pending (%d wanted)",
          answeredWhilePending, row, kEnough);
    QVERIFY2(answeredWhilePending >= 5,
             qPrintable(QStringLiteral("only %1 /healthz answered while the WebSocket %2 ran")
                            .arg(answeredWhilePending)
                            .arg(QString::fromLatin1(row))));
}

// A socket's writes commit on pool threads one at a time, in the order sent: each reply
// comes after the write's own event, the replies come in request order (a status sent in
// between included), and the seqs follow that order.
void TestLatency::wsRepliesKeepRequestOrder()
{
    wstest::RawWsClient ws;
    QVERIFY(joinAhead(ws, m_port, "dev_order"));
    const qsizetype from = ws.texts().size();
    constexpr int kWrites = 60;
    QByteArray burst;
    for (int i = 0; i < kWrites; ++i) {
        burst += wstest::RawWsClient::frame(
            1, wsWriteFrame(i + 2, QStringLiteral("set"), QStringLiteral("order/socket"),
                            QStringLiteral("op_socket_%1").arg(i), QByteArray::number(i)));
        if (i == kWrites / 2)
            burst +=
                wstest::RawWsClient::frame(1, R"(["1","status","store:local/demo","status",{}])");
    }
    ws.socket.write(burst);

    const QList<QJsonArray> frames = waitForReplies(ws, from, kWrites + 1);
    QStringList refs;
    QStringList expectedRefs;
    qint64 lastSeq = 0;
    QString lastEventOpId;
    for (const QJsonArray &frame : frames) {
        const QJsonObject payload = frame.at(4).toObject();
        if (frame.at(3).toString() == QLatin1String("event")) {
            lastEventOpId = payload.value(QStringLiteral("client_op_id")).toString();
            continue;
        }
        const QString ref = frame.at(1).toString();
        refs.append(ref);
        QCOMPARE(payload.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        if (ref == QLatin1String("status"))
            continue;
        const int i = ref.toInt() - 2;
        QCOMPARE(lastEventOpId, QStringLiteral("op_socket_%1").arg(i)); // its echo came first
        const qint64 seq = payload.value(QStringLiteral("response"))
                               .toObject()
                               .value(QStringLiteral("store_seq"))
                               .toInteger();
        QVERIFY2(seq > lastSeq,
                 qPrintable(QStringLiteral("seq %1 after %2").arg(seq).arg(lastSeq)));
        lastSeq = seq;
    }
    for (int i = 0; i < kWrites; ++i) {
        expectedRefs.append(QString::number(i + 2));
        if (i == kWrites / 2)
            expectedRefs.append(QStringLiteral("status"));
    }
    QCOMPARE(refs, expectedRefs);
}

// While a socket's write commits, what it sends next waits, up to config.maxWsPendingWrites
// frames; past that each frame is answered at once with too_many_pending_writes, and the
// socket goes on.
void TestLatency::wsWaitingRequestsBounded()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ServerConfig config = InProcessDustlite::testConfig(); // its token is kToken
    config.inMemory = false;
    config.dataDir = dir.path();
    config.maxWsPendingWrites = 3;
    EmbeddedDustlite server;
    const auto started = server.startAndWait(config);
    QVERIFY2(started, started ? "" : qPrintable(started.error()));

    wstest::RawWsClient ws;
    QVERIFY(joinAhead(ws, *started, "dev_bounded"));
    const qsizetype from = ws.texts().size();
    // One burst: a big write that takes a while to commit, then ten small ones behind it.
    QByteArray burst = wstest::RawWsClient::frame(
        1, wsWriteFrame(2, QStringLiteral("set"), QStringLiteral("big/object"),
                        QStringLiteral("op_big"), bigObject()));
    constexpr int kSmall = 10;
    for (int i = 0; i < kSmall; ++i)
        burst += wstest::RawWsClient::frame(
            1, wsWriteFrame(i + 3, QStringLiteral("set"), QStringLiteral("small/%1").arg(i),
                            QStringLiteral("op_small_%1").arg(i), QByteArray::number(i)));
    ws.socket.write(burst);

    const QList<QJsonArray> frames = waitForReplies(ws, from, kSmall + 1);
    QHash<QString, QJsonObject> replies; // by ref
    for (const QJsonArray &frame : frames) {
        if (frame.at(3).toString() == QLatin1String("phx_reply"))
            replies.insert(frame.at(1).toString(), frame.at(4).toObject());
    }
    QCOMPARE(replies.size(), kSmall + 1);
    QCOMPARE(replies.value(QStringLiteral("2")).value(QStringLiteral("status")).toString(),
             QStringLiteral("ok"));
    for (int i = 0; i < kSmall; ++i) {
        const QJsonObject reply = replies.value(QString::number(i + 3));
        const QString status = reply.value(QStringLiteral("status")).toString();
        const QJsonObject response = reply.value(QStringLiteral("response")).toObject();
        if (i < config.maxWsPendingWrites) {
            QCOMPARE(status, QStringLiteral("ok"));
            continue;
        }
        QCOMPARE(status, QStringLiteral("error"));
        QCOMPARE(response.value(QStringLiteral("reason")).toString(),
                 QStringLiteral("too_many_pending_writes"));
        QVERIFY2(response.value(QStringLiteral("message"))
                     .toString()
                     .contains(QLatin1String("wait for the replies")),
                 qPrintable(response.value(QStringLiteral("message")).toString()));
    }
    // The socket is still open and served.
    ws.sendText(R"(["1","hb","phoenix","heartbeat",{}])");
    const QList<QJsonArray> after = waitForReplies(ws, from + frames.size(), 1);
    QCOMPARE(after.constLast().at(1).toString(), QStringLiteral("hb"));
}

// A socket that closes while its write commits on a pool thread: the write still commits,
// and a client that rejoins from before it sees the op with its client_op_id (how a client
// tells that a write it did not hear back about went through, and does not send it again).
void TestLatency::wsWriteOfClosedSocketStillCommits()
{
    wstest::RawWsClient gone;
    QVERIFY(joinAhead(gone, m_port, "dev_gone"));
    const QJsonArray joinReply = QJsonDocument::fromJson(gone.texts().constFirst()).array();
    const qint64 seqBefore = joinReply.at(4)
                                 .toObject()
                                 .value(QStringLiteral("response"))
                                 .toObject()
                                 .value(QStringLiteral("store_seq"))
                                 .toInteger();
    QVERIFY(seqBefore > 0);
    // The write, then at once the close: the server reads them in this order.
    gone.socket.write(
        wstest::RawWsClient::frame(1, wsWriteFrame(2, QStringLiteral("set"),
                                                   QStringLiteral("gone/object"),
                                                   QStringLiteral("op_gone"), bigObject())) +
        wstest::RawWsClient::frame(8, QByteArray{char(1000 >> 8), char(1000 & 0xff)}));
    QVERIFY(gone.waitFor(8, 60000)); // the server's close frame

    wstest::RawWsClient back;
    QVERIFY(back.upgrade(m_port, "token=" + QByteArray(kToken.data()) +
                                     "&device_id=dev_gone&capver=3&vsn=2.0.0"));
    back.sendText(QByteArray(R"(["1","1","store:local/demo","phx_join",{"last_store_seq":)") +
                  QByteArray::number(seqBefore) + "}]");
    qint64 goneSeq = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            back.readFrames();
            const QList<QByteArray> texts = back.texts();
            for (const QByteArray &text : texts) {
                const QJsonArray frame = QJsonDocument::fromJson(text).array();
                const QJsonObject payload = frame.at(4).toObject();
                if (frame.at(3).toString() == QLatin1String("event") &&
                    payload.value(QStringLiteral("client_op_id")).toString() ==
                        QLatin1String("op_gone")) {
                    goneSeq = payload.value(QStringLiteral("store_seq")).toInteger();
                    return true;
                }
            }
            return false;
        },
        60000));
    QVERIFY(goneSeq > seqBefore);
}

void TestLatency::pipelinedRepliesKeepRequestOrder()
{
    RawHttp client(m_port);
    QVERIFY(client.connected());
    const QByteArray store = "/api/stores/local/demo";
    client.send("GET", store + "/entries?pattern=tenants/*/nothing/*");
    client.send("GET", "/healthz");
    client.send("PUT", store + "/entries/pipelined/one", "1");
    client.send("GET", store + "/entries/pipelined/one");
    client.send("GET", "/readyz");
    QVERIFY(client.waitForReplies(5));
    const QList<RawHttp::Reply> &replies = client.replies();
    QCOMPARE(replies.at(0).status, 200);
    QCOMPARE(QJsonDocument::fromJson(replies.at(0).body)
                 .object()
                 .value(QStringLiteral("items"))
                 .toArray()
                 .size(),
             0);
    QCOMPARE(replies.at(1).body, QByteArray(R"({"status":"ok"})"));
    QCOMPARE(replies.at(2).status, 200);
    QCOMPARE(
        QJsonDocument::fromJson(replies.at(3).body).object().value(QStringLiteral("value")).toInt(),
        1);
    QVERIFY(replies.at(4).body.contains("checks"));
}

void TestLatency::keepAliveWaitsForPipelinedAnswers()
{
    // A connection whose second pipelined request is still running on the pool is not idle
    // once the first answer is out: the keep-alive timeout must not close it before the
    // second answer.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ServerConfig config = InProcessDustlite::testConfig();
    config.inMemory = false;
    config.dataDir = dir.path();
    config.seed = QStringLiteral("50000");
    config.keepAliveTimeoutMs = 20;
    EmbeddedDustlite server;
    const auto started = server.startAndWait(config, std::chrono::minutes(2));
    QVERIFY2(started, started ? "" : qPrintable(started.error()));
    RawHttp client(*started);
    QVERIFY(client.connected());
    client.send("GET", "/healthz");
    client.send("GET", "/api/stores/local/demo/diff?from_seq=0");
    QVERIFY2(client.waitForReplies(2), "the connection closed before the diff was answered");
    QCOMPARE(client.replies().at(1).status, 200);
}

void TestLatency::readsSeeAcknowledgedWrites_data()
{
    QTest::addColumn<QByteArray>("read");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray store = "/api/stores/local/demo";
    QTest::newRow("get") << store + "/entries/fresh/leaf" << QByteArray("\"value\":%1");
    QTest::newRow("list") << store + "/entries?pattern=fresh/*" << QByteArray("\"value\":%1");
    QTest::newRow("diff") << store + "/diff?from_seq=%2" << QByteArray("\"after\":%1");
    QTest::newRow("log") << store + "/log?limit=1" << QByteArray("\"_scalar\":%1");
}

void TestLatency::readsSeeAcknowledgedWrites()
{
    QFETCH(QByteArray, read);
    QFETCH(QByteArray, expected);

    RawHttp client(m_port);
    QVERIFY(client.connected());
    const QByteArray store = "/api/stores/local/demo";
    for (int i = 1; i <= 5; ++i) {
        const QByteArray value = QByteArray::number(QRandomGenerator::global()->bounded(1000000));
        client.send("PUT", store + "/entries/fresh/leaf", value);
        QVERIFY(client.waitForReplies(2 * i - 1));
        const RawHttp::Reply &put = client.replies().constLast();
        QCOMPARE(put.status, 200);
        const qint64 seq = QJsonDocument::fromJson(put.body)
                               .object()
                               .value(QStringLiteral("store_seq"))
                               .toInteger();
        client.send("GET", QByteArray(read).replace("%2", QByteArray::number(seq - 1)));
        QVERIFY(client.waitForReplies(2 * i));
        const RawHttp::Reply &got = client.replies().constLast();
        QCOMPARE(got.status, 200);
        QVERIFY2(got.body.contains(QByteArray(expected).replace("%1", value)),
                 got.body.constData());
    }
}

namespace {

QString phoenixFrame(const QString &ref, const QString &event, const QJsonObject &payload)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray{QStringLiteral("1"), ref, QStringLiteral("store:local/demo"),
                                 event, payload})
            .toJson(QJsonDocument::Compact));
}

} // namespace

// REST writes are applied on pool threads and WebSocket writes on the server's thread, both
// under the store's write lock: the events a joined client receives still come in seq order,
// none missing (REST writes broadcast here).
void TestLatency::broadcastsStayInSeqOrder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ServerConfig config = InProcessDustlite::testConfig(); // its token is kToken
    config.inMemory = false;
    config.dataDir = dir.path();
    config.broadcastRestWrites = true;
    EmbeddedDustlite server;
    const auto started = server.startAndWait(config);
    QVERIFY2(started, started ? "" : qPrintable(started.error()));
    const QString wsUrl =
        QStringLiteral("ws://127.0.0.1:%1/ws/sync/websocket?token=%2&device_id=%3&capver=3&"
                       "vsn=2.0.0")
            .arg(*started)
            .arg(kToken);

    QList<qint64> seqs;
    QWebSocket observer;
    QObject::connect(
        &observer, &QWebSocket::textMessageReceived, &observer, [&seqs](const QString &text) {
            const QJsonArray m = QJsonDocument::fromJson(text.toUtf8()).array();
            if (m.at(3).toString() == QLatin1String("event"))
                seqs.append(m.at(4).toObject().value(QStringLiteral("store_seq")).toInteger());
        });
    QSignalSpy observerUp(&observer, &QWebSocket::connected);
    observer.open(QUrl(wsUrl.arg(QStringLiteral("dev_observer"))));
    QVERIFY(observerUp.wait(5000));
    observer.sendTextMessage(phoenixFrame(QStringLiteral("1"), QStringLiteral("phx_join"),
                                          QJsonObject{{QStringLiteral("last_store_seq"), 0}}));

    QWebSocket writer;
    QSignalSpy writerUp(&writer, &QWebSocket::connected);
    writer.open(QUrl(wsUrl.arg(QStringLiteral("dev_writer"))));
    QVERIFY(writerUp.wait(5000));
    writer.sendTextMessage(phoenixFrame(QStringLiteral("1"), QStringLiteral("phx_join"),
                                        QJsonObject{{QStringLiteral("last_store_seq"), 0}}));

    constexpr int kEach = 150;
    std::vector<std::unique_ptr<RawHttp>> rest;
    for (int c = 0; c < 8; ++c) {
        rest.push_back(std::make_unique<RawHttp>(*started));
        QVERIFY(rest.back()->connected());
    }
    for (int i = 0; i < kEach; ++i) {
        RawHttp &client = *rest.at(i % rest.size());
        client.send("PUT", "/api/stores/local/demo/entries/order/rest" + QByteArray::number(i),
                    QByteArray::number(i));
        writer.sendTextMessage(phoenixFrame(
            QString::number(i + 2), QStringLiteral("write"),
            QJsonObject{{QStringLiteral("op"), QStringLiteral("set")},
                        {QStringLiteral("path"), QStringLiteral("order/ws%1").arg(i)},
                        {QStringLiteral("value"), i},
                        {QStringLiteral("client_op_id"), QStringLiteral("op_order_%1").arg(i)}}));
    }
    QTRY_COMPARE_WITH_TIMEOUT(seqs.size(), 2 * kEach, 30000);
    for (qsizetype i = 0; i < seqs.size(); ++i)
        QCOMPARE(seqs.at(i), qint64(i + 1));
}

// The same, step by step: a write through another connection (as a pool thread makes it) is
// announced before a later write of the store's own connection, even when that one is
// reported first.
void TestLatency::commitsAnnouncedInSeqOrder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    StoreRegistry registry(dir.path());
    auto opened = registry.openOrCreate(QStringLiteral("local/order"));
    QVERIFY(opened);
    StoreDb *db = *opened;
    auto other = StoreSql::open(db->file(), db->fullName());
    QVERIFY2(other, other ? "" : qPrintable(other.error()));

    QList<std::pair<qint64, bool>> announced;
    QObject::connect(&registry, &StoreRegistry::committed, &registry,
                     [&announced](const QString &, const dust::ChangeEvent &event, bool viaSocket) {
                         announced.append({event.storeSeq, viaSocket});
                     });
    const auto set = [](const char *where, int value) {
        WriteRequest request;
        request.op = dust::Op::Set;
        request.path = *dust::Path::parse(QString::fromLatin1(where));
        request.value = value;
        request.deviceId = QStringLiteral("dev_test");
        request.clientOpId = QStringLiteral("op_%1").arg(value);
        return request;
    };

    const WriteResult rest = db->writeWith(*other.value(), set("a", 1)); // a pool thread's
    QVERIFY(rest.ok);
    const WriteResult socket = db->write(set("b", 2)); // the server thread's, after it
    QVERIFY(socket.ok);
    QCOMPARE(socket.storeSeq, rest.storeSeq + 1);
    QCOMPARE(db->currentSeq(), socket.storeSeq);
    registry.notifyCommitted(db->fullName(), *socket.event, true);
    registry.deliverCommitted(db->fullName()); // the pool's completion, late
    const QList<std::pair<qint64, bool>> expected{{rest.storeSeq, false}, {socket.storeSeq, true}};
    QCOMPARE(announced, expected);

    // And the other way round: a pool thread commits right after a server-thread write, before
    // that one is reported; the report must not take the later commit along ahead of it.
    announced.clear();
    const WriteResult first = db->write(set("c", 3));
    const WriteResult later = db->writeWith(*other.value(), set("d", 4));
    QVERIFY(first.ok && later.ok);
    registry.notifyCommitted(db->fullName(), *first.event, true);
    registry.deliverCommitted(db->fullName());
    const QList<std::pair<qint64, bool>> inOrder{{first.storeSeq, true}, {later.storeSeq, false}};
    QCOMPARE(announced, inOrder);
}

// StoreRegistry::write, the way for the WebSocket side to keep its writes off the event loop:
// the write is applied on a pool thread, and back on this thread its commit is announced
// (with viaSocket as given) before `done` hears of it.
void TestLatency::registryWriteAnswersLater()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    StoreRegistry registry(dir.path());
    QVERIFY(registry.openOrCreate(QStringLiteral("local/async")));
    QStringList happened;
    QObject::connect(&registry, &StoreRegistry::committed, &registry,
                     [&happened](const QString &, const dust::ChangeEvent &event, bool viaSocket) {
                         happened.append(QStringLiteral("committed %1 %2")
                                             .arg(event.storeSeq)
                                             .arg(viaSocket ? QStringLiteral("socket")
                                                            : QStringLiteral("rest")));
                     });
    WriteRequest request;
    request.op = dust::Op::Set;
    request.path = *dust::Path::parse(QStringLiteral("a/b"));
    request.value = 7;
    request.deviceId = QStringLiteral("dev_test");
    request.clientOpId = QStringLiteral("op_7");
    registry.write(
        QStringLiteral("local/async"), request, true, [&happened](const WriteResult &result) {
            happened.append(QStringLiteral("done %1 %2").arg(result.ok).arg(result.storeSeq));
        });
    QVERIFY(happened.isEmpty()); // not on this thread, not yet
    QTRY_COMPARE(happened.size(), 2);
    QCOMPARE(happened,
             QStringList({QStringLiteral("committed 1 socket"), QStringLiteral("done 1 1")}));
    QCOMPARE(registry.find(u"local/async")->get(*dust::Path::parse(QStringLiteral("a/b")))->value,
             QJsonValue(7));
}

QTEST_GUILESS_MAIN(TestLatency)
#include "tst_latency.moc"
