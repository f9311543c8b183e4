#include "CommandLine.h"

#include <QCommandLineParser>
#include <QRegularExpression>

#include <cstring>

namespace dust {

namespace {

const char *const kUrl = "url";

} // namespace

ConnectionProfile LaunchOptions::applyTo(ConnectionProfile base) const
{
    if (hasServer())
        base.url = url;
    if (base.name.isEmpty()) // an ad-hoc --url connection is named for its server
        base.name = base.url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemovePath);
    if (!store.isEmpty())
        base.defaultStore = store;
    if (lazy)
        base.transport = ProfileTransport::Rest;
    if (readOnly)
        base.readOnly = true;
    return base;
}

void CommandLine::describe(QCommandLineParser &parser)
{
    parser.setApplicationDescription(tr("Browse, edit and watch Dust stores live."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({{QString::fromLatin1(kUrl), QStringLiteral("server")},
                      tr("Open the Dust server at URL (https://host, or http://localhost:port) "
                         "instead of the embedded local store."),
                      QStringLiteral("URL")});
    parser.addOption({QStringLiteral("profile"),
                      tr("Open the saved connection NAME (its token comes from the system "
                         "keychain, or is asked for)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("store"),
                      tr("Store to open, as org/name (default: the profile's, or local/demo)."),
                      QStringLiteral("ORG/NAME")});
    parser.addOption({QStringLiteral("token-env"),
                      tr("Read the API token from the environment variable VAR (default: "
                         "DUST_TOKEN; with --profile, only when given)."),
                      QStringLiteral("VAR"), QString::fromLatin1(kDefaultTokenEnv)});
    parser.addOption({QStringLiteral("token"),
                      tr("API token. Other users of this machine can read the command line: "
                         "prefer --token-env or a profile."),
                      QStringLiteral("TOKEN")});
    parser.addOption({QStringLiteral("lazy"),
                      tr("Browse over REST, loading folders as they are opened, instead of "
                         "mirroring the store live over a WebSocket.")});
    parser.addOption({QStringLiteral("read-only"), tr("Never write to the store.")});
    parser.addOption(
        {QStringLiteral("no-cache"), tr("Do not keep the live mirror in the on-disk cache.")});
}

LaunchOptions CommandLine::parse(const QStringList &arguments,
                                 const QProcessEnvironment &environment)
{
    LaunchOptions out;
    QCommandLineParser parser;
    describe(parser);
    if (!parser.parse(arguments)) {
        out.error = parser.errorText();
        return out;
    }
    if (!parser.positionalArguments().isEmpty()) {
        out.error = tr("Unexpected argument: %1").arg(parser.positionalArguments().first());
        return out;
    }
    const QString url = QString::fromLatin1(kUrl);
    out.profile = parser.value(QStringLiteral("profile")).trimmed();
    out.store = parser.value(QStringLiteral("store")).trimmed();
    out.lazy = parser.isSet(QStringLiteral("lazy"));
    out.readOnly = parser.isSet(QStringLiteral("read-only"));
    out.noCache = parser.isSet(QStringLiteral("no-cache"));
    out.tokenEnv = parser.value(QStringLiteral("token-env"));

    if (parser.isSet(url) && parser.isSet(QStringLiteral("profile"))) {
        out.error = tr("--url and --profile cannot be used together: a profile has its own "
                       "server.");
        return out;
    }
    if (parser.isSet(QStringLiteral("profile")) && out.profile.isEmpty()) {
        out.error = tr("--profile needs the name of a saved connection.");
        return out;
    }
    if (parser.isSet(url)) {
        QString why;
        out.url = ConnectionProfile::serverUrlFromText(parser.value(url), &why);
        if (out.url.isEmpty()) {
            out.error = why;
            return out;
        }
    }
    if (parser.isSet(QStringLiteral("store")) && !ConnectionProfile::isStoreName(out.store)) {
        out.error = tr("--store %1 is not of the form org/name (lower-case letters, digits, "
                       "'-', '.', '_').")
                        .arg(out.store);
        return out;
    }
    static const QRegularExpression variableName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    if (!variableName.match(out.tokenEnv).hasMatch()) {
        out.error = tr("--token-env %1 is not an environment variable name.").arg(out.tokenEnv);
        return out;
    }

    if (parser.isSet(QStringLiteral("token"))) {
        out.token = parser.value(QStringLiteral("token")).trimmed();
        out.tokenFromArgv = true;
        out.warnings.append(tr("warning: a token given with --token can be read by other users "
                               "of this machine (in the process list); use --token-env VAR or "
                               "a saved profile instead."));
    } else if (out.profile.isEmpty() || parser.isSet(QStringLiteral("token-env"))) {
        // A profile's token is in the keychain: a DUST_TOKEN left in the environment must
        // not override it unless asked for.
        out.token = environment.value(out.tokenEnv).trimmed();
    }
    if (!out.token.isEmpty() && !out.hasServer() && out.profile.isEmpty())
        out.warnings.append(tr("warning: the token is not used: the embedded local store has "
                               "its own (give --url or --profile)."));
    return out;
}

bool CommandLine::onlyPrints(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        for (const char *flag : {"-h", "--help", "--help-all", "-?", "-v", "--version"}) {
            if (std::strcmp(argv[i], flag) == 0)
                return true;
        }
    }
    return false;
}

} // namespace dust
