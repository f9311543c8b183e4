// Strict input: path segments are kept exactly as sent (a leading U+FEFF is a character, not
// a byte-order mark to drop), bytes that are not UTF-8 in a URL path are refused with words
// that say so, and an overlong device_id is refused before it is stored with every write.

#include "InProcessDustlite.h"
#include "RawHttp.h"
#include "TestHttp.h"
#include "WsServer.h"
#include "protocol/JsonBytes.h"

#include <QTest>

using dust::Path;
using dust::test::HttpResult;
using dust::test::InProcessDustlite;
using dust::test::TestHttp;
using rawhttp::RawAnswer;

namespace {

const QString kBom = QStringLiteral("\ufeff");
const QString kTopic = QStringLiteral("store:local/demo");

QString valueAt(dust::lite::StoreDb *db, const QStringList &segments)
{
    const auto leaf = db->getLeaf(Path::fromSegments(segments).value());
    return leaf ? leaf->value.toString() : QStringLiteral("<absent>");
}

// A JSON string literal with every non-ASCII character written as \uXXXX, the way many
// clients send text (QJsonDocument would write U+FEFF as raw UTF-8 bytes).
QByteArray escapedJsonString(const QString &text)
{
    QByteArray out = "\"";
    for (const QChar c : text) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += '\\' + QByteArray(1, char(c.unicode()));
        else if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            out += "\\u" + QByteArray::number(c.unicode(), 16).rightJustified(4, '0');
        else
            out += char(c.unicode());
    }
    return out + '"';
}

QByteArray deviceTarget(const QByteArray &deviceId)
{
    return "/ws/sync/websocket?token=dust_tok_dev&device_id=" + deviceId + "&capver=3&vsn=2.0.0";
}

} // namespace

class TestSecurityInput : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void bomIsPartOfTheSegment_data();
    void bomIsPartOfTheSegment();
    void bomPathReadsBackByUrl();
    void bomPathsListAndDeleteApart();
    void urlPathThatIsNotUtf8_data();
    void urlPathThatIsNotUtf8();
    void queryThatIsNotUtf8_data();
    void queryThatIsNotUtf8();

    void deviceIdLength_data();
    void deviceIdLength();
    void overlongDeviceIdIsClosedAfterUpgrade();

private:
    // Writes `value` at `segments` the way `form` says; the HTTP status or "ok".
    QString writeAs(const QString &form, const QStringList &segments, const QString &value);

    std::unique_ptr<InProcessDustlite> m_server;
    std::unique_ptr<TestHttp> m_http;
    std::unique_ptr<wstest::WsClient> m_ws;
    int m_ops = 0;
};

void TestSecurityInput::init()
{
    m_server = std::make_unique<InProcessDustlite>();
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_http = std::make_unique<TestHttp>(m_server->baseUrl());
}

void TestSecurityInput::cleanup()
{
    m_ws.reset();
    m_http.reset();
    m_server.reset();
}

