// Connections against a real keychain and a real server. Runs inside
// tests/support/with-keyring.sh (a private D-Bus session with an unlocked gnome-keyring), and
// against a dustlite on 127.0.0.1: saved profiles round-trip through a QSettings file that
// never holds a token, tokens go to the keychain and come back, the connection dialog lists
// stores and tests the connection with the server's answer in words, and a cleartext URL to
// another host is refused.

#include "ConnectionTestSupport.h"
#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "TestAwait.h"

#include "connection/CleartextPolicy.h"
#include "connection/ConnectionDialog.h"
#include "connection/ProfileForm.h"
#include "connection/ProfileStore.h"
#include "connection/SessionToken.h"
#include "connection/TokenPrompt.h"
#include "connection/TokenVault.h"
#include "connection/TransportFactory.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStandardPaths>

using namespace dust;
using namespace dust::test;

Q_DECLARE_METATYPE(dust::ConnectionProfile)
Q_DECLARE_METATYPE(dust::CleartextPolicy::Verdict)

namespace {

const QString kToken = QStringLiteral("dust_tok_dev");

ConnectionProfile profileFor(const QString &name, const QUrl &url)
{
    ConnectionProfile p;
    p.name = name;
    p.url = url;
    p.defaultStore = QStringLiteral("local/demo");
    return p;
}

} // namespace

class TestConnections : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void profileRoundTrip_data();
    void profileRoundTrip();
    void profileProblems_data();
    void profileProblems();
    void cleartextPolicy_data();
    void cleartextPolicy();
    void factoryRefusesCleartextToAnotherHost();

    void vaultWriteReadRemove();
    void vaultMayGoBeforeItsAnswer();
    void sessionTokenComesFromTheKeychain();
    void sessionTokenAsksWhenNothingIsStored();

    void profileConnectsWithItsKeychainToken();
    void dialogLoadsStoresAndTestsTheConnection();
    void dialogSaysWhyAWrongTokenFails();
    void dialogRefusesCleartextUrl();
    void dialogNewDuplicateDelete();

private:
    std::unique_ptr<InProcessDustlite> startDustlite();
};

void TestConnections::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    // The suite needs the keychain with-keyring.sh provides: say so rather than fail later.
    TokenVault vault(nullptr, testService());
    const TokenVault::Outcome probe = awaitOutcome(vault.read(QStringLiteral("probe")));
    QVERIFY2(probe.status == TokenVault::Status::NotFound,
             qPrintable(QStringLiteral("no usable keychain (run under "
                                       "tests/support/with-keyring.sh): ") +
                        probe.message));
}

std::unique_ptr<InProcessDustlite> TestConnections::startDustlite()
{
    auto dustlite = std::make_unique<InProcessDustlite>();
    dustlite->config().stores = {QStringLiteral("local/demo"), QStringLiteral("local/other")};
    if (!dustlite->start())
        qWarning("dustlite: %s", qPrintable(dustlite->errorString()));
    return dustlite;
}

void TestConnections::profileRoundTrip_data()
{
    QTest::addColumn<ConnectionProfile>("profile");
    ConnectionProfile plain =
        profileFor(QStringLiteral("Work"), QUrl(QStringLiteral("https://dustlayer.io")));
    QTest::newRow("plain") << plain;
    ConnectionProfile rest = plain;
    rest.name = QStringLiteral("staging/eu \\ a=b; [x]");
    rest.url = QUrl(QStringLiteral("https://dust.example.org:8443/prefix"));
    rest.transport = ProfileTransport::Rest;
    rest.readOnly = true;
    rest.defaultStore.clear();
    QTest::newRow("separators in the name, REST, read-only") << rest;
    ConnectionProfile cleartext = plain;
    cleartext.name = QStringLiteral("Büro – Lager ☃");
    cleartext.url = QUrl(QStringLiteral("http://10.0.0.5:7755"));
    cleartext.allowCleartext = true;
    QTest::newRow("unicode name, cleartext allowed") << cleartext;
}

