// Copy as Code against a real dustlite on 127.0.0.1: each curl snippet runs through `sh -c`
// in a QProcess with DUST_TOKEN set in its environment (the snippet is never edited) and
// does what the node shows: a GET returns the node's value, type and revision as the
// transport reads them, a PUT or DELETE snippet for an edit about to be made really writes
// (and a stale If-Match really refuses). The JavaScript snippets pass `node --check`; the
// CLI and Elixir ones are compared with the forms of the dust CLI (cli/src/dust/cli.cr,
// commands/data.cr, types.cr) and the Elixir SDK (lib/dust.ex, Dust.Supervisor). No snippet
// ever holds the token. CopyAsCodeMenu puts the snippet on the clipboard and disables what
// a language cannot express, saying why.

#include "InProcessDustlite.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"

#include "code/CodeSnippets.h"
#include "code/CopyAsCodeMenu.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"

#include <QApplication>
#include <QClipboard>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace dust;
using namespace dust::test;
using namespace Qt::StringLiterals;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kToken = QStringLiteral("dust_tok_dev");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs `script` with `program` (sh -c, node --check …) and DUST_TOKEN in the environment,
// keeping the event loop turning: the server answers from this very thread.
Run runProcess(const QString &program, const QStringList &arguments)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(codesnippets::tokenVariable(), kToken);
    env.remove(QStringLiteral("http_proxy"));
    env.remove(QStringLiteral("HTTP_PROXY"));
    env.remove(QStringLiteral("all_proxy"));
    env.remove(QStringLiteral("ALL_PROXY"));
    process.setProcessEnvironment(env);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(program, arguments);
    Run run;
    if (!process.waitForStarted(30000))
        return run;
    if (finished.isEmpty() && !finished.wait(60000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

Run runShell(const QString &snippet)
{
    return runProcess(QStringLiteral("sh"), {QStringLiteral("-c"), snippet});
}

QJsonValue parsed(const QByteArray &text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray("[") + text + QByteArray("]"));
    return doc.array().isEmpty() ? QJsonValue(QJsonValue::Undefined) : doc.array().first();
}

EditRequest editOf(EditRequest::Kind kind, const Path &where, const QJsonValue &value = {})
{
    EditRequest edit;
    edit.kind = kind;
    edit.path = where;
    edit.value = value;
    return edit;
}

} // namespace

class TestCodeSnippets : public QObject
{
    Q_OBJECT

    SnippetTarget target(const Path &where, std::optional<EditRequest> edit = {}) const
    {
        return {m_server.baseUrl(), kStore, where, QString(), std::move(edit)};
    }

    InProcessDustlite m_server;
    std::unique_ptr<HttpTransport> m_http;

private slots:
    void initTestCase();
    void curlGetReturnsTheNodesValue_data();
    void curlGetReturnsTheNodesValue();
    void curlPutReallyWrites_data();
    void curlPutReallyWrites();
    void curlDeleteReallyDeletes();
    void javaScriptPassesNodeCheck_data();
    void javaScriptPassesNodeCheck();
    void cliFollowsTheCliForms_data();
    void cliFollowsTheCliForms();
    void elixirFollowsTheSdkForms();
    void elixirTerms_data();
    void elixirTerms();
    void tokenIsNeverInlined();
    void whatALanguageCannotSay();
    void menuCopiesToTheClipboard();
    void serverOfEachTransport();
};

void TestCodeSnippets::initTestCase()
{
    if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
        QFAIL("curl is needed (build.sh installs it)");
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    m_http = std::make_unique<HttpTransport>(m_server.baseUrl(), kToken);
}

