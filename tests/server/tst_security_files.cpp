// Uploaded files are served back safely: a put_file's content_type and filename are checked
// at upload (no header injection), Content-Disposition is encoded per RFC 6266, every file
// answer says X-Content-Type-Options: nosniff, and active types (HTML, SVG, JavaScript, XML)
// are served as attachments, never rendered in the server's origin.

#include "InProcessDustlite.h"
#include "RawHttp.h"
#include "WsClient.h"

#include <QTest>

using dust::test::InProcessDustlite;
using rawhttp::RawAnswer;
using wstest::replyStatus;
using wstest::response;
using wstest::WsClient;

namespace {

const QString kTopic = QStringLiteral("store:local/demo");

struct Upload
{
    QString status; // "ok" or "error"
    QString reason; // of an error
    QString hash;   // of an accepted file
};

} // namespace

class TestSecurityFiles : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void refusedAtUpload_data();
    void refusedAtUpload();
    void writeWithPutFileOpIsCheckedToo();
    void servedHeaders_data();
    void servedHeaders();
    void storedBadHeadersAreDefused();

private:
    Upload upload(const QString &event, const QString &contentType, const QString &filename,
                  const QByteArray &content = "<b>hello</b>");
    RawAnswer download(const QString &hash);

    std::unique_ptr<InProcessDustlite> m_server;
    std::unique_ptr<WsClient> m_client;
    int m_ops = 0;
};

void TestSecurityFiles::init()
{
    m_server = std::make_unique<InProcessDustlite>();
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_client = std::make_unique<WsClient>();
    QUrl url = m_server->wsUrl();
    url.setPath(url.path() + QStringLiteral("/websocket"));
    url.setQuery(QStringLiteral("token=dust_tok_dev&device_id=dev_files&capver=3&vsn=2.0.0"));
    QVERIFY(m_client->open(url));
    m_client->join(kTopic);
    QCOMPARE(replyStatus(m_client->joinReply), QStringLiteral("ok"));
}

void TestSecurityFiles::cleanup()
{
    m_client.reset();
    m_server.reset();
}

Upload TestSecurityFiles::upload(const QString &event, const QString &contentType,
                                 const QString &filename, const QByteArray &content)
{
    QJsonObject payload{{QStringLiteral("path"), QStringLiteral("files/f%1").arg(++m_ops)},
                        {QStringLiteral("content"), QString::fromLatin1(content.toBase64())},
                        {QStringLiteral("client_op_id"), QStringLiteral("op_file_%1").arg(m_ops)}};
    if (!contentType.isNull())
        payload.insert(QStringLiteral("content_type"), contentType);
    if (!filename.isNull())
        payload.insert(QStringLiteral("filename"), filename);
    if (event == QLatin1String("write"))
        payload.insert(QStringLiteral("op"), QStringLiteral("put_file"));
    const auto reply = m_client->call(kTopic, event, payload);
    const QJsonObject answer = response(reply);
    return {replyStatus(reply), answer.value(QStringLiteral("reason")).toString(),
            answer.value(QStringLiteral("hash")).toString()};
}