void TestConnections::profileRoundTrip()
{
    QFETCH(ConnectionProfile, profile);
    ProfilesFile file;
    {
        ProfileStore store(file.settings());
        QCOMPARE(store.save(profile), QString());
        QCOMPARE(store.save(profileFor(QStringLiteral("Other"),
                                       QUrl(QStringLiteral("http://localhost:7755")))),
                 QString());
    }
    const auto settings = file.reopen();
    ProfileStore reread(*settings);
    QCOMPARE(reread.names().size(), 2);
    QVERIFY(reread.names().contains(profile.name));
    const std::optional<ConnectionProfile> loaded = reread.load(profile.name);
    QVERIFY(loaded);
    QCOMPARE(*loaded, profile);

    profile.defaultStore = QStringLiteral("acme/changed");
    QCOMPARE(reread.save(profile), QString());
    QCOMPARE(reread.load(profile.name)->defaultStore, QStringLiteral("acme/changed"));
    QCOMPARE(reread.names().size(), 2);
    QCOMPARE(reread.remove(profile.name), QString());
    QVERIFY(!reread.load(profile.name));
    QCOMPARE(reread.names(), QStringList{QStringLiteral("Other")});
}

void TestConnections::profileProblems_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("store");
    QTest::addColumn<QString>("words"); // empty = usable
    QTest::newRow("usable") << "A"
                            << "https://dustlayer.io"
                            << "acme/config"
                            << "";
    QTest::newRow("no name") << " "
                             << "https://dustlayer.io"
                             << ""
                             << "needs a name";
    QTest::newRow("no scheme") << "A"
                               << "dustlayer.io"
                               << ""
                               << "not a server address";
    QTest::newRow("ftp") << "A"
                         << "ftp://dustlayer.io"
                         << ""
                         << "not a server address";
    QTest::newRow("no host") << "A"
                             << "https://"
                             << ""
                             << "not a server address";
    QTest::newRow("bad store") << "A"
                               << "https://dustlayer.io"
                               << "Acme"
                               << "org/name";
}

void TestConnections::profileProblems()
{
    QFETCH(QString, name);
    QFETCH(QString, url);
    QFETCH(QString, store);
    QFETCH(QString, words);
    ConnectionProfile p;
    p.name = name;
    p.url = QUrl(url);
    p.defaultStore = store;
    if (words.isEmpty())
        QCOMPARE(p.problem(), QString());
    else
        QVERIFY2(p.problem().contains(words), qPrintable(p.problem()));
    ProfilesFile file;
    ProfileStore profiles(file.settings());
    QCOMPARE(profiles.save(p).isEmpty(), words.isEmpty());
}

void TestConnections::cleartextPolicy_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("optIn");
    QTest::addColumn<CleartextPolicy::Verdict>("verdict");
    using V = CleartextPolicy::Verdict;
    QTest::newRow("https") << "https://dustlayer.io" << false << V::Allowed;
    QTest::newRow("wss") << "wss://dustlayer.io/ws/sync" << false << V::Allowed;
    QTest::newRow("http localhost") << "http://localhost:7755" << false << V::Allowed;
    QTest::newRow("http LOCALHOST.") << "http://LOCALHOST.:7755" << false << V::Allowed;
    QTest::newRow("http a.localhost") << "http://dust.localhost" << false << V::Allowed;
    QTest::newRow("http 127.0.0.1") << "http://127.0.0.1:7755" << false << V::Allowed;
    QTest::newRow("http 127.9.8.7") << "http://127.9.8.7" << false << V::Allowed;
    QTest::newRow("http [::1]") << "http://[::1]:7755" << false << V::Allowed;
    QTest::newRow("ws 127.0.0.1") << "ws://127.0.0.1:7755/ws/sync" << false << V::Allowed;
    QTest::newRow("http example.com") << "http://example.com" << false << V::Refused;
    QTest::newRow("ws example.com") << "ws://example.com/ws/sync" << false << V::Refused;
    QTest::newRow("http 128.0.0.1") << "http://128.0.0.1" << false << V::Refused;
    QTest::newRow("http 10.0.0.5") << "http://10.0.0.5:7755" << false << V::Refused;
    QTest::newRow("http [::2]") << "http://[::2]" << false << V::Refused;
    QTest::newRow("http localhost.evil.com") << "http://localhost.evil.com" << false << V::Refused;
    QTest::newRow("http 127.0.0.1.nip.io") << "http://127.0.0.1.nip.io" << false << V::Refused;
    QTest::newRow("http example.com, opted in")
        << "http://example.com" << true << V::AllowedWithWarning;
    QTest::newRow("https, opted in") << "https://example.com" << true << V::Allowed;
    QTest::newRow("ftp") << "ftp://localhost" << true << V::Refused;
    QTest::newRow("no host") << "http://" << true << V::Refused;
}