void TestCodeSnippets::curlGetReturnsTheNodesValue_data()
{
    QTest::addColumn<QStringList>("segments");
    QTest::addColumn<QJsonValue>("value");

    QTest::newRow("plain string") << QStringList{u"plain"_s, u"leaf"_s} << QJsonValue(u"hello"_s);
    QTest::newRow("space in a segment")
        << QStringList{u"hello world"_s, u"title"_s} << QJsonValue(42);
    QTest::newRow("slash in a segment")
        << QStringList{u"files"_s, u"image/logo"_s} << QJsonValue(1.5);
    QTest::newRow("tilde in a segment")
        << QStringList{u"files"_s, u"image~logo"_s} << QJsonValue(true);
    QTest::newRow("plus") << QStringList{u"a+b"_s} << QJsonValue(QJsonValue::Null);
    QTest::newRow("quote and percent")
        << QStringList{u"it's 100%"_s, u"x"_s} << QJsonValue(u"a 'quoted' $HOME `x`"_s);
    QTest::newRow("query characters")
        << QStringList{u"amp&q=1?#frag"_s} << QJsonValue(QJsonArray{1, u"two"_s, 3});
    QTest::newRow("unicode") << QStringList{u"ünï"_s, u"😀"_s} << QJsonValue(u"čaj"_s);
    QTest::newRow("literal star") << QStringList{u"x"_s, u"*"_s} << QJsonValue(u"star"_s);
    QTest::newRow("assembled map")
        << QStringList{u"users"_s, u"alice"_s}
        << QJsonValue(QJsonObject{{u"name"_s, u"Alice"_s},
                                  {u"prefs"_s, QJsonObject{{u"theme"_s, u"dark"_s}}}});
}

void TestCodeSnippets::curlGetReturnsTheNodesValue()
{
    QFETCH(QStringList, segments);
    QFETCH(QJsonValue, value);
    const Path where = dust::test::segments(segments);
    QVERIFY(await(m_http->put(kStore, where, value)));
    const auto shown = await(m_http->get(kStore, where)); // what the node shows
    QVERIFY(shown);

    const QString snippet = codesnippets::curl(target(where));
    QVERIFY2(!snippet.contains(kToken), qPrintable(snippet));
    const Run run = runShell(snippet);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonObject got = parsed(run.out).toObject();
    QVERIFY2(!got.isEmpty(), run.out.constData());
    QCOMPARE(got.value(QStringLiteral("path")).toString(), where.rendered());
    QCOMPARE(got.value(QStringLiteral("value")), shown->value);
    QCOMPARE(got.value(QStringLiteral("type")).toString(), shown->type);
    QCOMPARE(got.value(QStringLiteral("revision")).toInteger(), shown->revision);
}

void TestCodeSnippets::curlPutReallyWrites_data()
{
    QTest::addColumn<QStringList>("segments");
    QTest::addColumn<QJsonValue>("before"); // undefined: nothing there
    QTest::addColumn<QJsonValue>("written");
    QTest::addColumn<QString>("precondition"); // "", "current", "stale", "absent"
    QTest::addColumn<bool>("writes");

    const QJsonValue none(QJsonValue::Undefined);
    QTest::newRow("string over a string")
        << QStringList{u"edit"_s, u"greeting"_s} << QJsonValue(u"hi"_s)
        << QJsonValue(u"it's done"_s) << u""_s << true;
    QTest::newRow("if-match the revision shown")
        << QStringList{u"edit"_s, u"with space/and slash"_s} << QJsonValue(1) << QJsonValue(2)
        << u"current"_s << true;
    QTest::newRow("if-match a stale revision is refused")
        << QStringList{u"edit"_s, u"stale"_s} << QJsonValue(u"old"_s) << QJsonValue(u"new"_s)
        << u"stale"_s << false;
    QTest::newRow("create if absent") << QStringList{u"edit"_s, u"new~one"_s} << none
                                      << QJsonValue(QJsonArray{u"a"_s, 1}) << u"absent"_s << true;
    QTest::newRow("create if absent refused when present")
        << QStringList{u"edit"_s, u"present"_s} << QJsonValue(u"here"_s) << QJsonValue(u"other"_s)
        << u"absent"_s << false;
    QTest::newRow("object flattens")
        << QStringList{u"edit"_s, u"obj"_s} << QJsonValue(u"leaf"_s)
        << QJsonValue(QJsonObject{{u"a"_s, 1}, {u"b/c"_s, u"x"_s}}) << u""_s << true;
    QTest::newRow("empty object (body form)")
        << QStringList{u"edit"_s, u"emptied"_s} << QJsonValue(QJsonObject{{u"k"_s, 1}})
        << QJsonValue(QJsonObject{}) << u""_s << true;
    QTest::newRow("null") << QStringList{u"edit"_s, u"nothing"_s} << QJsonValue(3)
                          << QJsonValue(QJsonValue::Null) << u""_s << true;
}

