// SdkTransport::putFile: the put_file event (dust-protocol.md §5.5) against a real dustlite:
// the file-ref leaf read back over REST, the bytes with fetchFile, the reply's hash and seq,
// the content type defaulted by the server, and the refusal of a token without files:write.

#include "InProcessDustlite.h"
#include "SdkTestSupport.h"
#include "transport/HttpTransport.h"

#include <QCryptographicHash>
#include <QTest>

using namespace sdktest;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kNoFiles = QStringLiteral("dust_tok_nofiles");

QString sha256Of(const QByteArray &bytes)
{
    return QStringLiteral("sha256:") +
           QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

template <typename T> QString why(const Result<T> &result)
{
    return result ? QString() : describe(result.error());
}

} // namespace

class TestSdkPutFile : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void uploads_data();
    void uploads();
    void refusedWithoutFilesWrite();

private:
    dust::test::InProcessDustlite m_server;
};

void TestSdkPutFile::initTestCase()
{
    m_server.config().tokens = {
        {QStringLiteral("dust_tok_dev"), {}, {}},
        {kNoFiles, {}, {QStringLiteral("entries:read"), QStringLiteral("entries:write")}}};
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
}

void TestSdkPutFile::uploads_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("filename");
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<QString>("storedType");

    QByteArray binary(70000, Qt::Uninitialized);
    for (int i = 0; i < binary.size(); ++i)
        binary[i] = char((i * 131) % 256);
    QTest::newRow("text with a name")
        << "files/readme" << QByteArray("hello, dust\n") << "readme.txt"
        << "text/plain"
        << "text/plain";
    QTest::newRow("binary, no type")
        << "files/blob" << binary << "blob.bin" << QString() << "application/octet-stream";
    QTest::newRow("escaped segment, no name")
        << "files/a~1b" << QByteArray("x") << QString() << "text/plain"
        << "text/plain";
    QTest::newRow("empty file") << "files/empty" << QByteArray() << "empty"
                                << "text/plain"
                                << "text/plain";
}

void TestSdkPutFile::uploads()
{
    QFETCH(QString, target);
    QFETCH(QByteArray, content);
    QFETCH(QString, filename);
    QFETCH(QString, contentType);
    QFETCH(QString, storedType);

    SdkTransport sdk(options(m_server.wsUrl()));
    QVERIFY(waitLive(sdk, kStore));
    const Path where = path(target);
    const auto written = await(sdk.putFile(kStore, where, content, filename, contentType));
    QVERIFY2(written, qPrintable(why(written)));
    QVERIFY(written->storeSeq > 0);
    QCOMPARE(written->extra.value(QLatin1String("hash")).toString(), sha256Of(content));

    HttpTransport rest(m_server.baseUrl(), QStringLiteral("dust_tok_dev"));
    const auto entry = await(rest.get(kStore, where));
    QVERIFY2(entry, qPrintable(why(entry)));
    QCOMPARE(entry->type, QStringLiteral("file"));
    QCOMPARE(entry->revision, written->storeSeq);
    const QJsonObject ref = entry->value.toObject();
    QCOMPARE(ref.value(QLatin1String("_type")).toString(), QStringLiteral("file"));
    QCOMPARE(ref.value(QLatin1String("hash")).toString(), sha256Of(content));
    QCOMPARE(ref.value(QLatin1String("size")).toInteger(), content.size());
    QCOMPARE(ref.value(QLatin1String("content_type")).toString(), storedType);
    if (filename.isEmpty())
        QVERIFY(ref.value(QLatin1String("filename")).isNull() ||
                ref.value(QLatin1String("filename")).isUndefined());
    else
        QCOMPARE(ref.value(QLatin1String("filename")).toString(), filename);

    const auto bytes = await(sdk.fetchFile(sha256Of(content)));
    QVERIFY2(bytes, qPrintable(why(bytes)));
    QCOMPARE(*bytes, content);
}

void TestSdkPutFile::refusedWithoutFilesWrite()
{
    SdkTransport sdk(options(m_server.wsUrl(), kNoFiles));
    QVERIFY(waitLive(sdk, kStore));
    const Path where = path(QStringLiteral("files/refused"));
    const auto written =
        await(sdk.putFile(kStore, where, QByteArray("no"), QStringLiteral("no.txt"), {}));
    QVERIFY(!written);
    QCOMPARE(written.error().kind(), Error::Kind::Forbidden);
    QCOMPARE(written.error().reason(), QStringLiteral("missing_scope"));
    QVERIFY2(written.error().message().contains(QLatin1String("files:write")),
             qPrintable(written.error().message()));

    HttpTransport rest(m_server.baseUrl(), QStringLiteral("dust_tok_dev"));
    const auto entry = await(rest.get(kStore, where));
    QVERIFY(!entry);
    QCOMPARE(entry.error().kind(), Error::Kind::NotFound);
}

QTEST_GUILESS_MAIN(TestSdkPutFile)
#include "tst_sdk_putfile.moc"