QString TestSecurityInput::writeAs(const QString &form, const QStringList &segments,
                                   const QString &value)
{
    const Path path = Path::fromSegments(segments).value();
    const bool escaped = form.endsWith(QLatin1String("escaped"));
    // The rendered path as JSON text: raw UTF-8 (QJsonDocument's way) or \u-escaped.
    const QByteArray pathJson = escaped
                                    ? escapedJsonString(path.rendered())
                                    : TestHttp::json(QJsonArray{path.rendered()}).mid(1).chopped(1);
    QByteArrayList escapedSegments;
    for (const QString &segment : segments)
        escapedSegments.append(escapedJsonString(segment));
    const QByteArray segmentsJson =
        escaped ? '[' + escapedSegments.join(',') + ']' : TestHttp::json(path.segmentsJson());
    const QByteArray valueJson = '"' + value.toUtf8() + '"';
    if (form == QLatin1String("url")) {
        const HttpResult r = m_http->put(TestHttp::entries("/" + path.urlEncoded()), valueJson);
        return r.status == 200 ? QStringLiteral("ok")
                               : QString::number(r.status) + QString::fromUtf8(r.body);
    }
    if (form.startsWith(QLatin1String("body"))) {
        const QByteArray body = "{\"path\":" + pathJson + ",\"value\":" + valueJson + '}';
        const HttpResult r = m_http->post(TestHttp::entries(), body);
        return r.status == 200 ? QStringLiteral("ok")
                               : QString::number(r.status) + QString::fromUtf8(r.body);
    }
    if (!m_ws) {
        m_ws = std::make_unique<wstest::WsClient>();
        QUrl url = m_server->wsUrl();
        url.setPath(url.path() + QStringLiteral("/websocket"));
        url.setQuery(QStringLiteral("token=dust_tok_dev&device_id=dev_bom&capver=3&vsn=2.0.0"));
        if (!m_ws->open(url))
            return QStringLiteral("no socket");
        m_ws->join(kTopic);
    }
    const QByteArray target = form.startsWith(QLatin1String("ws segments"))
                                  ? QByteArray("\"path_segments\":" + segmentsJson)
                                  : QByteArray("\"path\":" + pathJson);
    const QByteArray ref = QByteArray::number(1000 + ++m_ops);
    const QByteArray frame = "[\"" + m_ws->joinRefs.value(kTopic).toUtf8() + "\",\"" + ref +
                             "\",\"" + kTopic.toUtf8() + "\",\"write\",{\"op\":\"set\"," + target +
                             ",\"value\":" + valueJson + ",\"client_op_id\":\"op_bom_" + ref +
                             "\"}]";
    m_ws->sendRaw(frame);
    const auto reply = m_ws->reply(QString::fromLatin1(ref));
    return wstest::replyStatus(reply) == QLatin1String("ok")
               ? QStringLiteral("ok")
               : wstest::replyStatus(reply) +
                     QString::fromUtf8(wstest::json(wstest::response(reply)));
}

void TestSecurityInput::bomIsPartOfTheSegment_data()
{
    QTest::addColumn<QString>("form");
    QTest::addColumn<QStringList>("plain");
    QTest::addColumn<QStringList>("marked");
    const QStringList plain{QStringLiteral("bom"), QStringLiteral("x")};
    const QStringList marked{kBom + QStringLiteral("bom"), QStringLiteral("x")};
    const QStringList alone{kBom, QStringLiteral("x")};
    const QStringList justX{QStringLiteral("x")};
    for (const char *form : {"url", "body", "body escaped", "ws path", "ws path escaped",
                             "ws segments", "ws segments escaped"}) {
        const QString name = QString::fromLatin1(form);
        QTest::addRow("%s, leading", form) << name << plain << marked;
        QTest::addRow("%s, alone", form) << name << justX << alone;
    }
}

// "\ufeffbom/x" and "bom/x" are two paths: writing one leaves the other alone.
void TestSecurityInput::bomIsPartOfTheSegment()
{
    QFETCH(QString, form);
    QFETCH(QStringList, plain);
    QFETCH(QStringList, marked);
    QCOMPARE(writeAs(form, plain, QStringLiteral("plain")), QStringLiteral("ok"));
    QCOMPARE(writeAs(form, marked, QStringLiteral("marked")), QStringLiteral("ok"));
    QCOMPARE(valueAt(m_server->store(), plain), QStringLiteral("plain"));
    QCOMPARE(valueAt(m_server->store(), marked), QStringLiteral("marked"));
    QCOMPARE(m_server->store()->entryCount(), 2);
}

void TestSecurityInput::bomPathReadsBackByUrl()
{
    QCOMPARE(writeAs(QStringLiteral("body"), {kBom + QStringLiteral("bom"), QStringLiteral("x")},
                     QStringLiteral("marked")),
             QStringLiteral("ok"));
    QCOMPARE(m_http->get(TestHttp::entries("/bom/x")).status, 404);
    const HttpResult r = m_http->get(TestHttp::entries("/%EF%BB%BFbom/x"));
    QCOMPARE(r.status, 200);
    // Read with a parser that keeps U+FEFF (QJsonDocument drops it at a string's start).
    const QJsonObject entry = dust::jsonbytes::parseDocument(r.body).object();
    QCOMPARE(entry.value(QStringLiteral("path")).toString(), kBom + QStringLiteral("bom/x"));
    QCOMPARE(entry.value(QStringLiteral("value")).toString(), QStringLiteral("marked"));
}