void TestConnections::cleartextPolicy()
{
    QFETCH(QString, url);
    QFETCH(bool, optIn);
    QFETCH(CleartextPolicy::Verdict, verdict);
    const CleartextPolicy::Decision decision = CleartextPolicy::check(QUrl(url), optIn);
    QCOMPARE(decision.verdict, verdict);
    // Every refusal and warning has words; a plain yes has none.
    QCOMPARE(decision.message.isEmpty(), verdict == CleartextPolicy::Verdict::Allowed);
    if (verdict == CleartextPolicy::Verdict::AllowedWithWarning)
        QVERIFY(decision.message.contains(QStringLiteral("not encrypted")));
}

void TestConnections::factoryRefusesCleartextToAnotherHost()
{
    ConnectionProfile p =
        profileFor(QStringLiteral("Far"), QUrl(QStringLiteral("http://example.com")));
    p.transport = ProfileTransport::Rest; // a REST transport makes no request until asked
    for (const bool cache : {true, false}) {
        TransportFactory::Made made = TransportFactory::create(p, kToken, cache);
        QVERIFY(!made.transport);
        QVERIFY2(made.error.contains(QStringLiteral("unencrypted")), qPrintable(made.error));
    }
    QVERIFY(!TransportFactory::createHttp(p, kToken).transport);

    p.allowCleartext = true;
    TransportFactory::Made allowed = TransportFactory::create(p, kToken, false);
    QVERIFY(allowed.transport);
    QVERIFY(qobject_cast<HttpTransport *>(allowed.transport.get()));
    QVERIFY(allowed.warning.contains(QStringLiteral("not encrypted")));
    QCOMPARE(allowed.error, QString());
}

void TestConnections::vaultWriteReadRemove()
{
    TokenVault vault(nullptr, testService());
    const QString name = QStringLiteral("Work / prod");
    TokenVault::Outcome missing = awaitOutcome(vault.read(name));
    QCOMPARE(missing.status, TokenVault::Status::NotFound);
    QVERIFY(missing.shouldPrompt());
    QVERIFY(!missing.message.isEmpty());

    QCOMPARE(awaitOutcome(vault.write(name, QStringLiteral("dust_tok_secret1"))).status,
             TokenVault::Status::Ok);
    TokenVault::Outcome read = awaitOutcome(vault.read(name));
    QCOMPARE(read.status, TokenVault::Status::Ok);
    QCOMPARE(read.token, QStringLiteral("dust_tok_secret1"));

    // Another profile's entry is its own.
    QCOMPARE(awaitOutcome(vault.read(QStringLiteral("Work"))).status, TokenVault::Status::NotFound);
    // A second vault (a later run) sees it too; a rewrite replaces it.
    TokenVault again(nullptr, vault.service());
    QCOMPARE(awaitOutcome(again.write(name, QStringLiteral("dust_tok_secret2"))).status,
             TokenVault::Status::Ok);
    QCOMPARE(awaitOutcome(vault.read(name)).token, QStringLiteral("dust_tok_secret2"));

    QCOMPARE(awaitOutcome(vault.remove(name)).status, TokenVault::Status::Ok);
    QCOMPARE(awaitOutcome(vault.read(name)).status, TokenVault::Status::NotFound);
    QCOMPARE(awaitOutcome(vault.remove(name)).status, TokenVault::Status::Ok);
}

void TestConnections::vaultMayGoBeforeItsAnswer()
{
    // A dialog closed while the keychain still works on its read: the answer still arrives
    // (QtKeychain runs jobs one at a time, so the next one's answer comes after it).
    QFuture<TokenVault::Outcome> orphan;
    {
        TokenVault gone(nullptr, testService());
        orphan = gone.read(QStringLiteral("Work"));
    }
    TokenVault vault(nullptr, testService());
    QCOMPARE(awaitOutcome(vault.read(QStringLiteral("Work"))).status, TokenVault::Status::NotFound);
    QTRY_VERIFY(orphan.isFinished());
    QCOMPARE(orphan.resultCount(), 1);
    QCOMPARE(orphan.result().status, TokenVault::Status::NotFound);
}

