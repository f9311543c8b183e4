// TLS failures reach people in words. A TLS server on 127.0.0.1 with a self-signed
// certificate (made for this test: CN=localhost, IP 127.0.0.1, not trusted by anyone): the
// REST transport, the WebSocket transport and the connection dialog's "Test connection"
// each fail with the certificate's problem in their message; nothing ignores TLS errors.

#include "connection/ConnectionDialog.h"
#include "connection/ProfileForm.h"
#include "connection/ProfileStore.h"
#include "connection/TokenVault.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include "ConnectionTestSupport.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"

#include <QPushButton>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>

using namespace dust;
using namespace dust::test;

namespace {

// openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=localhost
//   -addext subjectAltName=DNS:localhost,IP:127.0.0.1
constexpr const char kCertificate[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIDJzCCAg+gAwIBAgIUAVlb6OeiLy/bGsAA4+VePLHSvM8wDQYJKoZIhvcNAQEL\n"
    "BQAwFDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNjA1MDE0NFoYDzIxMjYx\n"
    "MTEyMDUwMTQ0WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwggEiMA0GCSqGSIb3DQEB\n"
    "AQUAA4IBDwAwggEKAoIBAQCZHE+wNkHrZ35Og6Lwhe3pmtAujP5kOq8oDD19lnio\n"
    "3y+cLOthD+dhB1Iciz+cWJ3JmUfArbvxdBOy2lmfRvWvSpNswRdP2oY8S7usRtrN\n"
    "h5pQ3JoBoKrS2E08kHBkFwn+UJ0q4uA7ddB56DR/YUdEqi8yCHF7D/M7JkiFrDRa\n"
    "Z1Hz7O4ivHdfGaJFZ292Xup+X3QDNPLIfyYkcNx/OGmF3DGopEOSGbemDstHTwVs\n"
    "eqilHMsc8iln30YvnlAooJiCiLG2BBljchYSKkJxhgrA65VHPz1/SpbEHxHYZwK5\n"
    "jND/KlBEaSbYTXzoIbibBXz7yAP+60+u3yPhpxlF7sF7AgMBAAGjbzBtMB0GA1Ud\n"
    "DgQWBBSZhNNvnis+wT9BxRUzLsqnvBrKmzAfBgNVHSMEGDAWgBSZhNNvnis+wT9B\n"
    "xRUzLsqnvBrKmzAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGCCWxvY2FsaG9z\n"
    "dIcEfwAAATANBgkqhkiG9w0BAQsFAAOCAQEACbbwY5yFMLe2rbaQGLUMJ0k2hr1S\n"
    "N3/VfhntJ2bSQXxXOtwGUf74IRXMiu+hptA9EdRMo9ewPlwdB8cfDFc9uvwLs88I\n"
    "727PT1BTKWCEC4s1bKz46tyCIrktxjvqoyCyTIPwAUzrWiQcWY64pIdO3bVTHVuX\n"
    "U4Rf/jPY8m60tUI2j6IFDGVIOyUFTlR4WIfPinccOoFN6renTyHOsQrVRacut4B1\n"
    "nYzPCcEr6JzCzKB5a9E+FWRte67cEyGTsk19MSZB3HgxsJzo8hOrQDAnhqHhIXz7\n"
    "qQs6SP/+NAR0ZJvnJVQjDi9YsN3sLy02oiHpIDALYCgSU/g0xLCrPvrTlQ==\n"
    "-----END CERTIFICATE-----\n";

constexpr const char kPrivateKey[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCZHE+wNkHrZ35O\n"
    "g6Lwhe3pmtAujP5kOq8oDD19lnio3y+cLOthD+dhB1Iciz+cWJ3JmUfArbvxdBOy\n"
    "2lmfRvWvSpNswRdP2oY8S7usRtrNh5pQ3JoBoKrS2E08kHBkFwn+UJ0q4uA7ddB5\n"
    "6DR/YUdEqi8yCHF7D/M7JkiFrDRaZ1Hz7O4ivHdfGaJFZ292Xup+X3QDNPLIfyYk\n"
    "cNx/OGmF3DGopEOSGbemDstHTwVseqilHMsc8iln30YvnlAooJiCiLG2BBljchYS\n"
    "KkJxhgrA65VHPz1/SpbEHxHYZwK5jND/KlBEaSbYTXzoIbibBXz7yAP+60+u3yPh\n"
    "pxlF7sF7AgMBAAECggEAD4BBRRrJI7cPn41OMsGsa4kj6IKXwrf6QbizhQJ15srp\n"
    "vAsELYh5qWYfVwp1/zMtjlp5XDV6oKBa2jGm/ywk9YE8WbdWz9vU2UflkTR/NG21\n"
    "HtimsuF8SepiL26EIm3+sgOhVdUwVHTCDYWHwxmrKHV+X7dhHc9olaVzlCzyA/Dn\n"
    "zXiKjtbu2ZQHuHT6OazmMDk3VGkcCZj3ozxXS4tuKayEOqx8btCovfL9Zm8I0TIa\n"
    "wvevXmKbD48w3/ND0MFx3Ckql4qvaykNAcFXJ1BAceNv3MD50ACiutD/jsiztRMb\n"
    "lkuv11mgSf5nFJmzB9w39pBMaJUUWrFFA5wl7ow9QQKBgQDLs87IwX3dtIJDCrmx\n"
    "DfrTuEsgBX+8IXfsWWxmXx4wgx3XzJulyMAZKDrCliPkV8vPZ8QK4UuRd5blySp2\n"
    "2oWbBLXCtMLvWQsX6CDgINx9HdhUSWkaimv3suASoaRVJYsajNg1tAw9a/0/HfDS\n"
    "bYBuWtyV+iPD/0RZWYLiJS8PYQKBgQDAa2UZe0TwnQO9qYpCah9WvXWw4Bj4+Bdr\n"
    "8YY8LYBdKMKtE4cC0xHLTUMj6l7l9lwM8D11phpdXOKJ3yyYNt5GY/je2YqquMfU\n"
    "lDRUq4Khz4cXKPCy1ZmRUHS6nwqASj4bygxqxvCzHM4ivilZ3hEyyh3SEdciv43W\n"
    "ps8UaiqKWwKBgCLeKl0u0a6rgUicg2CNNgwblbBrgIvhZresLuPvECnZp7gSq+na\n"
    "zRcBTd2U+ZvSc26TInmCSv8ha1D1+DDUAt6gFcS4UE3L/hwffdEfjt5Tx33V+wmx\n"
    "+/0wPy6xQIHapU7sIO5AXX/+BiFRrLE4US2SnAOIB6s6/KYWrlKrbrzBAoGAL6Gm\n"
    "GiOwkhtcFLQGPKCGd3NY0dr3c5H+QkM8ZmMhFm6DmlJuJl3XVsseZqKasTRF3xIN\n"
    "NLVUa24VyelL4bYbWbNfpNKXB+HL3ax+M8NtB98WYr5Irww/AoC3FIdQEyfNrhVa\n"
    "84ehh8UGpgUKuWtGOJtdvGWcKsbeNpd+RWBufWcCgYEAnT4XARog9zMg7YypN5od\n"
    "uNPn3z/mwR33dK0mHKfDM1LdL4Vm+5Fr8hjHLdZcc/UxbctoXgg73wzjj4wTNEC/\n"
    "9cu6Obz956viwuiEoBsxeNBfKSMUKBFF/cb/W75+mdseLuh02zrhaWL3vqF/251k\n"
    "SLGFdUlCjH5hoQJJ0UDszPA=\n"
    "-----END PRIVATE KEY-----\n";

// A TLS server that completes no handshake a verifying client would accept.
class SelfSignedServer
{
public:
    bool listen()
    {
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(QSslCertificate(QByteArray(kCertificate), QSsl::Pem));
        config.setPrivateKey(QSslKey(QByteArray(kPrivateKey), QSsl::Rsa, QSsl::Pem));
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server.setSslConfiguration(config);
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QUrl url(const QString &scheme = QStringLiteral("https")) const
    {
        QUrl url;
        url.setScheme(scheme);
        url.setHost(QStringLiteral("127.0.0.1"));
        url.setPort(m_server.serverPort());
        return url;
    }

private:
    QSslServer m_server;
};

bool mentionsCertificate(const QString &text)
{
    return text.contains(QStringLiteral("certificate"), Qt::CaseInsensitive) &&
           text.contains(QStringLiteral("self-signed"), Qt::CaseInsensitive);
}

} // namespace

class TestConnectionsTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void restTransportSaysWhatIsWrongWithTheCertificate();
    void liveTransportSaysWhatIsWrongWithTheCertificate();
    void testConnectionShowsTheTlsError();
};

void TestConnectionsTls::initTestCase()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend in this Qt");
    QVERIFY(!QSslCertificate(QByteArray(kCertificate), QSsl::Pem).isNull());
}

void TestConnectionsTls::restTransportSaysWhatIsWrongWithTheCertificate()
{
    SelfSignedServer server;
    QVERIFY(server.listen());
    HttpTransport http(server.url(), QStringLiteral("dust_tok_dev"));
    const auto stores = await(http.listStores());
    QVERIFY(!stores);
    QCOMPARE(stores.error().kind(), Error::Kind::Network);
    QVERIFY2(mentionsCertificate(stores.error().message()), qPrintable(stores.error().message()));
    QVERIFY(!stores.error().message().contains(QStringLiteral("dust_tok_dev")));
}

void TestConnectionsTls::liveTransportSaysWhatIsWrongWithTheCertificate()
{
    SelfSignedServer server;
    QVERIFY(server.listen());
    SdkTransport live(sdkOptions(server.url(QStringLiteral("wss"))));
    QSignalSpy failed(&live, &SdkTransport::connectionError);
    live.open(QStringLiteral("local/demo"));
    QVERIFY(failed.wait(20000));
    const Error error = failed.first().first().value<Error>();
    QCOMPARE(error.kind(), Error::Kind::Network);
    QVERIFY2(mentionsCertificate(error.message()), qPrintable(error.message()));
    QVERIFY(!error.message().contains(QStringLiteral("dust_tok_dev")));
}

void TestConnectionsTls::testConnectionShowsTheTlsError()
{
    SelfSignedServer server;
    QVERIFY(server.listen());
    ProfilesFile file;
    ProfileStore profiles(file.settings());
    TokenVault vault(nullptr, testService());
    ConnectionDialog dialog(profiles, vault);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    fill(dialog, QStringLiteral("Pinned"), server.url().toString(), QStringLiteral("dust_tok_dev"));
    QSignalSpy tested(&dialog, &ConnectionDialog::testFinished);
    QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
    QVERIFY(tested.wait(20000));
    QCOMPARE(tested.first().at(0).toBool(), false);
    QVERIFY2(mentionsCertificate(dialog.statusText()), qPrintable(dialog.statusText()));
}

QTEST_MAIN(TestConnectionsTls)
#include "tst_connections_tls.moc"