void TestCodeSnippets::curlPutReallyWrites()
{
    QFETCH(QStringList, segments);
    QFETCH(QJsonValue, before);
    QFETCH(QJsonValue, written);
    QFETCH(QString, precondition);
    QFETCH(bool, writes);
    const Path where = dust::test::segments(segments);
    qint64 revision = 0;
    if (!before.isUndefined()) {
        const auto put = await(m_http->put(kStore, where, before));
        QVERIFY(put);
        revision = put->storeSeq;
    }
    EditRequest edit = editOf(EditRequest::Kind::Set, where, written);
    if (precondition == QLatin1String("current"))
        edit.ifMatch = revision;
    else if (precondition == QLatin1String("stale"))
        edit.ifMatch = revision - 1;
    else if (precondition == QLatin1String("absent"))
        edit.ifAbsent = true;
    const QString snippet = codesnippets::curl(target(where, edit));
    const Run run = runShell(snippet);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonObject answer = parsed(run.out).toObject();

    const auto after = await(m_http->get(kStore, where));
    if (!writes) {
        QCOMPARE(answer.value(QStringLiteral("error")).toString(),
                 precondition == QLatin1String("stale") ? QStringLiteral("conflict")
                                                        : QStringLiteral("exists"));
        QVERIFY(after);
        QCOMPARE(after->value, before);
        QCOMPARE(after->revision, revision);
        return;
    }
    QVERIFY2(answer.contains(QStringLiteral("store_seq")), run.out.constData());
    if (written.isObject() && written.toObject().isEmpty()) {
        QVERIFY(!after); // an empty object leaves nothing (dust-protocol.md §3.2)
        return;
    }
    QVERIFY(after);
    QCOMPARE(after->value, written);
    QVERIFY(after->revision > revision);
}

void TestCodeSnippets::curlDeleteReallyDeletes()
{
    const Path where = segments({u"gone"_s, u"a b/c"_s});
    const auto put = await(m_http->put(kStore, where, QJsonValue(u"x"_s)));
    QVERIFY(put);
    // A stale revision: refused, still there.
    EditRequest edit = editOf(EditRequest::Kind::Delete, where);
    edit.ifMatch = put->storeSeq - 1;
    Run run = runShell(codesnippets::curl(target(where, edit)));
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(parsed(run.out).toObject().value(QStringLiteral("error")).toString(),
             QStringLiteral("conflict"));
    QVERIFY(await(m_http->get(kStore, where)));
    // The revision shown: deleted.
    edit.ifMatch = put->storeSeq;
    run = runShell(codesnippets::curl(target(where, edit)));
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(parsed(run.out).toObject().contains(QStringLiteral("store_seq")), run.out.data());
    const auto after = await(m_http->get(kStore, where));
    QVERIFY(!after);
    QCOMPARE(after.error().kind(), Error::Kind::NotFound);
}