void TestConnections::sessionTokenComesFromTheKeychain()
{
    TokenVault vault(nullptr, testService());
    const ConnectionProfile p =
        profileFor(QStringLiteral("Stored"), QUrl(QStringLiteral("https://dustlayer.io")));
    QVERIFY(awaitOutcome(vault.write(p.name, QStringLiteral("dust_tok_kept"))).ok());
    SessionToken session(vault, nullptr);
    QSignalSpy ready(&session, &SessionToken::ready);
    QSignalSpy prompting(&session, &SessionToken::prompting);
    session.find(p);
    QVERIFY(ready.wait(20000));
    QCOMPARE(ready.first().first().toString(), QStringLiteral("dust_tok_kept"));
    QCOMPARE(prompting.count(), 0);
}

void TestConnections::sessionTokenAsksWhenNothingIsStored()
{
    TokenVault vault(nullptr, testService());
    const ConnectionProfile p =
        profileFor(QStringLiteral("Fresh"), QUrl(QStringLiteral("https://dustlayer.io")));
    SessionToken session(vault, nullptr);
    QSignalSpy ready(&session, &SessionToken::ready);
    QSignalSpy prompting(&session, &SessionToken::prompting);
    session.find(p);
    QVERIFY(prompting.wait(20000));
    TokenPrompt *prompt = session.prompt();
    QVERIFY(prompt);
    QCOMPARE(prompt->reason(), TokenPrompt::Reason::NothingStored);
    QVERIFY2(prompt->explanation().contains(QStringLiteral("holds no token")),
             qPrintable(prompt->explanation()));
    QCOMPARE(prompt->tokenEdit()->echoMode(), QLineEdit::Password);
    QVERIFY(!prompt->rememberBox()->isHidden());
    QVERIFY(prompt->rememberBox()->isChecked());
    typeInto(prompt->tokenEdit(), QStringLiteral("dust_tok_typed"));
    QTest::keyClick(prompt->tokenEdit(), Qt::Key_Return);
    QTRY_COMPARE(ready.count(), 1);
    QCOMPARE(ready.first().first().toString(), QStringLiteral("dust_tok_typed"));
    // "Remember" was ticked: the keychain has it now.
    QTRY_COMPARE(awaitOutcome(vault.read(p.name)).token, QStringLiteral("dust_tok_typed"));
}

void TestConnections::profileConnectsWithItsKeychainToken()
{
    const auto dustlite = startDustlite();
    QVERIFY(dustlite->store());
    QVERIFY(dustlite->store()->bulkSet({{path(QStringLiteral("hello")), QStringLiteral("world")}},
                                       QStringLiteral("dev")) > 0);
    ProfilesFile file;
    ProfileStore profiles(file.settings());
    TokenVault vault(nullptr, testService());
    {
        ConnectionDialog dialog(profiles, vault);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        fill(dialog, QStringLiteral("Local"), dustlite->baseUrl().toString(), kToken);
        dialog.form()->storeCombo()->setEditText(QStringLiteral("local/demo"));
        QVERIFY(dialog.form()->rememberBox()->isChecked());
        QVERIFY(dialog.form()->rememberBox()->isEnabled());
        QVERIFY(dialog.form()->keychainNote()->isHidden());
        QSignalSpy finished(&dialog, &QDialog::finished);
        QTest::mouseClick(dialog.connectButton(), Qt::LeftButton);
        QVERIFY2(finished.count() == 1 || finished.wait(20000), qPrintable(dialog.statusText()));
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.token(), kToken);
    }

    // The settings file has the profile and not the token.
    const QByteArray bytes = file.bytes();
    QVERIFY(bytes.contains("Local"));
    QVERIFY(!bytes.contains(kToken.toUtf8()));
    QVERIFY(!bytes.contains("dust_tok"));

    // A later session: the profile from the file, the token from the keychain, and the
    // connection works.
    const auto settings = file.reopen();
    ProfileStore later(*settings);
    QCOMPARE(later.lastUsed(), QStringLiteral("Local"));
    const std::optional<ConnectionProfile> profile = later.load(QStringLiteral("Local"));
    QVERIFY(profile);
    const TokenVault::Outcome token =
        awaitOutcome(TokenVault(nullptr, vault.service()).read(profile->name));
    QCOMPARE(token.status, TokenVault::Status::Ok);
    QCOMPARE(token.token, kToken);
    TransportFactory::Made made = TransportFactory::create(*profile, token.token, false);
    QVERIFY2(made.transport, qPrintable(made.error));
    QVERIFY(qobject_cast<SdkTransport *>(made.transport.get()));
    const auto entry =
        await(made.transport->get(profile->defaultStore, path(QStringLiteral("hello"))));
    QVERIFY2(entry, qPrintable(entry ? QString() : entry.error().message()));
    QCOMPARE(entry->value.toString(), QStringLiteral("world"));
}