// Listings, ranges and subtree deletes see two trees, too.
void TestSecurityInput::bomPathsListAndDeleteApart()
{
    QCOMPARE(writeAs(QStringLiteral("url"), {QStringLiteral("bom"), QStringLiteral("x")},
                     QStringLiteral("plain")),
             QStringLiteral("ok"));
    QCOMPARE(writeAs(QStringLiteral("url"), {kBom + QStringLiteral("bom"), QStringLiteral("x")},
                     QStringLiteral("marked")),
             QStringLiteral("ok"));
    HttpResult r = m_http->get(TestHttp::entries("?pattern=**"));
    QCOMPARE(r.status, 200);
    QStringList paths;
    const QJsonObject listing = dust::jsonbytes::parseDocument(r.body).object();
    for (const QJsonValue item : listing.value(QStringLiteral("items")).toArray())
        paths.append(item.toObject().value(QStringLiteral("path")).toString());
    paths.sort();
    QCOMPARE(paths, QStringList({QStringLiteral("bom/x"), kBom + QStringLiteral("bom/x")}));

    // A pattern in the query string keeps it too.
    r = m_http->get(TestHttp::entries("?pattern=%EF%BB%BFbom/*"));
    QCOMPARE(r.status, 200);
    const QJsonArray marked =
        dust::jsonbytes::parseDocument(r.body).object().value(QStringLiteral("items")).toArray();
    QCOMPARE(marked.size(), 1);
    QCOMPARE(marked.first().toObject().value(QStringLiteral("path")).toString(),
             kBom + QStringLiteral("bom/x"));

    QCOMPARE(m_http->del(TestHttp::entries("/%EF%BB%BFbom")).status, 200);
    QCOMPARE(valueAt(m_server->store(), {QStringLiteral("bom"), QStringLiteral("x")}),
             QStringLiteral("plain"));
    QCOMPARE(m_server->store()->entryCount(), 1);
}

void TestSecurityInput::urlPathThatIsNotUtf8_data()
{
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("overlong '/'") << QByteArray("a%C0%AFb");
    QTest::newRow("overlong, 3 bytes") << QByteArray("a%E0%80%AFb");
    QTest::newRow("overlong NUL") << QByteArray("a%C0%80");
    QTest::newRow("stray byte") << QByteArray("%FF");
    QTest::newRow("truncated") << QByteArray("x/%C3");
    QTest::newRow("surrogate") << QByteArray("%ED%A0%80");
    QTest::newRow("beyond U+10FFFF") << QByteArray("%F4%90%80%80");
}

void TestSecurityInput::urlPathThatIsNotUtf8()
{
    QFETCH(QByteArray, encoded);
    for (const QByteArray &method : {QByteArray("GET"), QByteArray("PUT")}) {
        const RawAnswer answer = rawhttp::request(
            m_server->port(),
            method + " /api/stores/local/demo/entries/" + encoded +
                " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer dust_tok_dev\r\n"
                "Content-Type: application/json\r\n",
            method == "PUT" ? QByteArray("1") : QByteArray());
        QVERIFY2(answer.status == 400, answer.raw.constData());
        QCOMPARE(answer.error(), QStringLiteral("invalid_params"));
        QVERIFY2(answer.detail().startsWith(QLatin1String("path is not valid UTF-8")),
                 answer.body.constData());
    }
    QCOMPARE(m_server->store()->currentSeq(), 0);
}