void TestCodeSnippets::javaScriptPassesNodeCheck_data()
{
    QTest::addColumn<QStringList>("segments");
    QTest::addColumn<int>("kind"); // -1: read
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<qint64>("ifMatch");

    const QStringList odd{u"it's \"odd\""_s, u"back\\slash"_s, u"${x}"_s, u"line\u2028sep"_s};
    QTest::newRow("read") << odd << -1 << QJsonValue() << qint64(0);
    QTest::newRow("set string") << odd << int(EditRequest::Kind::Set)
                                << QJsonValue(u"`${process.exit(1)}` \"q\" \\ \u2028"_s)
                                << qint64(0);
    QTest::newRow("set if-match") << QStringList{u"a"_s} << int(EditRequest::Kind::Set)
                                  << QJsonValue(QJsonObject{{u"k"_s, QJsonArray{1, 2.5, true}}})
                                  << qint64(12);
    QTest::newRow("delete") << QStringList{u"a"_s, u"b"_s} << int(EditRequest::Kind::Delete)
                            << QJsonValue() << qint64(0);
    QTest::newRow("merge") << QStringList{u"settings"_s} << int(EditRequest::Kind::Merge)
                           << QJsonValue(QJsonObject{{u"theme"_s, u"dark"_s}}) << qint64(0);
    QTest::newRow("increment") << QStringList{u"stats"_s, u"views"_s}
                               << int(EditRequest::Kind::Increment) << QJsonValue(-2.5)
                               << qint64(0);
    QTest::newRow("add") << QStringList{u"tags"_s} << int(EditRequest::Kind::AddMember)
                         << QJsonValue(u"typescript"_s) << qint64(0);
    QTest::newRow("remove") << QStringList{u"tags"_s} << int(EditRequest::Kind::RemoveMember)
                            << QJsonValue(QJsonObject{{u"id"_s, 1}}) << qint64(0);
}

void TestCodeSnippets::javaScriptPassesNodeCheck()
{
    QFETCH(QStringList, segments);
    QFETCH(int, kind);
    QFETCH(QJsonValue, value);
    QFETCH(qint64, ifMatch);
    if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty())
        QFAIL("node is needed (build.sh installs nodejs)");
    std::optional<EditRequest> edit;
    if (kind >= 0) {
        edit = editOf(static_cast<EditRequest::Kind>(kind), dust::test::segments(segments), value);
        if (ifMatch > 0)
            edit->ifMatch = ifMatch;
    }
    const QString snippet = codesnippets::javaScript(target(dust::test::segments(segments), edit));
    QVERIFY(snippet.contains(QStringLiteral("import { Dust } from \"@dust-sync/sdk\"")));
    QVERIFY(snippet.contains(QStringLiteral("process.env.DUST_TOKEN")));
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("snippet.mjs")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(snippet.toUtf8());
    file.close();
    const Run run =
        runProcess(QStringLiteral("node"), {QStringLiteral("--check"), file.fileName()});
    QVERIFY2(run.exitCode == 0, qPrintable(snippet + QString::fromUtf8(run.err)));

    // The check can fail: the same snippet cut short does not pass.
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(snippet.left(snippet.indexOf(QLatin1Char('(')) + 1).toUtf8());
    file.close();
    QVERIFY(
        runProcess(QStringLiteral("node"), {QStringLiteral("--check"), file.fileName()}).exitCode !=
        0);
}