RawAnswer TestSecurityFiles::download(const QString &hash)
{
    return rawhttp::request(m_server->port(), "GET /api/files/" + hash.toUtf8() +
                                                  " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                  "Authorization: Bearer dust_tok_dev\r\n");
}

void TestSecurityFiles::refusedAtUpload_data()
{
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<QString>("filename");
    QTest::addColumn<QString>("reason");
    const QString type = QStringLiteral("text/plain");
    const QString name = QStringLiteral("notes.txt");
    const QString badType = QStringLiteral("invalid_content_type");
    const QString badName = QStringLiteral("invalid_filename");
    QTest::newRow("CRLF in content_type")
        << QStringLiteral("text/html\r\nSet-Cookie: session=stolen") << name << badType;
    QTest::newRow("LF in content_type")
        << QStringLiteral("text/html\nX-Evil: 1") << name << badType;
    QTest::newRow("CRLF in a parameter")
        << QStringLiteral("text/plain; charset=utf-8\r\nX-Evil: 1") << name << badType;
    QTest::newRow("no subtype") << QStringLiteral("text") << name << badType;
    QTest::newRow("empty subtype") << QStringLiteral("text/") << name << badType;
    QTest::newRow("space in the type") << QStringLiteral("text /html") << name << badType;
    QTest::newRow("not ASCII") << QStringLiteral("text/h\u00e9ml") << name << badType;
    QTest::newRow("bad parameter") << QStringLiteral("text/plain; charset") << name << badType;
    QTest::newRow("CRLF in filename")
        << type << QStringLiteral("a.txt\r\nSet-Cookie: session=stolen") << badName;
    QTest::newRow("LF in filename") << type << QStringLiteral("a\nb.txt") << badName;
    QTest::newRow("quote in filename") << type << QStringLiteral("a\".txt") << badName;
    QTest::newRow("backslash in filename") << type << QStringLiteral("a\\b.txt") << badName;
    QTest::newRow("control in filename") << type << QStringLiteral("a\u0001b.txt") << badName;
    QTest::newRow("DEL in filename") << type << QStringLiteral("a\u007fb.txt") << badName;
    QTest::newRow("long filename") << type << QString(300, QLatin1Char('x')) << badName;
}

void TestSecurityFiles::refusedAtUpload()
{
    QFETCH(QString, contentType);
    QFETCH(QString, filename);
    QFETCH(QString, reason);
    const Upload result = upload(QStringLiteral("put_file"), contentType, filename);
    QCOMPARE(result.status, QStringLiteral("error"));
    QCOMPARE(result.reason, reason);
    // Nothing was written.
    QCOMPARE(m_server->store()->currentSeq(), 0);
}

void TestSecurityFiles::writeWithPutFileOpIsCheckedToo()
{
    const Upload result = upload(QStringLiteral("write"), QStringLiteral("text/html\r\nX-Evil: 1"),
                                 QStringLiteral("a.html"));
    QCOMPARE(result.status, QStringLiteral("error"));
    QCOMPARE(result.reason, QStringLiteral("invalid_content_type"));
}

void TestSecurityFiles::servedHeaders_data()
{
    QTest::addColumn<QString>("contentType"); // null: not given
    QTest::addColumn<QString>("filename");    // null: not given
    QTest::addColumn<QByteArray>("servedType");
    QTest::addColumn<QByteArray>("disposition"); // empty: no Content-Disposition
    QTest::newRow("image inline") << QStringLiteral("image/png") << QStringLiteral("logo.png")
                                  << QByteArray("image/png")
                                  << QByteArray("inline; filename=\"logo.png\"");
    QTest::newRow("text with charset")
        << QStringLiteral("text/plain; charset=utf-8") << QStringLiteral("a b.txt")
        << QByteArray("text/plain; charset=utf-8") << QByteArray("inline; filename=\"a b.txt\"");
    QTest::newRow("no filename") << QStringLiteral("image/png") << QString()
                                 << QByteArray("image/png") << QByteArray();
    QTest::newRow("no type") << QString() << QString() << QByteArray("application/octet-stream")
                             << QByteArray();
    QTest::newRow("html") << QStringLiteral("text/html") << QStringLiteral("page.html")
                          << QByteArray("text/html")
                          << QByteArray("attachment; filename=\"page.html\"");
    QTest::newRow("HTML, any case")
        << QStringLiteral("TEXT/HTML; charset=utf-8") << QStringLiteral("page.html")
        << QByteArray("TEXT/HTML; charset=utf-8")
        << QByteArray("attachment; filename=\"page.html\"");
    QTest::newRow("html without filename") << QStringLiteral("text/html") << QString()
                                           << QByteArray("text/html") << QByteArray("attachment");
    QTest::newRow("svg") << QStringLiteral("image/svg+xml") << QStringLiteral("logo.svg")
                         << QByteArray("image/svg+xml")
                         << QByteArray("attachment; filename=\"logo.svg\"");
    QTest::newRow("javascript") << QStringLiteral("application/javascript")
                                << QStringLiteral("x.js") << QByteArray("application/javascript")
                                << QByteArray("attachment; filename=\"x.js\"");
    QTest::newRow("text/javascript") << QStringLiteral("text/javascript") << QString()
                                     << QByteArray("text/javascript") << QByteArray("attachment");
    QTest::newRow("xhtml") << QStringLiteral("application/xhtml+xml") << QString()
                           << QByteArray("application/xhtml+xml") << QByteArray("attachment");
    QTest::newRow("xml") << QStringLiteral("text/xml") << QString() << QByteArray("text/xml")
                         << QByteArray("attachment");
    QTest::newRow("non-ASCII filename (RFC 6266 filename*)")
        << QStringLiteral("application/pdf") << QStringLiteral("r\u00e9sum\u00e9 1.pdf")
        << QByteArray("application/pdf")
        << QByteArray("inline; filename=\"r_sum_ 1.pdf\"; "
                      "filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf");
    QTest::newRow("percent and semicolon in filename")
        << QStringLiteral("image/png") << QStringLiteral("100%;x.png") << QByteArray("image/png")
        << QByteArray("inline; filename=\"100%;x.png\"; filename*=UTF-8''100%25%3Bx.png");
}

void TestSecurityFiles::servedHeaders()
{
    QFETCH(QString, contentType);
    QFETCH(QString, filename);
    QFETCH(QByteArray, servedType);
    QFETCH(QByteArray, disposition);
    const Upload result = upload(QStringLiteral("put_file"), contentType, filename);
    QCOMPARE(result.status, QStringLiteral("ok"));
    const RawAnswer answer = download(result.hash);
    QVERIFY2(answer.status == 200, answer.raw.left(400).constData());
    QCOMPARE(answer.body, QByteArray("<b>hello</b>"));
    QCOMPARE(answer.header("content-type"), servedType);
    QCOMPARE(answer.header("x-content-type-options"), QByteArray("nosniff"));
    QCOMPARE(answer.hasHeader("content-disposition"), !disposition.isEmpty());
    QCOMPARE(answer.header("content-disposition"), disposition);
}

// Files stored before uploads were checked (or written by other means) may hold anything:
// served, they still cannot add headers or render.
void TestSecurityFiles::storedBadHeadersAreDefused()
{
    const auto written = m_server->store()->putFile(
        dust::Path::parse(u"files/old").value(), "<script>alert(1)</script>",
        QStringLiteral("x.html\r\nSet-Cookie: b=2"), QStringLiteral("text/html\r\nSet-Cookie: a=1"),
        QStringLiteral("dev_old"), QStringLiteral("op_old"));
    QVERIFY(written.ok);
    const QString hash = written.replyExtra.value(QStringLiteral("hash")).toString();
    const RawAnswer answer = download(hash);
    QVERIFY2(answer.status == 200, answer.raw.left(400).constData());
    QVERIFY2(!answer.hasHeader("set-cookie"), answer.raw.left(600).constData());
    QCOMPARE(answer.header("content-type"), QByteArray("application/octet-stream"));
    QVERIFY2(answer.header("content-disposition").startsWith("attachment"),
             answer.raw.left(600).constData());
    QCOMPARE(answer.header("x-content-type-options"), QByteArray("nosniff"));
}

QTEST_GUILESS_MAIN(TestSecurityFiles)
#include "tst_security_files.moc"
