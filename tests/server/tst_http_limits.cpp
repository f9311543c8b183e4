// Bounded resources at dustlite's door: a request body is read only once its head shows a
// token, a route and a size that may send it; bodies in flight, connections per peer and in
// all are capped (503); heads, bodies and idle keep-alive connections have timeouts, and an
// upgraded WebSocket is no longer subject to them. Every limit here is configured small.

#include "DustliteProcess.h"
#include "RawHttp.h"
#include "RestTestFixture.h"
#include "WsClient.h"

#include <QSignalSpy>

#include <memory>
#include <vector>

using namespace resttest;
using rawhttp::Answer;
using rawhttp::RawHttp;

namespace {

// The head of a PUT of local/demo's entry `name` with `token` (none when empty) announcing a
// body of `length` bytes.
QByteArray putHead(const QByteArray &token, qint64 length, const QByteArray &name = "big",
                   const QByteArray &extra = {})
{
    QByteArray head =
        "PUT /api/stores/local/demo/entries/" + name + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.isEmpty())
        head += "Authorization: Bearer " + token + "\r\n";
    return head + "Content-Type: application/json\r\n" + extra +
           "Content-Length: " + QByteArray::number(length) + "\r\n\r\n";
}

const QHostAddress kOtherPeer(QStringLiteral("127.0.0.2"));

} // namespace

class TestHttpLimits : public RestSuite
{
    Q_OBJECT

private slots:
    void cleanup() { stop(); }

    void bodyIsRefusedFromTheHead_data();
    void bodyIsRefusedFromTheHead();
    void anonymousUploadsAreRefusedTogether();
    void expectContinueOnlyForAnAdmittedBody();
    void bufferedBodiesAreCapped();
    void connectionsPerPeerAreCapped();
    void connectionsInAllAreCapped();
    void silentConnectionIsClosed();
    void halfHeadIs408();
    void stalledBodyIs408();
    void idleKeepAliveIsClosed();
    void webSocketIsNotSubjectToHttpTimers();
    void commandLineSetsTheLimits();

private:
    void startSmall(const std::function<void(dust::lite::ServerConfig &)> &adjust = {})
    {
        dust::lite::ServerConfig config = standardConfig();
        config.maxBodyBytes = 8 * 1024 * 1024;
        if (adjust)
            adjust(config);
        startWith(config);
    }
};

void TestHttpLimits::bodyIsRefusedFromTheHead_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    const qint64 eightMiB = 8 * 1024 * 1024;
    QTest::newRow("no token") << putHead({}, eightMiB) << 401 << "unauthorized";
    QTest::newRow("unknown token") << putHead("dust_tok_nobody", eightMiB) << 401 << "unauthorized";
    QTest::newRow("not a bearer") << putHead({}, eightMiB, "big", "Authorization: Basic eDp5\r\n")
                                  << 401 << "unauthorized";
    QTest::newRow("read-only token")
        << putHead(QByteArray(kReadOnly.data()), eightMiB) << 403 << "forbidden";
    QTest::newRow("other org") << putHead(QByteArray(kOtherOrg.data()), eightMiB) << 404
                               << "not_found";
    QTest::newRow("too large") << putHead(QByteArray(kFull.data()), eightMiB + 1) << 413
                               << "payload_too_large";
    QTest::newRow("chunked, no token")
        << QByteArray(
               "POST /api/stores/local/demo/entries/batch_write HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Transfer-Encoding: chunked\r\n\r\n")
        << 401 << "unauthorized";
}

void TestHttpLimits::bodyIsRefusedFromTheHead()
{
    QFETCH(QByteArray, head);
    QFETCH(int, status);
    QFETCH(QString, error);
    startSmall();
    // Only the head is sent: the answer must come before any body byte.
    RawHttp http;
    QVERIFY(http.connectTo(m_server->port()));
    http.send(head);
    const Answer answer = http.next();
    QVERIFY2(answer.status == status,
             qPrintable(QStringLiteral("got \"%1\"").arg(QString::fromLatin1(answer.head))));
    QCOMPARE(answer.error(), error);
    QCOMPARE(answer.header("connection"), QByteArray("close"));
    QVERIFY(!answer.header("x-request-id").isEmpty());
    QVERIFY(http.waitClosed());
    QCOMPARE(m_http->get("/healthz").status, 200);
}