void TestSecurityInput::queryThatIsNotUtf8_data()
{
    // A query field's percent-decoded bytes that are not UTF-8 used to become U+FFFD: the
    // listing of "a\ufffdb" instead of a refusal. `name` is what the detail names.
    QTest::addColumn<QByteArray>("target"); // after /api/stores/local/demo
    QTest::addColumn<QString>("name");
    QTest::newRow("pattern, overlong '/'") << QByteArray("/entries?pattern=a%C0%AFb") << "pattern";
    QTest::newRow("after, stray byte") << QByteArray("/entries?after=%FF") << "after";
    QTest::newRow("pattern, truncated")
        << QByteArray("/entries?select=keys&pattern=x%C3") << "pattern";
    QTest::newRow("prefixes, surrogate") << QByteArray("/entries?prefixes=%ED%A0%80") << "prefixes";
    QTest::newRow("unknown field, overlong NUL") << QByteArray("/entries?extra=%C0%80") << "extra";
    QTest::newRow("log path, beyond U+10FFFF") << QByteArray("/log?path=%F4%90%80%80") << "path";
    QTest::newRow("log device_id, 3-byte overlong")
        << QByteArray("/log?device_id=%E0%80%AF") << "device_id";
    QTest::newRow("export format") << QByteArray("/export?format=%FFjsonl") << "format";
    QTest::newRow("diff from_seq") << QByteArray("/diff?from_seq=1%FE") << "from_seq";
    QTest::newRow("the name itself") << QByteArray("/entries?pat%FFtern=a") << "";
}

void TestSecurityInput::queryThatIsNotUtf8()
{
    QFETCH(QByteArray, target);
    QFETCH(QString, name);
    QVERIFY(m_http->put(TestHttp::entries("/a"), "1").status == 200);
    const RawAnswer answer = rawhttp::request(
        m_server->port(),
        "GET /api/stores/local/demo" + target +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer dust_tok_dev\r\n");
    QVERIFY2(answer.status == 400, answer.raw.constData());
    QCOMPARE(answer.error(), QStringLiteral("invalid_params"));
    const QString expected =
        name.isEmpty() ? QStringLiteral("a query parameter name is not valid UTF-8")
                       : QStringLiteral("query parameter %1 is not valid UTF-8").arg(name);
    QVERIFY2(answer.detail().startsWith(expected), answer.body.constData());
    QVERIFY2(answer.detail().contains(QLatin1String("percent-encode")), answer.body.constData());
}

void TestSecurityInput::deviceIdLength_data()
{
    QTest::addColumn<int>("limit"); // 0: the default
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("status");
    QTest::newRow("16 KB") << 0 << 16 * 1024 << 403;
    QTest::newRow("at the default limit") << 0 << 256 << 101;
    QTest::newRow("one over the default") << 0 << 257 << 403;
    QTest::newRow("configured, at") << 8 << 8 << 101;
    QTest::newRow("configured, over") << 8 << 9 << 403;
    QTest::newRow("configured higher") << 1024 << 1000 << 101;
}

void TestSecurityInput::deviceIdLength()
{
    QFETCH(int, limit);
    QFETCH(int, length);
    QFETCH(int, status);
    InProcessDustlite dustlite;
    if (limit)
        dustlite.config().maxDeviceIdLength = limit;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    const RawAnswer answer = rawhttp::request(
        dustlite.port(),
        rawhttp::upgradeHead(deviceTarget(QByteArray(length, 'd')), "Host: 127.0.0.1\r\n"));
    QVERIFY2(answer.status == status, answer.raw.left(300).constData());
    if (status == 403) {
        QVERIFY2(answer.detail().contains(QLatin1String("device_id")), answer.body.constData());
        QVERIFY2(answer.detail().contains(QString::number(limit ? limit : 256)),
                 answer.body.constData());
    }
}

// A socket that reaches the endpoint some other way is held to the same limit.
void TestSecurityInput::overlongDeviceIdIsClosedAfterUpgrade()
{
    dust::lite::ServerConfig config;
    config.maxDeviceIdLength = 8;
    wstest::WsServer server(config);
    QVERIFY(server.start());
    wstest::WsClient client;
    client.open(server.url(
        QString(wstest::kToken),
        QStringLiteral("token=%1&device_id=dev_123456789&capver=3&vsn=2.0.0").arg(wstest::kToken)));
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode, QWebSocketProtocol::CloseCodePolicyViolated);
    QVERIFY2(client.closeReason.contains(QLatin1String("device_id")),
             qPrintable(client.closeReason));
}

QTEST_GUILESS_MAIN(TestSecurityInput)
#include "tst_security_input.moc"
