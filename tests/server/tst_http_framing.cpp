// Strict HTTP/1.1 framing at dustlite's door: request heads that cannot be read one way only
// (a Content-Length that is not a plain number, two of them, one beside Transfer-Encoding) are
// answered 400 and the connection closed, so a body can never be read as the next request;
// garbage and TLS get an answer, not silence; too many header lines get 431; the accepted
// socket sends small frames without delay (TCP_NODELAY).

#include "Auth.h"
#include "GuardedTcpServer.h"
#include "RawHttp.h"
#include "RestTestFixture.h"

#include <QSignalSpy>

using namespace resttest;
using rawhttp::Answer;
using rawhttp::RawHttp;

namespace {

const QByteArray kAuth = "Authorization: Bearer dust_tok_dev\r\n";

// A request line and headers for a PUT of local/demo's `smuggle` entry, ending the head.
QByteArray putHead(const QByteArray &framingHeaders)
{
    return "PUT /api/stores/local/demo/entries/smuggle HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
           "Content-Type: application/json\r\n" + framingHeaders + "\r\n";
}

// A complete second request, as a smuggler would hide it in the first one's body.
const QByteArray kSmuggled =
    "GET /api/stores/local/demo/entries/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Authorization: Bearer dust_tok_dev\r\n\r\n";

// The first bytes of a TLS 1.2 ClientHello, as a browser sends them to https://127.0.0.1:port.
QByteArray tlsClientHello()
{
    return QByteArray::fromHex("16030100c4010000c00303") + QByteArray(32, '\x11') +
           QByteArray::fromHex("000020c02bc02fc02cc030cca9cca8c013c014009c009d002f0035000a");
}

} // namespace

class TestHttpFraming : public RestSuite
{
    Q_OBJECT

private slots:
    void init() { startWith(standardConfig()); }
    void cleanup() { stop(); }

    void ambiguousBodyLengthIs400AndCloses_data();
    void ambiguousBodyLengthIs400AndCloses();
    void plainContentLengthStillWorks();
    void pipelinedRequestsAreAnsweredInOrder();
    void unreadableRequestIs400_data();
    void unreadableRequestIs400();
    void tooManyHeaderLinesAre431();
    void headerLinesUpToTheLimitAreRead();
    void acceptedSocketsHaveLowDelay();
};

void TestHttpFraming::ambiguousBodyLengthIs400AndCloses_data()
{
    QTest::addColumn<QByteArray>("framing");
    const QByteArray smuggledLength = QByteArray::number(kSmuggled.size());
    QTest::newRow("letters") << QByteArray("Content-Length: abc\r\n");
    QTest::newRow("negative") << QByteArray("Content-Length: -1\r\n");
    QTest::newRow("hex") << QByteArray("Content-Length: 0x10\r\n");
    QTest::newRow("exponent") << QByteArray("Content-Length: 1e9\r\n");
    QTest::newRow("plus sign") << "Content-Length: +" + smuggledLength + "\r\n";
    QTest::newRow("too large") << QByteArray("Content-Length: 99999999999999999999999\r\n");
    QTest::newRow("list") << "Content-Length: " + smuggledLength + ", " + smuggledLength + "\r\n";
    QTest::newRow("two different")
        << "Content-Length: 0\r\nContent-Length: " + smuggledLength + "\r\n";
    QTest::newRow("with chunked") << "Content-Length: " + smuggledLength +
                                         "\r\nTransfer-Encoding: chunked\r\n";
    QTest::newRow("unknown coding") << QByteArray("Transfer-Encoding: gzip\r\n");
}

void TestHttpFraming::ambiguousBodyLengthIs400AndCloses()
{
    QFETCH(QByteArray, framing);
    RawHttp http;
    QVERIFY(http.connectTo(m_server->port()));
    http.send(putHead(framing) + kSmuggled);

    const Answer answer = http.next();
    QVERIFY2(answer.status == 400, answer.head.constData());
    QCOMPARE(answer.error(), QStringLiteral("bad_request"));
    QVERIFY2(answer.detail().contains(QLatin1String("Content-Length")) ||
                 answer.detail().contains(QLatin1String("Transfer-Encoding")),
             qPrintable(answer.detail()));
    QCOMPARE(answer.header("connection"), QByteArray("close"));
    QVERIFY(http.waitClosed());
    // Nothing was read as a second request, and nothing was written.
    QVERIFY2(http.unread().isEmpty(), http.unread().constData());
    QCOMPARE(m_http->get(entry("smuggle")).status, 404);
}

void TestHttpFraming::plainContentLengthStillWorks()
{
    RawHttp http;
    QVERIFY(http.connectTo(m_server->port()));
    const QByteArray body = "\"fine\"";
    // Identical repeats of one length are one length (RFC 9110 §8.6).
    http.send(putHead("Content-Length: " + QByteArray::number(body.size()) +
                      "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n") +
              body);
    const Answer answer = http.next();
    QVERIFY2(answer.status == 200, answer.text().constData());
    QCOMPARE(m_http->get(entry("smuggle")).object().value("value"_L1).toString(), "fine"_L1);
}