void TestHttpLimits::anonymousUploadsAreRefusedTogether()
{
    // The numbers, scaled: 40 connections without a token, each announcing an 8 MiB
    // body and sending the start of it, with a buffer budget far below 40 bodies. Each is
    // refused from its head, none takes budget: an authenticated write still fits.
    startSmall([](dust::lite::ServerConfig &config) { config.maxBufferedBytes = 9 * 1024 * 1024; });
    std::vector<std::unique_ptr<RawHttp>> uploads;
    for (int i = 0; i < 40; ++i) {
        uploads.push_back(std::make_unique<RawHttp>());
        QVERIFY(uploads.back()->connectTo(m_server->port()));
        uploads.back()->send(putHead({}, 8 * 1024 * 1024) + '"' + QByteArray(64 * 1024, 'x'));
    }
    for (const auto &upload : uploads) {
        const Answer answer = upload->next();
        QVERIFY2(answer.status == 401, answer.head.constData());
        QCOMPARE(answer.error(), QStringLiteral("unauthorized"));
    }
    const QByteArray body = '"' + QByteArray(8 * 1024 * 1024 - 2, 'y') + '"';
    QCOMPARE(m_http->put(entry("fits"), body).status, 200);
    for (const auto &upload : uploads)
        QVERIFY(upload->waitClosed());
}

void TestHttpLimits::expectContinueOnlyForAnAdmittedBody()
{
    startSmall();
    RawHttp refused;
    QVERIFY(refused.connectTo(m_server->port()));
    refused.send(putHead({}, 1024, "e", "Expect: 100-continue\r\n"));
    const Answer answer = refused.next();
    QVERIFY2(answer.status == 401, answer.head.constData());

    RawHttp admitted;
    QVERIFY(admitted.connectTo(m_server->port()));
    admitted.send(putHead(QByteArray(kFull.data()), 3, "e", "Expect: 100-continue\r\n"));
    QCOMPARE(admitted.next().status, 100);
    admitted.send("\"x\"");
    QCOMPARE(admitted.next().status, 200);
}

void TestHttpLimits::bufferedBodiesAreCapped()
{
    startSmall([](dust::lite::ServerConfig &config) {
        config.maxBodyBytes = 100 * 1024;
        config.maxBufferedBytes = 250 * 1024;
    });
    // Two bodies of 100 KiB fit in the 250 KiB budget; a third does not until one is done.
    std::vector<std::unique_ptr<RawHttp>> writers;
    for (int i = 0; i < 2; ++i) {
        writers.push_back(std::make_unique<RawHttp>());
        QVERIFY(writers.back()->connectTo(m_server->port()));
        writers.back()->send(putHead(QByteArray(kFull.data()), 100 * 1024,
                                     "w" + QByteArray::number(i), "Expect: 100-continue\r\n"));
        QCOMPARE(writers.back()->next().status, 100); // its head is read, its body welcome
        writers.back()->send("\"");
    }
    RawHttp third;
    QVERIFY(third.connectTo(m_server->port()));
    third.send(putHead(QByteArray(kFull.data()), 100 * 1024, "w2"));
    const Answer busy = third.next();
    QVERIFY2(busy.status == 503, busy.head.constData());
    QCOMPARE(busy.error(), QStringLiteral("server_busy"));
    QVERIFY(!busy.header("retry-after").isEmpty());
    QVERIFY(third.waitClosed());
    for (const auto &writer : writers)
        QVERIFY(writer->isOpen());

    // One writer finishes and leaves: its share is free again.
    writers.front()->send(QByteArray(100 * 1024 - 2, 'v') + "\"");
    QCOMPARE(writers.front()->next().status, 200);
    writers.front()->socket.disconnectFromHost();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            RawHttp again;
            if (!again.connectTo(m_server->port()))
                return false;
            again.send(putHead(QByteArray(kFull.data()), 100 * 1024, "w3") + "\"" +
                       QByteArray(100 * 1024 - 2, 'v') + "\"");
            return again.next().status == 200;
        }(),
        5000);
}

void TestHttpLimits::connectionsPerPeerAreCapped()
{
    startSmall([](dust::lite::ServerConfig &config) { config.maxConnectionsPerPeer = 5; });
    std::vector<std::unique_ptr<RawHttp>> held;
    for (int i = 0; i < 5; ++i) {
        held.push_back(std::make_unique<RawHttp>());
        QVERIFY(held.back()->connectTo(m_server->port()));
        held.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QCOMPARE(held.back()->next().status, 200);
    }
    RawHttp sixth;
    QVERIFY(sixth.connectTo(m_server->port()));
    sixth.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const Answer refused = sixth.next();
    QVERIFY2(refused.status == 503, refused.head.constData());
    QCOMPARE(refused.error(), QStringLiteral("too_many_connections"));
    QVERIFY2(refused.detail().contains(QLatin1String("127.0.0.1")), qPrintable(refused.detail()));
    QVERIFY(sixth.waitClosed());

    // Another address is another peer.
    RawHttp other;
    QVERIFY(other.connectTo(m_server->port(), kOtherPeer));
    other.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QCOMPARE(other.next().status, 200);

    // A closed connection frees its place.
    held.front()->socket.disconnectFromHost();
    held.erase(held.begin());
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            RawHttp again;
            if (!again.connectTo(m_server->port()))
                return false;
            again.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            return again.next().status == 200;
        }(),
        5000);
}

