#pragma once

#include "connection/ConnectionProfile.h"

#include <QCoreApplication>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

class QCommandLineParser;

namespace dust {

// What the command line asks for. A parse never exits; `error` says what is wrong.
struct LaunchOptions
{
    QUrl url;         // --url / --server (normalised, see ConnectionProfile)
    QString profile;  // --profile NAME
    QString store;    // --store ORG/NAME; empty = the profile's or "local/demo"
    QString tokenEnv; // --token-env VAR (default DUST_TOKEN)
    QString token;    // from --token or the variable; empty = keychain / prompt
    bool tokenFromArgv = false;
    bool lazy = false;     // --lazy: REST instead of the live WebSocket
    bool readOnly = false; // --read-only
    bool noCache = false;  // --no-cache
    QStringList warnings;  // for stderr (e.g. a token in argv)
    QString error;         // empty when the options are usable

    bool hasServer() const { return !url.isEmpty(); }
    // `base` (a saved profile, or an empty one for --url) with the command line's
    // overrides: URL, store, --lazy, --read-only. A profile without a name (--url) is named
    // for its server, so it can go straight to TransportFactory::create.
    ConnectionProfile applyTo(ConnectionProfile base) const;
};

// Dust Browser's command line: --url URL (alias --server), --store ORG/NAME, --profile
// NAME, --token-env VAR, --token TOKEN (works, but warns that other users can read argv),
// --lazy, --read-only, --no-cache, --help, --version.
class CommandLine
{
    Q_DECLARE_TR_FUNCTIONS(CommandLine)

public:
    static constexpr const char *kDefaultTokenEnv = "DUST_TOKEN";

    // Adds the options (and --help, --version) to `parser`.
    static void describe(QCommandLineParser &parser);
    // Parses `arguments` (argv, program name first) with `environment` for the token.
    static LaunchOptions
    parse(const QStringList &arguments,
          const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    // --help and --version print and exit; they must work without a display, so main()
    // answers them with a QCoreApplication before any GUI is set up.
    static bool onlyPrints(int argc, char **argv);
};

} // namespace dust
