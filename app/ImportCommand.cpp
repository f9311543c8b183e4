#include "ImportCommand.h"

#include "CommandLine.h"
#include "connection/CleartextPolicy.h"
#include "connection/ConnectionProfile.h"
#include "connection/ProfileStore.h"
#include "connection/TokenVault.h"
#include "transport/BlockingWait.h"
#include "exchange/ExchangeFormat.h"
#include "exchange/ImportJob.h"
#include "exchange/ImportPlan.h"
#include "exchange/ImportReader.h"
#include "transport/HttpTransport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QFutureWatcher>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSettings>

#include <cstdio>
#include <unistd.h>

namespace dust {

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr qsizetype kListedPerKind = 20; // leaves listed per kind in the terminal preview

QString tr(const char *text)
{
    return QCoreApplication::translate("ImportCommand", text);
}

void say(FILE *stream, const QString &text)
{
    std::fputs(qPrintable(text), stream);
    std::fflush(stream);
}

int usage(const QString &why)
{
    say(stderr, QStringLiteral("dust-browser import: %1\n").arg(why) +
                    tr("Try 'dust-browser import --help'.\n"));
    return kUsage;
}

int failed(const QString &why)
{
    say(stderr, QStringLiteral("dust-browser import: %1\n").arg(why));
    return kFailed;
}

void describe(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        tr("Imports a file into a node of a Dust store: JSON (a node as GET returns it), "
           "NDJSON (an export: one {\"path\", \"value\", \"type\"} per line, types kept) or "
           "flat JSON ({\"path\": value}). First a preview (leaves to create, change, remove, "
           "unchanged), then conditional writes: a leaf changed by someone else since the "
           "preview stops the import. Exit codes: 0 done, 1 failed, 2 usage."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("url"),
                      tr("The server's address, e.g. http://127.0.0.1:7755."),
                      QStringLiteral("URL")});
    parser.addOption({QStringLiteral("profile"),
                      tr("Use the saved connection NAME (its server, store and keychain token)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("store"), tr("The store to import into, org/name."),
                      QStringLiteral("ORG/NAME")});
    parser.addOption({QStringLiteral("path"),
                      tr("The node to import into (a rendered path; default: the store's root)."),
                      QStringLiteral("P")});
    parser.addOption({QStringLiteral("mode"),
                      tr("merge (default): write the file's leaves, keep the others; replace: "
                         "also remove the node's leaves the file does not hold."),
                      QStringLiteral("merge|replace"), QStringLiteral("merge")});
    parser.addOption({QStringLiteral("format"),
                      tr("The file's format: json, ndjson or flat (default: detected)."),
                      QStringLiteral("FORMAT")});
    parser.addOption({QStringLiteral("token-env"),
                      tr("Read the API token from the environment variable VAR (default: "
                         "DUST_TOKEN; with --profile the keychain is used unless this is given)."),
                      QStringLiteral("VAR"), QString::fromLatin1(CommandLine::kDefaultTokenEnv)});
    parser.addOption({QStringLiteral("yes"),
                      tr("Write without asking. Needed when not on a terminal, or when the file "
                         "comes from standard input.")});
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 tr("The file to import, or - for standard input."));
}

struct Connection
{
    QUrl url;
    QString store;
    QString token;
    bool allowCleartext = false;
    QString error;  // a usage error
    QString failed; // a failure (no token)
};

