// Connections without a system keychain. CTest runs this suite with a D-Bus session address
// that leads nowhere, so QtKeychain really finds no keychain: the vault says so (apart from
// "nothing stored"), a profile's token is asked for with a prompt that says why, the
// connection dialog offers no "Remember" and still connects, and no token lands in the
// settings file.

#include "ConnectionTestSupport.h"
#include "InProcessDustlite.h"

#include "connection/ConnectionDialog.h"
#include "connection/ProfileForm.h"
#include "connection/ProfileStore.h"
#include "connection/SessionToken.h"
#include "connection/TokenPrompt.h"
#include "connection/TokenVault.h"

#include <QLabel>
#include <QPushButton>

using namespace dust;
using namespace dust::test;

class TestConnectionsNoKeychain : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void vaultSaysNoKeychain();
    void sessionTokenPromptsAndSaysWhy();
    void cancellingThePromptCancels();
    void dialogConnectsForThisSessionOnly();
    void newProfileSaysThereIsNoKeychain();
};

void TestConnectionsNoKeychain::initTestCase()
{
    QVERIFY2(
        qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS").contains(QStringLiteral("nonexistent")),
        "run through ctest (DBUS_SESSION_BUS_ADDRESS must lead nowhere)");
}

void TestConnectionsNoKeychain::vaultSaysNoKeychain()
{
    TokenVault vault(nullptr, testService());
    const TokenVault::Outcome read = awaitOutcome(vault.read(QStringLiteral("Work")));
    QCOMPARE(read.status, TokenVault::Status::Unavailable);
    QVERIFY(read.shouldPrompt());
    QVERIFY(read.token.isEmpty());
    QVERIFY2(read.message.contains(QStringLiteral("No system keychain")), qPrintable(read.message));
    const TokenVault::Outcome write =
        awaitOutcome(vault.write(QStringLiteral("Work"), QStringLiteral("dust_tok_x")));
    QCOMPARE(write.status, TokenVault::Status::Unavailable);
    QVERIFY(!write.message.contains(QStringLiteral("dust_tok_x")));
}

void TestConnectionsNoKeychain::sessionTokenPromptsAndSaysWhy()
{
    TokenVault vault(nullptr, testService());
    ConnectionProfile profile;
    profile.name = QStringLiteral("Work");
    profile.url = QUrl(QStringLiteral("https://dustlayer.io"));
    SessionToken session(vault, nullptr);
    QSignalSpy ready(&session, &SessionToken::ready);
    QSignalSpy prompting(&session, &SessionToken::prompting);
    session.find(profile);
    QVERIFY(prompting.wait(20000));
    TokenPrompt *prompt = session.prompt();
    QVERIFY(prompt);
    QVERIFY(prompt->isVisible());
    QCOMPARE(prompt->reason(), TokenPrompt::Reason::NoKeychain);
    QVERIFY2(prompt->explanation().contains(QStringLiteral("No system keychain is available")),
             qPrintable(prompt->explanation()));
    QVERIFY(prompt->explanation().contains(QStringLiteral("\"Work\"")));
    QCOMPARE(prompt->tokenEdit()->echoMode(), QLineEdit::Password);
    QVERIFY(prompt->rememberBox()->isHidden()); // nothing to remember it in
    QVERIFY(!prompt->rememberRequested());
    typeInto(prompt->tokenEdit(), QStringLiteral("dust_tok_session"));
    QTest::keyClick(prompt->tokenEdit(), Qt::Key_Return);
    QTRY_COMPARE(ready.count(), 1);
    QCOMPARE(ready.first().first().toString(), QStringLiteral("dust_tok_session"));
}

void TestConnectionsNoKeychain::cancellingThePromptCancels()
{
    TokenVault vault(nullptr, testService());
    ConnectionProfile profile;
    profile.name = QStringLiteral("Work");
    profile.url = QUrl(QStringLiteral("https://dustlayer.io"));
    SessionToken session(vault, nullptr);
    QSignalSpy ready(&session, &SessionToken::ready);
    QSignalSpy cancelled(&session, &SessionToken::cancelled);
    QSignalSpy prompting(&session, &SessionToken::prompting);
    session.find(profile);
    QVERIFY(prompting.wait(20000));
    QTest::keyClick(session.prompt(), Qt::Key_Escape);
    QTRY_COMPARE(cancelled.count(), 1);
    QCOMPARE(ready.count(), 0);
}

void TestConnectionsNoKeychain::dialogConnectsForThisSessionOnly()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    ProfilesFile file;
    ProfileStore profiles(file.settings());
    ConnectionProfile saved;
    saved.name = QStringLiteral("Local");
    saved.url = dustlite.baseUrl();
    QCOMPARE(profiles.save(saved), QString());
    TokenVault vault(nullptr, testService());

    ConnectionDialog dialog(profiles, vault);
    QSignalSpy tokenLoaded(&dialog, &ConnectionDialog::tokenLoaded);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(tokenLoaded.count() == 1 || tokenLoaded.wait(20000));
    QCOMPARE(tokenLoaded.first().first().value<TokenVault::Status>(),
             TokenVault::Status::Unavailable);
    // The dialog says why it cannot remember the token, and does not offer to.
    ProfileForm *form = dialog.form();
    QVERIFY(!form->keychainNote()->isHidden());
    QVERIFY2(form->keychainNote()->text().contains(QStringLiteral("No system keychain")),
             qPrintable(form->keychainNote()->text()));
    QVERIFY(!form->rememberBox()->isEnabled());
    QVERIFY(!form->rememberBox()->isChecked());

    typeInto(form->tokenEdit(), QStringLiteral("dust_tok_dev"));
    QSignalSpy tested(&dialog, &ConnectionDialog::testFinished);
    QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
    QVERIFY(tested.wait(20000));
    QVERIFY2(tested.first().at(0).toBool(), qPrintable(dialog.statusText()));

    QSignalSpy finished(&dialog, &QDialog::finished);
    QTest::mouseClick(dialog.connectButton(), Qt::LeftButton);
    QVERIFY2(finished.count() == 1 || finished.wait(20000), qPrintable(dialog.statusText()));
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.token(), QStringLiteral("dust_tok_dev"));
    QVERIFY(!file.bytes().contains("dust_tok"));
}

void TestConnectionsNoKeychain::newProfileSaysThereIsNoKeychain()
{
    ProfilesFile file;
    ProfileStore profiles(file.settings());
    TokenVault vault(nullptr, testService());
    ConnectionDialog dialog(profiles, vault); // no profiles: a new one
    QSignalSpy tokenLoaded(&dialog, &ConnectionDialog::tokenLoaded);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(tokenLoaded.count() == 1 || tokenLoaded.wait(20000));
    QVERIFY(!dialog.form()->rememberBox()->isEnabled());
    QVERIFY(!dialog.form()->rememberBox()->isChecked());
    QVERIFY(dialog.form()->keychainNote()->text().contains(QStringLiteral("No system keychain")));
}

QTEST_MAIN(TestConnectionsNoKeychain)
#include "tst_connections_nokeychain.moc"