void TestCodeSnippets::cliFollowsTheCliForms_data()
{
    QTest::addColumn<int>("kind"); // -1: read
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<qint64>("ifMatch");
    QTest::addColumn<QString>("command"); // the snippet's last line

    const QString env = QStringLiteral("DUST_API_KEY=\"$DUST_TOKEN\" dust ");
    // `dust entry <store> <path>` (path, value, type, revision: what the node shows).
    QTest::newRow("read") << -1 << QJsonValue() << qint64(0)
                          << env + u"entry 'local/demo' 'it'\\''s/a~1b'"_s;
    // `dust put <store> <path> <json> [--if-match N]`
    QTest::newRow("put") << int(EditRequest::Kind::Set) << QJsonValue(u"v 'q'"_s) << qint64(7)
                         << env + u"put 'local/demo' 'it'\\''s/a~1b' '\"v '\\''q'\\''\"' "
                                  "--if-match 7"_s;
    QTest::newRow("delete") << int(EditRequest::Kind::Delete) << QJsonValue() << qint64(0)
                            << env + u"delete 'local/demo' 'it'\\''s/a~1b'"_s;
    QTest::newRow("merge") << int(EditRequest::Kind::Merge)
                           << QJsonValue(QJsonObject{{u"theme"_s, u"dark"_s}}) << qint64(0)
                           << env + u"merge 'local/demo' 'it'\\''s/a~1b' '{\"theme\":\"dark\"}'"_s;
    // `dust increment <store> <path> [n]`
    QTest::newRow("increment") << int(EditRequest::Kind::Increment) << QJsonValue(-3) << qint64(0)
                               << env + u"increment 'local/demo' 'it'\\''s/a~1b' -3"_s;
    // `dust add|remove <store> <path> <member>` (JSON, else a plain string)
    QTest::newRow("add") << int(EditRequest::Kind::AddMember) << QJsonValue(u"x"_s) << qint64(0)
                         << env + u"add 'local/demo' 'it'\\''s/a~1b' '\"x\"'"_s;
    QTest::newRow("remove") << int(EditRequest::Kind::RemoveMember) << QJsonValue(5) << qint64(0)
                            << env + u"remove 'local/demo' 'it'\\''s/a~1b' '5'"_s;
}

void TestCodeSnippets::cliFollowsTheCliForms()
{
    QFETCH(int, kind);
    QFETCH(QJsonValue, value);
    QFETCH(qint64, ifMatch);
    QFETCH(QString, command);
    const Path where = segments({u"it's"_s, u"a/b"_s});
    std::optional<EditRequest> edit;
    if (kind >= 0) {
        edit = editOf(static_cast<EditRequest::Kind>(kind), where, value);
        if (ifMatch > 0)
            edit->ifMatch = ifMatch;
    }
    SnippetTarget t = target(where, edit);
    t.server = QUrl(QStringLiteral("https://dustlayer.io"));
    const QStringList lines = codesnippets::cli(t).trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    // The CLI's server is its config file's server_url (cli/src/dust/config.cr).
    QCOMPARE(lines.first(), QStringLiteral("# server: \"server_url\": "
                                           "\"wss://dustlayer.io/ws/sync\" in "
                                           "~/.config/dust/config.json"));
    QCOMPARE(lines.last(), command);
    // The command line is one a POSIX shell splits into the CLI's arguments: check with sh.
    const Run run = runShell(QStringLiteral("set -- %1; shift 2; printf '%s\\n' \"$@\"")
                                 .arg(command.mid(command.indexOf(QStringLiteral("dust ")))));
    QCOMPARE(run.exitCode, 0);
    const QStringList args = QString::fromUtf8(run.out).split(QLatin1Char('\n'));
    QCOMPARE(args.value(0), QStringLiteral("local/demo"));
    QCOMPARE(args.value(1), where.rendered());
    if (kind == int(EditRequest::Kind::Set) || kind == int(EditRequest::Kind::Merge))
        QCOMPARE(parsed(args.value(2).toUtf8()), value);
}

