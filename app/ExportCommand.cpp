#include "ExportCommand.h"

#include "connection/CleartextPolicy.h"
#include "connection/ConnectionProfile.h"
#include "connection/ProfileStore.h"
#include "connection/TokenVault.h"
#include "exchange/ExchangeFormat.h"
#include "exchange/ExportJob.h"
#include "exchange/ExportScope.h"
#include "transport/HttpTransport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QFutureWatcher>
#include <QLocale>
#include <QSettings>

#include <cstdio>
#include <optional>

#include <unistd.h>

namespace dust {

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

struct ExportCommandText
{
    Q_DECLARE_TR_FUNCTIONS(ExportCommand)
};

QString tr(const char *text)
{
    return ExportCommandText::tr(text);
}

void say(const QString &line)
{
    std::fprintf(stderr, "dust-browser export: %s\n", qPrintable(line));
    std::fflush(stderr);
}

void describe(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        tr("Exports a store, or the subtree at a path, by paged REST listing.\n"
           "Exit codes: 0 done, 1 failed, 2 usage error."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("export"), tr("The subcommand."));
    parser.addOptions({
        {QStringLiteral("url"), tr("The server's HTTP base URL."), tr("URL")},
        {QStringLiteral("store"), tr("The store, as org/name."), tr("ORG/NAME")},
        {QStringLiteral("path"), tr("Export only this rendered path and what lies below it."),
         tr("P")},
        {QStringLiteral("format"),
         tr("json (nested, as GET returns it), ndjson (the server's export format), flat "
            "({\"path\": value}) or csv. Default: ndjson."),
         tr("FORMAT"), QStringLiteral("ndjson")},
        {{QStringLiteral("o"), QStringLiteral("output")},
         tr("Write to FILE (replaced only when the export succeeds); - or none: standard "
            "output."),
         tr("FILE")},
        {QStringLiteral("token-env"),
         tr("Read the API token from this environment variable (default: DUST_TOKEN; with "
            "--profile the keychain is used unless this is given)."),
         tr("VAR")},
        {QStringLiteral("profile"),
         tr("Use a saved connection: its URL, store and token (from the keychain)."), tr("NAME")},
    });
}

// The profile's token from the keychain, waiting for it here.
std::optional<QString> profileToken(const QString &profile, QString *error)
{
    TokenVault vault;
    QFuture<TokenVault::Outcome> read = vault.read(profile);
    if (!read.isFinished()) {
        QFutureWatcher<TokenVault::Outcome> watcher;
        QEventLoop loop;
        QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        watcher.setFuture(read);
        if (!read.isFinished())
            loop.exec();
    }
    const TokenVault::Outcome outcome = read.result();
    if (outcome.ok())
        return outcome.token;
    *error = outcome.message;
    return std::nullopt;
}

// Draws "12,345 / 100,000 leaves · 3.2 MB" over itself on a terminal.
class ProgressLine
{
public:
    explicit ProgressLine(bool enabled)
        : m_enabled(enabled)
    {}
    void show(qint64 leaves, qint64 bytes, qint64 total)
    {
        if (!m_enabled)
            return;
        const QLocale locale;
        QString line =
            total > 0 ? tr("%1 / %2 leaves").arg(locale.toString(leaves), locale.toString(total))
                      : tr("%1 leaves").arg(locale.toString(leaves));
        line += QStringLiteral(" \u00b7 ") + locale.formattedDataSize(bytes);
        std::fprintf(stderr, "\r%s\033[K", qPrintable(line));
        std::fflush(stderr);
        m_drawn = true;
    }
    void clear()
    {
        if (m_drawn)
            std::fprintf(stderr, "\r\033[K");
        m_drawn = false;
    }

private:
    bool m_enabled;
    bool m_drawn = false;
};

} // namespace

int runExportCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    describe(parser);
    if (!parser.parse(arguments)) {
        say(parser.errorText() + QLatin1Char(' ') + tr("(see --help)"));
        return kUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return kOk;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1 || positional.first() != QLatin1String("export")) {
        say(tr("unexpected arguments: %1 (see --help)")
                .arg(positional.mid(1).join(QLatin1Char(' '))));
        return kUsage;
    }

    const auto format = exchangeFormatFromName(parser.value(QStringLiteral("format")));
    if (!format) {
        say(tr("--format: '%1' is not one of %2")
                .arg(parser.value(QStringLiteral("format")),
                     exchangeFormatNames().join(QStringLiteral(", "))));
        return kUsage;
    }

    ConnectionProfile profile;
    const QString profileName = parser.value(QStringLiteral("profile"));
    if (!profileName.isEmpty()) {
        QSettings settings;
        const auto loaded = ProfileStore(settings).load(profileName);
        if (!loaded) {
            say(tr("--profile: no saved connection is named '%1'").arg(profileName));
            return kUsage;
        }
        profile = *loaded;
    }
    if (parser.isSet(QStringLiteral("url"))) {
        QString error;
        profile.url =
            ConnectionProfile::serverUrlFromText(parser.value(QStringLiteral("url")), &error);
        if (!error.isEmpty() || !profile.url.isValid()) {
            say(tr("--url: %1").arg(error.isEmpty() ? tr("not a server URL") : error));
            return kUsage;
        }
    }
    const QString store = parser.isSet(QStringLiteral("store"))
                              ? parser.value(QStringLiteral("store"))
                              : profile.defaultStore;
    if (profile.url.isEmpty()) {
        say(tr("--url (or --profile) is required (see --help)"));
        return kUsage;
    }
    if (store.isEmpty()) {
        say(tr("--store is required (see --help)"));
        return kUsage;
    }
    const qsizetype slash = store.indexOf(QLatin1Char('/'));
    if (slash <= 0 || slash == store.size() - 1 ||
        store.indexOf(QLatin1Char('/'), slash + 1) >= 0) {
        say(tr("--store: '%1' is not org/name").arg(store));
        return kUsage;
    }

    ExportScope scope;
    if (parser.isSet(QStringLiteral("path"))) {
        const QString rendered = parser.value(QStringLiteral("path"));
        auto path = Path::parse(rendered);
        if (!path) {
            say(tr("--path: '%1' is not a path: %2").arg(rendered, pathErrorDetail(path.error())));
            return kUsage;
        }
        scope = ExportScope(path.value());
    }

    QString token;
    if (parser.isSet(QStringLiteral("token-env"))) {
        const QString variable = parser.value(QStringLiteral("token-env"));
        token = qEnvironmentVariable(qPrintable(variable));
        if (token.isEmpty()) {
            say(tr("--token-env: the environment variable %1 is not set or empty").arg(variable));
            return kUsage;
        }
    } else if (!profileName.isEmpty()) {
        QString error;
        const auto stored = profileToken(profileName, &error);
        if (!stored) {
            say(tr("no token for profile '%1': %2 (use --token-env)").arg(profileName, error));
            return kFailed;
        }
        token = *stored;
    } else {
        // As the window's command line and `import`: DUST_TOKEN when nothing else is said.
        token = qEnvironmentVariable("DUST_TOKEN").trimmed();
        if (token.isEmpty()) {
            say(tr("a token is needed: set DUST_TOKEN, or use --token-env VAR or --profile NAME"));
            return kUsage;
        }
    }
    const auto cleartext = CleartextPolicy::check(profile.url, profile.allowCleartext);
    if (cleartext.verdict == CleartextPolicy::Verdict::Refused) {
        say(cleartext.message);
        return kFailed;
    }
    if (cleartext.verdict == CleartextPolicy::Verdict::AllowedWithWarning)
        say(cleartext.message);

    const QString output = parser.value(QStringLiteral("output"));
    const bool toStdout = output.isEmpty() || output == QLatin1String("-");
    QFile standardOutput;
    HttpTransport transport(profile.url, token);
    ExportJob job(store, scope, *format);
    if (toStdout) {
        if (!standardOutput.open(stdout, QIODevice::WriteOnly)) {
            say(tr("cannot write to standard output: %1").arg(standardOutput.errorString()));
            return kFailed;
        }
        job.setDevice(&standardOutput);
        job.setTargetName(tr("standard output"));
    } else {
        job.setFileName(output);
    }

    ProgressLine line(isatty(STDERR_FILENO) == 1);
    QObject::connect(
        &job, &ExportJob::progress, &job,
        [&line](qint64 leaves, qint64 bytes, qint64 total) { line.show(leaves, bytes, total); });
    int code = kFailed;
    QEventLoop loop;
    QObject::connect(&job, &ExportJob::finished, &loop, [&](bool ok, const QString &words) {
        line.clear();
        if (ok) {
            code = kOk;
            if (isatty(STDERR_FILENO) == 1) // quiet in scripts
                say(words);
        } else {
            say(words);
        }
        loop.quit();
    });
    job.start(&transport);
    loop.exec();
    if (toStdout)
        standardOutput.flush();
    return code;
}

} // namespace dust
