#pragma once

#include "CommandLine.h"
#include "connection/ConnectionProfile.h"
#include "connection/ProfileStore.h"
#include "connection/SessionToken.h"
#include "connection/TokenVault.h"

#include <QObject>
#include <QSettings>

#include <memory>

namespace dust {

class MainWindow;

namespace lite {
class EmbeddedDustlite;
} // namespace lite

// What the application opens and how: the store the command line names (a --profile with
// its token from the keychain or a prompt, a --url), else the embedded dustlite store with
// demo data; and every store opened later through File › Open Connection… (the connection
// dialog). It owns the saved profiles, the token vault and the embedded server, and hands
// each transport to a new tab of the window.
class Launcher : public QObject
{
    Q_OBJECT
public:
    Launcher(MainWindow &window, LaunchOptions options, QObject *parent = nullptr);
    ~Launcher() override;

    // Opens what the command line asks for.
    void start();
    // File › Open Connection…
    void openConnectionDialog();
    // Opens `profile`'s store (its default one, or the command line's) with `token` in a new
    // tab; a refusal (cleartext to another host, a bad URL) is shown, nothing is opened.
    void open(const ConnectionProfile &profile, const QString &token);

private:
    void startEmbedded();
    void showProblem(const QString &message);

    MainWindow &m_window;
    LaunchOptions m_options;
    QSettings m_settings;
    ProfileStore m_profiles;
    TokenVault m_vault;
    SessionToken m_session;
    std::unique_ptr<lite::EmbeddedDustlite> m_embedded; // null without dustlite
};

} // namespace dust