void TestCodeSnippets::elixirFollowsTheSdkForms()
{
    const Path where = segments({u"users"_s, u"a/b"_s});
    SnippetTarget t = target(where);
    t.server = QUrl(QStringLiteral("http://127.0.0.1:7755"));
    const QString setup = QStringLiteral("# deps: {:dustlayer, \"~> 0.1\"} (the hex package of "
                                         "the Dust module)\n"
                                         "{:ok, _} =\n"
                                         "  Dust.Supervisor.start_link(\n"
                                         "    stores: [\"local/demo\"],\n"
                                         "    url: \"ws://127.0.0.1:7755/ws/sync\",\n"
                                         "    token: System.fetch_env!(\"DUST_TOKEN\"),\n"
                                         "    cache: {Dust.Cache.Memory, []}\n"
                                         "  )\n\n");
    // Dust.entry(store, path) → {:ok, entry}
    QCOMPARE(codesnippets::elixir(t),
             setup + u"{:ok, entry} = Dust.entry(\"local/demo\", \"users/a~1b\")\n"
                     "IO.inspect(entry)\n"_s);
    // Dust.put(store, path, value, opts) with if_match (the SDK's compare-and-swap)
    EditRequest edit =
        editOf(EditRequest::Kind::Set, where, QJsonObject{{u"name"_s, u"#{boom}"_s}, {u"n"_s, 1}});
    edit.ifMatch = 9;
    t.edit = edit;
    QCOMPARE(codesnippets::elixir(t),
             setup + u"Dust.put(\"local/demo\", \"users/a~1b\", %{\"n\" => 1, \"name\" => "
                     "\"\\#{boom}\"}, if_match: 9)\n"_s);
    t.edit = editOf(EditRequest::Kind::Increment, where, 2);
    QCOMPARE(codesnippets::elixir(t),
             setup + u"Dust.increment(\"local/demo\", \"users/a~1b\", 2)\n"_s);
    t.edit = editOf(EditRequest::Kind::Merge, where, QJsonObject{{u"role"_s, u"admin"_s}});
    QCOMPARE(codesnippets::elixir(t),
             setup + u"Dust.merge(\"local/demo\", \"users/a~1b\", %{\"role\" => \"admin\"})\n"_s);
    t.edit = editOf(EditRequest::Kind::Delete, where);
    QCOMPARE(codesnippets::elixir(t), setup + u"Dust.delete(\"local/demo\", \"users/a~1b\")\n"_s);
    t.edit = editOf(EditRequest::Kind::AddMember, where, u"x"_s);
    QCOMPARE(codesnippets::elixir(t),
             setup + u"Dust.add(\"local/demo\", \"users/a~1b\", \"x\")\n"_s);
}

void TestCodeSnippets::elixirTerms_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("term");

    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << u"nil"_s;
    QTest::newRow("booleans") << QJsonValue(QJsonArray{true, false}) << u"[true, false]"_s;
    QTest::newRow("integer") << QJsonValue(42) << u"42"_s;
    QTest::newRow("float") << QJsonValue(2.5) << u"2.5"_s;
    QTest::newRow("float with exponent") << QJsonValue(1e20) << u"1.0e+20"_s;
    QTest::newRow("string escapes") << QJsonValue(u"a\"b\\c\nd"_s) << u"\"a\\\"b\\\\c\\nd\""_s;
    QTest::newRow("no interpolation") << QJsonValue(u"#{x}"_s) << u"\"\\#{x}\""_s;
    QTest::newRow("nested map") << QJsonValue(
                                       QJsonObject{{u"a"_s, QJsonObject{{u"b"_s, QJsonArray{}}}}})
                                << u"%{\"a\" => %{\"b\" => []}}"_s;
}

void TestCodeSnippets::elixirTerms()
{
    QFETCH(QJsonValue, value);
    QFETCH(QString, term);
    QCOMPARE(codesnippets::elixirTerm(value), term);
}

void TestCodeSnippets::tokenIsNeverInlined()
{
    const Path where = segments({u"k"_s});
    const QList<std::optional<EditRequest>> edits{
        std::nullopt, editOf(EditRequest::Kind::Set, where, u"v"_s),
        editOf(EditRequest::Kind::Delete, where),
        editOf(EditRequest::Kind::Merge, where, QJsonObject{{u"a"_s, 1}})};
    const QString reference[] = {QStringLiteral("$DUST_TOKEN"), QStringLiteral("$DUST_TOKEN"),
                                 QStringLiteral("process.env.DUST_TOKEN"),
                                 QStringLiteral("System.fetch_env!(\"DUST_TOKEN\")")};
    const SnippetLanguage languages[] = {SnippetLanguage::Curl, SnippetLanguage::Cli,
                                         SnippetLanguage::JavaScript, SnippetLanguage::Elixir};
    for (const auto &edit : edits) {
        for (int i = 0; i < 4; ++i) {
            const SnippetTarget t = target(where, edit);
            const QString text = codesnippets::snippet(languages[i], t);
            QVERIFY2(!text.contains(QStringLiteral("dust_tok_")), qPrintable(text));
            if (codesnippets::canExpress(languages[i], t))
                QVERIFY2(text.contains(reference[i]), qPrintable(text));
        }
    }
}