void TestConnections::dialogLoadsStoresAndTestsTheConnection()
{
    const auto dustlite = startDustlite();
    ProfilesFile file;
    ProfileStore profiles(file.settings());
    TokenVault vault(nullptr, testService());
    ConnectionDialog dialog(profiles, vault);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    fill(dialog, QStringLiteral("Local"), dustlite->baseUrl().toString(), kToken);
    dialog.form()->storeCombo()->setEditText(QString());
    QVERIFY(dialog.form()->allowCleartextBox()->isHidden()); // loopback: no question

    QSignalSpy loaded(&dialog, &ConnectionDialog::storesLoaded);
    QTest::mouseClick(dialog.form()->loadStoresButton(), Qt::LeftButton);
    QVERIFY(loaded.wait(20000));
    QVERIFY2(loaded.first().at(0).toBool(), qPrintable(dialog.statusText()));
    QComboBox *combo = dialog.form()->storeCombo();
    QStringList items;
    for (int i = 0; i < combo->count(); ++i)
        items.append(combo->itemText(i));
    items.sort();
    QCOMPARE(items, (QStringList{QStringLiteral("local/demo"), QStringLiteral("local/other")}));
    QVERIFY(!combo->currentText().isEmpty());
    QVERIFY2(dialog.statusText().contains(QStringLiteral("2 store")),
             qPrintable(dialog.statusText()));

    QSignalSpy tested(&dialog, &ConnectionDialog::testFinished);
    QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
    QVERIFY(tested.wait(20000));
    QVERIFY2(tested.first().at(0).toBool(), qPrintable(dialog.statusText()));
    QVERIFY2(dialog.statusText().startsWith(QStringLiteral("Connected to")),
             qPrintable(dialog.statusText()));
}

void TestConnections::dialogSaysWhyAWrongTokenFails()
{
    const auto dustlite = startDustlite();
    ProfilesFile file;
    ProfileStore profiles(file.settings());
    TokenVault vault(nullptr, testService());
    ConnectionDialog dialog(profiles, vault);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    fill(dialog, QStringLiteral("Local"), dustlite->baseUrl().toString(),
         QStringLiteral("dust_tok_wrong"));
    QSignalSpy tested(&dialog, &ConnectionDialog::testFinished);
    QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
    QVERIFY(tested.wait(20000));
    QCOMPARE(tested.first().at(0).toBool(), false);
    QVERIFY2(dialog.statusText().contains(QStringLiteral("refused the token")),
             qPrintable(dialog.statusText()));
    QVERIFY(!dialog.statusText().contains(QStringLiteral("dust_tok_wrong")));

    // Nobody listening: the words say so.
    const QUrl url = dustlite->baseUrl();
    dustlite->stop();
    typeInto(dialog.form()->tokenEdit(), kToken);
    tested.clear();
    QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
    QVERIFY(tested.wait(20000));
    QCOMPARE(tested.first().at(0).toBool(), false);
    QVERIFY2(dialog.statusText().contains(QStringLiteral("refused the connection")),
             qPrintable(dialog.statusText()));
}