void TestHttpFraming::pipelinedRequestsAreAnsweredInOrder()
{
    RawHttp http;
    QVERIFY(http.connectTo(m_server->port()));
    const QByteArray body = "\"one\"";
    http.send(putHead("Content-Length: " + QByteArray::number(body.size()) + "\r\n") + body +
              "\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" +
              "GET /api/stores/local/demo/entries/smuggle HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
              "\r\n");
    const Answer put = http.next();
    QVERIFY2(put.status == 200, put.text().constData());
    const Answer health = http.next();
    QVERIFY2(health.status == 200, health.text().constData());
    QCOMPARE(health.object().value("status"_L1).toString(), "ok"_L1);
    const Answer get = http.next();
    QVERIFY2(get.status == 200, get.text().constData());
    QCOMPARE(get.object().value("value"_L1).toString(), "one"_L1);
}

void TestHttpFraming::unreadableRequestIs400_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("detailMentions");
    QTest::newRow("garbage") << QByteArray("GARBAGE\r\n\r\n") << 400 << "request line";
    QTest::newRow("tls client hello") << tlsClientHello() << 400 << "https";
    QTest::newRow("binary") << QByteArray("\x00\x01\x02\r\n\r\n", 7) << 400 << "request line";
    QTest::newRow("bare line feeds")
        << QByteArray("GET /healthz HTTP/1.1\nHost: 127.0.0.1\n\n") << 400 << "CRLF";
    QTest::newRow("space before colon")
        << QByteArray("GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n") << 400 << "header";
    QTest::newRow("folded header")
        << QByteArray("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n continued\r\n\r\n") << 400
        << "header";
    QTest::newRow("control character")
        << QByteArray("GET /healthz HTTP/1.1\r\nX-A: a\x01z\r\n\r\n") << 400 << "header";
    QTest::newRow("http 9.9") << QByteArray("GET /healthz HTTP/9.9\r\n\r\n") << 505 << "HTTP/1.1";
}

void TestHttpFraming::unreadableRequestIs400()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);
    QFETCH(QString, detailMentions);
    RawHttp http;
    QVERIFY(http.connectTo(m_server->port()));
    http.send(bytes);
    const Answer answer = http.next();
    QVERIFY2(answer.status == status,
             qPrintable(QStringLiteral("got \"%1\"").arg(QString::fromLatin1(answer.head))));
    QVERIFY2(answer.detail().contains(detailMentions, Qt::CaseInsensitive),
             qPrintable(answer.detail()));
    QVERIFY(http.waitClosed());
    QCOMPARE(m_http->get("/healthz").status, 200);
}

void TestHttpFraming::tooManyHeaderLinesAre431()
{
    RawHttp http;
    QVERIFY(http.connectTo(m_server->port()));
    QByteArray request =
        "GET /api/stores/local/demo/entries/a HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth;
    for (int i = 0; i < 120; ++i)
        request += "X-Filler-" + QByteArray::number(i) + ": f\r\n";
    http.send(request + "\r\n");
    const Answer answer = http.next();
    QVERIFY2(answer.status == 431, answer.text().constData());
    QCOMPARE(answer.error(), QStringLiteral("request_header_too_large"));
    QVERIFY2(answer.detail().contains(QLatin1String("100")), qPrintable(answer.detail()));
    QVERIFY(http.waitClosed());
}

void TestHttpFraming::headerLinesUpToTheLimitAreRead()
{
    QCOMPARE(put("a", "1"), 1);
    RawHttp http;
    QVERIFY(http.connectTo(m_server->port()));
    QByteArray request =
        "GET /api/stores/local/demo/entries/a HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth;
    for (int i = 0; i < 98; ++i) // with Host and Authorization: 100 header lines
        request += "X-Filler-" + QByteArray::number(i) + ": f\r\n";
    http.send(request + "\r\n");
    const Answer answer = http.next();
    QVERIFY2(answer.status == 200, answer.text().constData());
}

void TestHttpFraming::acceptedSocketsHaveLowDelay()
{
    // Small WebSocket frames and REST answers must not wait for the peer's delayed ACK
    // (Nagle): the server sets TCP_NODELAY on every socket it accepts.
    dust::lite::ServerConfig config = standardConfig();
    dust::lite::Auth auth;
    dust::lite::GuardedTcpServer server(config, auth);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QSignalSpy pending(&server, &QTcpServer::pendingConnectionAvailable);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.serverPort());
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(pending.count() > 0 || pending.wait(5000));
    QTcpSocket *accepted = server.nextPendingConnection();
    QVERIFY(accepted);
    QCOMPARE(accepted->socketOption(QAbstractSocket::LowDelayOption).toInt(), 1);
}

QTEST_GUILESS_MAIN(TestHttpFraming)
#include "tst_http_framing.moc"