void TestHttpLimits::connectionsInAllAreCapped()
{
    startSmall([](dust::lite::ServerConfig &config) { config.maxConnections = 4; });
    std::vector<std::unique_ptr<RawHttp>> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(std::make_unique<RawHttp>());
        QVERIFY(held.back()->connectTo(m_server->port(), i % 2 ? kOtherPeer : QHostAddress()));
        held.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QCOMPARE(held.back()->next().status, 200);
    }
    RawHttp fifth;
    QVERIFY(fifth.connectTo(m_server->port(), kOtherPeer));
    fifth.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const Answer refused = fifth.next();
    QVERIFY2(refused.status == 503, refused.head.constData());
    QCOMPARE(refused.error(), QStringLiteral("too_many_connections"));
    QVERIFY(fifth.waitClosed());
    for (const auto &connection : held)
        QVERIFY(connection->isOpen());
}

void TestHttpLimits::silentConnectionIsClosed()
{
    startSmall([](dust::lite::ServerConfig &config) { config.headerTimeoutMs = 300; });
    RawHttp silent;
    QVERIFY(silent.connectTo(m_server->port()));
    QVERIFY(silent.waitClosed());
    QVERIFY2(silent.unread().isEmpty(), silent.unread().constData()); // closed, not answered
}

void TestHttpLimits::halfHeadIs408()
{
    startSmall([](dust::lite::ServerConfig &config) { config.headerTimeoutMs = 300; });
    RawHttp slow;
    QVERIFY(slow.connectTo(m_server->port()));
    slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const Answer answer = slow.next();
    QVERIFY2(answer.status == 408, answer.head.constData());
    QCOMPARE(answer.error(), QStringLiteral("request_timeout"));
    QVERIFY(slow.waitClosed());
}

void TestHttpLimits::stalledBodyIs408()
{
    startSmall([](dust::lite::ServerConfig &config) { config.bodyTimeoutMs = 300; });
    RawHttp slow;
    QVERIFY(slow.connectTo(m_server->port()));
    slow.send(putHead(QByteArray(kFull.data()), 100) + "\"only a part");
    const Answer answer = slow.next();
    QVERIFY2(answer.status == 408, answer.head.constData());
    QCOMPARE(answer.error(), QStringLiteral("request_timeout"));
    QVERIFY(slow.waitClosed());
    QCOMPARE(m_http->get(entry("big")).status, 404);
}

void TestHttpLimits::idleKeepAliveIsClosed()
{
    startSmall([](dust::lite::ServerConfig &config) { config.keepAliveTimeoutMs = 300; });
    RawHttp idle;
    QVERIFY(idle.connectTo(m_server->port()));
    idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QCOMPARE(idle.next().status, 200);
    QVERIFY(idle.waitClosed());
    QVERIFY2(idle.unread().isEmpty(), idle.unread().constData());
}

void TestHttpLimits::webSocketIsNotSubjectToHttpTimers()
{
    startSmall([](dust::lite::ServerConfig &config) {
        config.headerTimeoutMs = 200;
        config.bodyTimeoutMs = 200;
        config.keepAliveTimeoutMs = 200;
    });
    QUrl url = m_server->wsUrl();
    url.setPath(url.path() + QStringLiteral("/websocket"));
    url.setQuery(QStringLiteral("token=dust_tok_dev&device_id=dev_timers&capver=3&vsn=2.0.0"));
    wstest::WsClient client;
    QVERIFY(client.open(url));
    QSignalSpy closed(&client.socket, &QWebSocket::disconnected);
    // Quiet for longer than every HTTP timer: the socket stays, as its own idle timeout says.
    QVERIFY(!closed.wait(1000));
    QVERIFY(client.join(QStringLiteral("store:local/demo")));
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void TestHttpLimits::commandLineSetsTheLimits()
{
    dust::test::DustliteProcess dustlite;
    QVERIFY2(dustlite.start(strs({"--token", "dust_tok_dev", "--header-timeout", "300",
                                  "--max-connections-per-peer", "2", "--max-connections", "50",
                                  "--body-timeout", "30000", "--keep-alive-timeout", "60000",
                                  "--max-buffered-bytes", "1048576"})),
             qPrintable(dustlite.errorString()));
    std::vector<std::unique_ptr<RawHttp>> held;
    for (int i = 0; i < 2; ++i) {
        held.push_back(std::make_unique<RawHttp>());
        QVERIFY(held.back()->connectTo(dustlite.port()));
        held.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QCOMPARE(held.back()->next().status, 200);
    }
    RawHttp third;
    QVERIFY(third.connectTo(dustlite.port()));
    third.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QCOMPARE(third.next().status, 503);

    RawHttp slow;
    QVERIFY(slow.connectTo(dustlite.port(), kOtherPeer));
    slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    QCOMPARE(slow.next().status, 408);
}

QTEST_GUILESS_MAIN(TestHttpLimits)
#include "tst_http_limits.moc"