void TestCodeSnippets::whatALanguageCannotSay()
{
    const Path where = segments({u"k"_s});
    QString why;
    QVERIFY(!codesnippets::canExpress(
        SnippetLanguage::Curl, target(where, editOf(EditRequest::Kind::Merge, where)), &why));
    QVERIFY(why.contains(QStringLiteral("REST")));
    // What is copied anyway says why, as a comment.
    QVERIFY(codesnippets::curl(target(where, editOf(EditRequest::Kind::Increment, where, 1)))
                .startsWith(QStringLiteral("# ")));
    EditRequest create = editOf(EditRequest::Kind::Set, where, 1);
    create.ifAbsent = true;
    QVERIFY(codesnippets::canExpress(SnippetLanguage::Curl, target(where, create)));
    QVERIFY(
        codesnippets::javaScript(target(where, create))
            .contains(QStringLiteral("dust.put(\"local/demo\", \"k\", 1, { ifAbsent: true })")));
    QVERIFY(!codesnippets::canExpress(SnippetLanguage::Elixir, target(where, create), &why));
    QVERIFY(why.contains(QStringLiteral("If-None-Match")));
    QVERIFY(!codesnippets::canExpress(SnippetLanguage::Elixir, target(Path())));
}

void TestCodeSnippets::menuCopiesToTheClipboard()
{
    std::optional<SnippetTarget> current;
    CopyAsCodeMenu menu([&current] { return current; });
    menu.updateActions();
    for (auto language : {SnippetLanguage::Curl, SnippetLanguage::Cli, SnippetLanguage::JavaScript,
                          SnippetLanguage::Elixir}) {
        QVERIFY(menu.action(language));
        QVERIFY(!menu.action(language)->isEnabled());
    }

    const Path where = segments({u"menu"_s, u"x y"_s});
    current = target(where);
    menu.updateActions();
    QVERIFY(menu.action(SnippetLanguage::Curl)->isEnabled());
    QSignalSpy copied(&menu, &CopyAsCodeMenu::copied);
    menu.action(SnippetLanguage::Curl)->trigger();
    QCOMPARE(copied.count(), 1);
    QCOMPARE(QApplication::clipboard()->text(), codesnippets::curl(*current));
    menu.action(SnippetLanguage::Elixir)->trigger();
    QCOMPARE(QApplication::clipboard()->text(), codesnippets::elixir(*current));

    // A merge about to be made: curl cannot say it, the menu says why.
    current = target(where, editOf(EditRequest::Kind::Merge, where, QJsonObject{{u"a"_s, 1}}));
    menu.updateActions();
    QVERIFY(!menu.action(SnippetLanguage::Curl)->isEnabled());
    QVERIFY(menu.action(SnippetLanguage::Curl)->toolTip().contains(QStringLiteral("REST")));
    QVERIFY(menu.action(SnippetLanguage::Cli)->isEnabled());
    QVERIFY(!menu.copy(SnippetLanguage::Curl));
}

void TestCodeSnippets::serverOfEachTransport()
{
    QCOMPARE(codesnippets::serverUrlOf(m_http.get()), m_server.baseUrl());
    SdkTransport live(sdkOptions(m_server.wsUrl()));
    QCOMPARE(codesnippets::serverUrlOf(&live).toString(QUrl::StripTrailingSlash),
             m_server.baseUrl().toString(QUrl::StripTrailingSlash));
    QVERIFY(!codesnippets::serverUrlOf(nullptr).isValid());
}

QTEST_MAIN(TestCodeSnippets)
#include "tst_codesnippets.moc"