Connection connection(const QCommandLineParser &parser, const QProcessEnvironment &environment)
{
    Connection out;
    const QString tokenEnv = parser.value(QStringLiteral("token-env"));
    static const QRegularExpression variableName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    if (!variableName.match(tokenEnv).hasMatch()) {
        out.error = tr("--token-env %1 is not an environment variable name.").arg(tokenEnv);
        return out;
    }
    out.store = parser.value(QStringLiteral("store")).trimmed();
    if (parser.isSet(QStringLiteral("profile"))) {
        if (parser.isSet(QStringLiteral("url"))) {
            out.error = tr("--url and --profile cannot be used together: a profile has its own "
                           "server.");
            return out;
        }
        const QString name = parser.value(QStringLiteral("profile")).trimmed();
        QSettings settings;
        ProfileStore profiles(settings);
        const auto profile = profiles.load(name);
        if (!profile) {
            out.error = tr("there is no saved connection named \"%1\".").arg(name);
            return out;
        }
        out.url = profile->url;
        out.allowCleartext = profile->allowCleartext;
        if (out.store.isEmpty())
            out.store = profile->defaultStore;
        if (parser.isSet(QStringLiteral("token-env"))) {
            out.token = environment.value(tokenEnv).trimmed();
        } else {
            TokenVault vault;
            const TokenVault::Outcome read = blockingWait(vault.read(name));
            if (!read.ok()) {
                out.failed = tr("no token for \"%1\": %2 Give one with --token-env VAR.")
                                 .arg(name, read.message);
                return out;
            }
            out.token = read.token;
        }
    } else {
        if (!parser.isSet(QStringLiteral("url"))) {
            out.error = tr("say where to import: --url URL or --profile NAME.");
            return out;
        }
        QString why;
        out.url = ConnectionProfile::serverUrlFromText(parser.value(QStringLiteral("url")), &why);
        if (out.url.isEmpty()) {
            out.error = why;
            return out;
        }
        out.token = environment.value(tokenEnv).trimmed();
    }
    if (out.store.isEmpty())
        out.error = tr("say which store to import into: --store ORG/NAME.");
    else if (!ConnectionProfile::isStoreName(out.store))
        out.error = tr("--store %1 is not of the form org/name.").arg(out.store);
    else if (out.token.isEmpty() && out.failed.isEmpty())
        out.failed = tr("no API token: set the environment variable %1 (or name another with "
                        "--token-env).")
                         .arg(tokenEnv);
    return out;
}

// The preview a person reads before saying yes: the counts, then the leaves of each kind
// (at most kListedPerKind of each).
QString preview(const ImportPlan &plan, const QString &store)
{
    QString text = tr("Import into %1%2: %3\n")
                       .arg(store,
                            plan.target.isValid() ? QStringLiteral(" at ") + plan.target.rendered()
                                                  : QString(),
                            plan.summary());
    const auto list = [&text](const char *sign, const QList<PlannedLeaf> &leaves) {
        for (qsizetype i = 0; i < leaves.size() && i < kListedPerKind; ++i)
            text +=
                QStringLiteral("  %1 %2\n").arg(QLatin1String(sign), leaves.at(i).path.rendered());
        if (leaves.size() > kListedPerKind)
            text += tr("  %1 … and %2 more\n")
                        .arg(QLatin1String(sign))
                        .arg(leaves.size() - kListedPerKind);
    };
    list("+", plan.created);
    list("~", plan.changed);
    list("-", plan.removed);
    return text;
}

bool askYes(const QString &question)
{
    say(stderr, question);
    char answer[64] = {};
    if (!std::fgets(answer, sizeof answer, stdin))
        return false;
    const QString reply = QString::fromLocal8Bit(answer).trimmed().toLower();
    return reply == QLatin1String("y") || reply == QLatin1String("yes");
}

} // namespace

int runImportCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    describe(parser);
    QStringList args = arguments;
    if (args.size() > 1)
        args.removeAt(1); // "import"
    if (!parser.parse(args))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all"))) {
        say(stdout, parser.helpText().replace(QStringLiteral("[options] FILE"),
                                              QStringLiteral("import [options] FILE")));
        return kOk;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() != 1)
        return usage(files.isEmpty() ? tr("say which file to import (or - for standard input).")
                                     : tr("give one file to import, not %1.").arg(files.size()));
    const QString file = files.first();
    const bool fromStdin = file == QLatin1String("-");
    const bool terminal = ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO);
    const bool yes = parser.isSet(QStringLiteral("yes"));
    if (!yes && !terminal)
        return usage(tr("not on a terminal, so nobody can confirm the preview: add --yes to "
                        "import without asking."));
    if (!yes && fromStdin)
        return usage(tr("the file comes from standard input, so the preview cannot be "
                        "confirmed there: add --yes."));

    const QString modeName = parser.value(QStringLiteral("mode")).trimmed().toLower();
    if (modeName != QLatin1String("merge") && modeName != QLatin1String("replace"))
        return usage(tr("--mode must be merge or replace, not \"%1\".").arg(modeName));
    const ImportMode mode =
        modeName == QLatin1String("replace") ? ImportMode::Replace : ImportMode::Merge;
    std::optional<ExchangeFormat> format;
    if (parser.isSet(QStringLiteral("format"))) {
        format = exchangeFormatFromName(parser.value(QStringLiteral("format")));
        if (!format || *format == ExchangeFormat::Csv)
            return usage(tr("--format must be json, ndjson or flat."));
    }
    Path target;
    if (parser.isSet(QStringLiteral("path"))) {
        auto parsed = Path::parse(parser.value(QStringLiteral("path")));
        if (!parsed)
            return usage(
                tr("--path %1 is not a path: %2")
                    .arg(parser.value(QStringLiteral("path")), pathErrorDetail(parsed.error())));
        target = std::move(parsed).value();
    }
    const Connection where = connection(parser, QProcessEnvironment::systemEnvironment());
    if (!where.error.isEmpty())
        return usage(where.error);
    if (!where.failed.isEmpty())
        return failed(where.failed);
    const CleartextPolicy::Decision cleartext =
        CleartextPolicy::check(where.url, where.allowCleartext);
    if (cleartext.verdict == CleartextPolicy::Verdict::Refused)
        return failed(cleartext.message);
    if (cleartext.verdict == CleartextPolicy::Verdict::AllowedWithWarning)
        say(stderr, QStringLiteral("dust-browser import: %1\n").arg(cleartext.message));

    // The whole file is read and checked before anything is sent.
    QFile input;
    const bool opened = fromStdin ? input.open(stdin, QIODevice::ReadOnly)
                                  : (input.setFileName(file), input.open(QIODevice::ReadOnly));
    if (!opened)
        return failed(tr("%1 cannot be read: %2").arg(file, input.errorString()));
    auto data = ImportReader::read(input, format);
    if (!data)
        return failed(tr("%1: %2. Nothing was written.")
                          .arg(fromStdin ? tr("standard input") : file, data.error().text()));

    HttpTransport transport(where.url, where.token);
    QObject context;
    auto plan = blockingWait(ImportPlan::build(&transport, where.store, target,
                                               std::move(data->leaves), mode, &context));
    if (!plan)
        return failed(
            tr("the preview failed: %1. Nothing was written.").arg(plan.error().message()));
    if (plan->writeCount() == 0) {
        say(stdout, tr("Nothing to import: %1.\n").arg(plan->summary()));
        return kOk;
    }
    if (!yes) {
        say(stderr, preview(*plan, where.store));
        if (!askYes(tr("Write these %1 changes? [y/N] ").arg(plan->writeCount())))
            return failed(tr("not confirmed. Nothing was written."));
    }

    ImportJob job(&transport, where.store, std::move(*plan));
    QEventLoop loop;
    bool ok = false;
    QString words;
    QObject::connect(&job, &ImportJob::progress, &job, [terminal](qint64 written, qint64 total) {
        if (terminal && total > 0)
            say(stderr, tr("\rimporting: %1 of %2 writes (%3%)")
                            .arg(written)
                            .arg(total)
                            .arg(written * 100 / total));
    });
    QObject::connect(&job, &ImportJob::finished, &loop, [&](bool success, const QString &outcome) {
        ok = success;
        words = outcome;
        loop.quit();
    });
    job.start();
    if (job.isRunning())
        loop.exec();
    if (terminal)
        say(stderr, QStringLiteral("\n"));
    if (!ok)
        return failed(words);
    say(stdout, words + QLatin1Char('\n'));
    return kOk;
}

} // namespace dust