void TestConnections::dialogRefusesCleartextUrl()
{
    ProfilesFile file;
    ProfileStore profiles(file.settings());
    TokenVault vault(nullptr, testService());
    ConnectionDialog dialog(profiles, vault);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    fill(dialog, QStringLiteral("Far"), QStringLiteral("http://example.com"), kToken);
    // The opt-in appears, with its warning, unticked.
    QVERIFY(!dialog.form()->allowCleartextBox()->isHidden());
    QVERIFY(!dialog.form()->cleartextWarning()->isHidden());
    QVERIFY(!dialog.form()->allowCleartextBox()->isChecked());

    QSignalSpy tested(&dialog, &ConnectionDialog::testFinished);
    QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
    QCOMPARE(tested.count(), 1); // refused before any request
    QCOMPARE(tested.first().at(0).toBool(), false);
    QVERIFY2(dialog.statusText().contains(QStringLiteral("Refused to send the token unencrypted "
                                                         "to example.com")),
             qPrintable(dialog.statusText()));

    QSignalSpy refused(&dialog, &ConnectionDialog::connectRefused);
    QTest::mouseClick(dialog.connectButton(), Qt::LeftButton);
    QCOMPARE(refused.count(), 1);
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QVERIFY(!profiles.contains(QStringLiteral("Far")));

    // Back to https: the question goes away.
    typeInto(dialog.form()->urlEdit(), QStringLiteral("https://example.com"));
    QVERIFY(dialog.form()->allowCleartextBox()->isHidden());
    QVERIFY(dialog.form()->cleartextWarning()->isHidden());
}

void TestConnections::dialogNewDuplicateDelete()
{
    ProfilesFile file;
    ProfileStore profiles(file.settings());
    TokenVault vault(nullptr, testService());
    QCOMPARE(profiles.save(
                 profileFor(QStringLiteral("Alpha"), QUrl(QStringLiteral("https://a.example")))),
             QString());
    QVERIFY(
        awaitOutcome(vault.write(QStringLiteral("Alpha"), QStringLiteral("dust_tok_alpha"))).ok());

    ConnectionDialog dialog(profiles, vault);
    QSignalSpy tokenLoaded(&dialog, &ConnectionDialog::tokenLoaded);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    // The saved profile is shown with its keychain token.
    QCOMPARE(dialog.form()->nameEdit()->text(), QStringLiteral("Alpha"));
    QVERIFY(tokenLoaded.count() == 1 || tokenLoaded.wait(20000));
    QCOMPARE(tokenLoaded.first().first().value<TokenVault::Status>(), TokenVault::Status::Ok);
    QCOMPARE(dialog.form()->token(), QStringLiteral("dust_tok_alpha"));
    QCOMPARE(dialog.form()->tokenEdit()->echoMode(), QLineEdit::Password);

    // Duplicate, then Save: a second profile with the same token.
    QTest::mouseClick(dialog.duplicateButton(), Qt::LeftButton);
    QCOMPARE(dialog.form()->nameEdit()->text(), QStringLiteral("Alpha (copy)"));
    QCOMPARE(dialog.saveProfile(), QString());
    QCOMPARE(profiles.names(),
             (QStringList{QStringLiteral("Alpha"), QStringLiteral("Alpha (copy)")}));
    QTRY_COMPARE(awaitOutcome(vault.read(QStringLiteral("Alpha (copy)"))).token,
                 QStringLiteral("dust_tok_alpha"));
    QCOMPARE(dialog.profileList()->count(), 2);

    // New: a fresh, unsaved profile.
    QTest::mouseClick(dialog.newButton(), Qt::LeftButton);
    QCOMPARE(dialog.form()->nameEdit()->text(), QStringLiteral("New connection"));
    QCOMPARE(dialog.form()->token(), QString());
    QCOMPARE(profiles.names().size(), 2);
    typeInto(dialog.form()->nameEdit(), QStringLiteral("Beta"));
    typeInto(dialog.form()->urlEdit(), QStringLiteral("wss://b.example/ws/sync"));
    QCOMPARE(dialog.saveProfile(), QString());
    QCOMPARE(profiles.load(QStringLiteral("Beta"))->url, QUrl(QStringLiteral("https://b.example")));

    // Delete the copy: the profile and its keychain entry go.
    dialog.profileList()->setCurrentRow(1);
    QCOMPARE(dialog.form()->nameEdit()->text(), QStringLiteral("Alpha (copy)"));
    QTest::mouseClick(dialog.deleteButton(), Qt::LeftButton);
    QCOMPARE(profiles.names(), (QStringList{QStringLiteral("Alpha"), QStringLiteral("Beta")}));
    QTRY_COMPARE(awaitOutcome(vault.read(QStringLiteral("Alpha (copy)"))).status,
                 TokenVault::Status::NotFound);
    QCOMPARE(awaitOutcome(vault.read(QStringLiteral("Alpha"))).token,
             QStringLiteral("dust_tok_alpha"));
    QVERIFY(!file.bytes().contains("dust_tok"));
}

QTEST_MAIN(TestConnections)
#include "tst_connections.moc"
