// Search inside values against a real dustlite's mirror (over a real WebSocket), checked
// against a naive scan of the store's REST export: text, case, regular expressions, subtree,
// glob, types, escapes and unicode, on the demo store (with a few awkward values added) and
// on a generated store of 100,000 leaves; the matcher's reading of JSON bytes on its own.

#include "InProcessDustlite.h"
#include "SearchTestSupport.h"
#include "StoreDb.h"
#include "TestSdkOptions.h"
#include "search/LeafSlice.h"
#include "search/ValueMatcher.h"

using namespace dust;
using namespace dust::test;

Q_DECLARE_METATYPE(dust::SearchQuery)

namespace {

const QString kStore = QStringLiteral("local/demo");
constexpr qint64 kGeneratedLeaves = 100000;

SearchQuery text(const QString &t, bool caseSensitive = false)
{
    SearchQuery q;
    q.text = t;
    q.caseSensitive = caseSensitive;
    return q;
}

SearchQuery regex(const QString &t, bool caseSensitive = false)
{
    SearchQuery q = text(t, caseSensitive);
    q.regex = true;
    return q;
}

SearchQuery under(SearchQuery q, const QString &scope)
{
    q.scope = path(scope);
    return q;
}

SearchQuery globbed(SearchQuery q, const QString &glob)
{
    q.glob = glob;
    return q;
}

SearchQuery typed(SearchQuery q, const QStringList &types)
{
    q.types = types;
    return q;
}

// A store served by its own in-process dustlite, its live transport and its export.
struct LiveStore
{
    InProcessDustlite dustlite;
    std::unique_ptr<SdkTransport> live;
    QList<ExportedLeaf> reference;
};

struct Outcome
{
    QList<QByteArray> paths;
    QList<SearchHit> hits;
    qint64 searched = 0;
    qint64 matches = 0;
};

} // namespace

class TestValueSearch : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void decodesJsonStrings_data();
    void decodesJsonStrings();
    void matchesJsonBytes_data();
    void matchesJsonBytes();
    void excerptMarksTheMatches();

    void demoStore_data();
    void demoStore();
    void smallSlicesFindTheSame();
    void generatedStore_data();
    void generatedStore();

    void invalidQueriesAreRefused_data();
    void invalidQueriesAreRefused();
    void restOnlyNeedsTheLiveMirror();

private:
    bool open(LiveStore &store, const QString &seed,
              const QList<std::pair<Path, QJsonValue>> &extra);
    void run(LiveStore &store, const SearchQuery &query, qsizetype sliceBudget, Outcome &out);
    void compareWithNaive(LiveStore &store, const SearchQuery &query, bool expectSome,
                          qsizetype sliceBudget = 0);

    LiveStore m_demo;
    LiveStore m_generated;
};

bool TestValueSearch::open(LiveStore &store, const QString &seed,
                           const QList<std::pair<Path, QJsonValue>> &extra)
{
    store.dustlite.config().seed = seed;
    if (!store.dustlite.start()) {
        qWarning("dustlite: %s", qPrintable(store.dustlite.errorString()));
        return false;
    }
    if (!extra.isEmpty() && store.dustlite.store()->bulkSet(extra, QStringLiteral("test")) <= 0)
        return false;
    store.live = std::make_unique<SdkTransport>(sdkOptions(store.dustlite.wsUrl()));
    if (waitLive(*store.live, kStore) <= 0)
        return false;
    store.reference = exportedLeaves(store.dustlite.baseUrl());
    return !store.reference.isEmpty();
}

void TestValueSearch::initTestCase()
{
    const auto s = [](const char *utf8) {
        return QString::fromUtf8(utf8);
    };
    // Values whose JSON needs escapes, and text beyond ASCII.
    QVERIFY(open(m_demo, QStringLiteral("demo"),
                 {
                     {path(s("misc/quote")), s("a\"b and c\\d")},
                     {path(s("misc/multiline")), s("first line\nsecond line\tand a tab")},
                     {path(s("misc/emoji")), s("rocket \xf0\x9f\x9a\x80 launch")},
                     {path(s("misc/kelvin")), s("200 \xe2\x84\xaa")}, // U+212A KELVIN SIGN
                     {path(s("misc/quoted_array")), QJsonArray{s("a\"b"), s("caf\xc3\xa9")}},
                     {path(s("misc/control")), s("bell\x07 here")},
                 }));
    QVERIFY(open(m_generated, QString::number(kGeneratedLeaves), {}));
    QCOMPARE(qint64(m_generated.reference.size()), kGeneratedLeaves);
}

void TestValueSearch::cleanupTestCase()
{
    m_demo.live.reset();
    m_generated.live.reset();
}

void TestValueSearch::run(LiveStore &store, const SearchQuery &query, qsizetype sliceBudget,
                          Outcome &out)
{
    SearchResultsModel model;
    model.setMaxRows(kGeneratedLeaves);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ValueSearch search(&model);
    search.setSource(store.live.get(), kStore);
    search.setSliceBudget(sliceBudget);
    QSignalSpy finished(&search, &ValueSearch::finished);
    QSignalSpy failed(&search, &ValueSearch::failed);
    QVERIFY2(search.start(query), qPrintable(search.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 120000);
    QVERIFY2(failed.isEmpty(), qPrintable(search.errorString()));
    out.paths = listedPaths(model);
    for (int row = 0; row < model.rowCount(); ++row)
        out.hits.append(model.hitAt(row));
    out.searched = search.valuesSearched();
    out.matches = search.matchCount();
}

void TestValueSearch::compareWithNaive(LiveStore &store, const SearchQuery &query, bool expectSome,
                                       qsizetype sliceBudget)
{
    const NaiveResult expected = naiveSearch(store.reference, query);
    if (expectSome)
        QVERIFY2(!expected.paths.isEmpty(), "the case finds nothing: it checks too little");
    else
        QVERIFY(expected.paths.isEmpty());
    Outcome got;
    run(store, query, sliceBudget, got);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(got.searched, expected.inScope);
    QCOMPARE(got.matches, qint64(expected.paths.size()));
    QCOMPARE(got.paths, expected.paths);
    // Every excerpt shows a match, marked where it is.
    const bool hasControl = std::any_of(query.text.begin(), query.text.end(),
                                        [](QChar c) { return c.unicode() < 0x20; });
    for (const SearchHit &hit : got.hits) {
        const QList<int> &spans = hit.excerpt.spans;
        if (query.text.isEmpty()) {
            QVERIFY(spans.isEmpty());
            continue;
        }
        QVERIFY2(spans.size() >= 2, hit.path.constData());
        // Control characters are shown as spaces.
        if (!query.regex && !hasControl) {
            const QString marked = hit.excerpt.text.mid(spans[0], spans[1]);
            QVERIFY2(marked.compare(query.text, query.caseSensitive ? Qt::CaseSensitive
                                                                    : Qt::CaseInsensitive) == 0,
                     qPrintable(hit.excerpt.text + QStringLiteral(" / ") + marked));
        }
    }
}

void TestValueSearch::decodesJsonStrings_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("valid");
    const auto s = [](const char *utf8) {
        return QString::fromUtf8(utf8);
    };
    QTest::newRow("plain") << QByteArray(R"("hello")") << s("hello") << true;
    QTest::newRow("quote and backslash") << QByteArray(R"("a\"b\\c")") << s("a\"b\\c") << true;
    QTest::newRow("short escapes") << QByteArray(R"("\n\t\r\b\f\/")") << s("\n\t\r\b\f/") << true;
    QTest::newRow("unicode escape") << QByteArray(R"("caf\u00e9")") << s("caf\xc3\xa9") << true;
    QTest::newRow("raw utf-8") << QByteArray("\"caf\xc3\xa9\"") << s("caf\xc3\xa9") << true;
    QTest::newRow("surrogate pair")
        << QByteArray(R"("\ud83d\ude80")") << s("\xf0\x9f\x9a\x80") << true;
    QTest::newRow("lone surrogate") << QByteArray(R"("x\ud83dy")") << s("x\xef\xbf\xbdy") << true;
    QTest::newRow("bad escape") << QByteArray(R"("\q")") << QString() << false;
    QTest::newRow("cut escape") << QByteArray(R"("\u12")") << QString() << false;
    QTest::newRow("not a string") << QByteArray("12") << QString() << false;
}

void TestValueSearch::decodesJsonStrings()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QFETCH(bool, valid);
    std::string out;
    QCOMPARE(ValueMatcher::decodeString(jsonbytes::view(json), out), valid);
    if (valid)
        QCOMPARE(QString::fromUtf8(out.data(), qsizetype(out.size())), expected);
}

void TestValueSearch::matchesJsonBytes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<SearchQuery>("query");
    QTest::addColumn<bool>("matches");
    const auto s = [](const char *utf8) {
        return QString::fromUtf8(utf8);
    };
    QTest::newRow("escaped é found as é")
        << QByteArray(R"("caf\u00e9 au lait")") << text(s("café")) << true;
    QTest::newRow("é ignoring case") << QByteArray("\"CAF\xc3\x89\"") << text(s("café")) << true;
    QTest::newRow("é matching case")
        << QByteArray("\"CAF\xc3\x89\"") << text(s("café"), true) << false;
    QTest::newRow("quote in a string")
        << QByteArray(R"("say \"hi\"")") << text(s("say \"hi")) << true;
    QTest::newRow("escape text is not searched")
        << QByteArray(R"("a\"b")") << text(s("\\\"")) << false;
    QTest::newRow("line break") << QByteArray(R"("one\ntwo")") << text(s("one\ntwo")) << true;
    QTest::newRow("emoji escaped")
        << QByteArray(R"("go \ud83d\ude80")") << text(s("\xf0\x9f\x9a\x80")) << true;
    QTest::newRow("ascii ignoring case")
        << QByteArray(R"("Hello World")") << text(s("o wOR")) << true;
    QTest::newRow("ascii matching case")
        << QByteArray(R"("Hello World")") << text(s("o wOR"), true) << false;
    QTest::newRow("kelvin folds to k")
        << QByteArray("\"5 \xe2\x84\xaa\"") << text(s("5 k")) << true;
    QTest::newRow("quotes are not in a string's text")
        << QByteArray(R"("abc")") << text(s("\"abc")) << false;
    QTest::newRow("number as json") << QByteArray("3.14159") << text(s("14")) << true;
    QTest::newRow("null as json") << QByteArray("null") << text(s("NULL")) << true;
    QTest::newRow("array as json") << QByteArray(R"(["qt","dust"])") << text(s("\"qt\"")) << true;
    QTest::newRow("array keeps escapes") << QByteArray(R"(["a\"b"])") << text(s("a\\\"b")) << true;
    QTest::newRow("object keys") << QByteArray(R"({"hash":"sha256:ab"})") << text(s("hash"))
                                 << true;
    QTest::newRow("empty text matches all") << QByteArray("false") << text(QString()) << true;
    QTest::newRow("regex on decoded text")
        << QByteArray(R"("caf\u00e9")") << regex(s("^caf.$")) << true;
    QTest::newRow("regex ignoring case") << QByteArray(R"("Alice")") << regex(s("^alice$")) << true;
    QTest::newRow("regex matching case")
        << QByteArray(R"("Alice")") << regex(s("^alice$"), true) << false;
    QTest::newRow("regex on json text") << QByteArray("[1,2]") << regex(s("^\\[1,")) << true;
    QTest::newRow("regex unicode class")
        << QByteArray("\"\xe6\x9d\xb1\xe4\xba\xac\"") << regex(s("^\\p{Han}+$")) << true;
}

void TestValueSearch::matchesJsonBytes()
{
    QFETCH(QByteArray, json);
    QFETCH(SearchQuery, query);
    QFETCH(bool, matches);
    const auto matcher = ValueMatcher::compile(query);
    QVERIFY(matcher);
    QCOMPARE(matcher->matches(jsonbytes::view(json)), matches);
    if (matches && !query.text.isEmpty())
        QVERIFY(matcher->excerpt(jsonbytes::view(json)).spans.size() >= 2);
}

void TestValueSearch::excerptMarksTheMatches()
{
    const QString before(300, QLatin1Char('x'));
    const QByteArray json = "\"" + before.toUtf8() + "\\nNeedle in the hay, needle again\"";
    const auto matcher = ValueMatcher::compile(text(QStringLiteral("needle")));
    QVERIFY(matcher);
    const SearchExcerpt excerpt = matcher->excerpt(jsonbytes::view(json));
    QVERIFY(excerpt.text.startsWith(QChar(0x2026))); // cut before the match
    QVERIFY(!excerpt.text.contains(QLatin1Char('\n')));
    QCOMPARE(excerpt.spans.size(), 4);
    QCOMPARE(excerpt.text.mid(excerpt.spans[0], excerpt.spans[1]), QStringLiteral("Needle"));
    QCOMPARE(excerpt.text.mid(excerpt.spans[2], excerpt.spans[3]), QStringLiteral("needle"));
    QVERIFY(excerpt.text.size() < 140);
}

void TestValueSearch::demoStore_data()
{
    QTest::addColumn<SearchQuery>("query");
    QTest::addColumn<bool>("expectSome");
    const auto s = [](const char *utf8) {
        return QString::fromUtf8(utf8);
    };
    QTest::newRow("text") << text(s("example")) << true;
    QTest::newRow("text ignoring case") << text(s("EXAMPLE")) << true;
    QTest::newRow("text matching case") << text(s("EXAMPLE"), true) << false;
    QTest::newRow("text matching case, found") << text(s("Dubois"), true) << true;
    QTest::newRow("accent") << text(s("chloé")) << true;
    QTest::newRow("accent upper case") << text(s("CHLOÉ")) << true;
    QTest::newRow("accent matching case") << text(s("CHLOÉ"), true) << false;
    QTest::newRow("cjk") << text(s("東京")) << true;
    QTest::newRow("quote") << text(s("a\"b")) << true;
    QTest::newRow("backslash") << text(s("c\\d")) << true;
    QTest::newRow("escaped quote in an array") << text(s("a\\\"b")) << true;
    QTest::newRow("line break") << text(s("line\nsecond")) << true;
    QTest::newRow("tab") << text(s("line\tand")) << true;
    QTest::newRow("control character") << text(s("bell\x07")) << true;
    QTest::newRow("emoji") << text(s("\xf0\x9f\x9a\x80")) << true;
    QTest::newRow("kelvin sign folds") << text(s("200 k")) << true;
    QTest::newRow("number") << text(s("3.14")) << true;
    QTest::newRow("boolean") << text(s("true")) << true;
    QTest::newRow("null") << text(s("null")) << true;
    QTest::newRow("set member") << text(s("\"qt\"")) << true;
    QTest::newRow("file ref") << text(s("image/png")) << true;
    QTest::newRow("regex") << regex(s("^[A-Z][a-z]+ [A-Z]")) << true;
    QTest::newRow("regex ignoring case") << regex(s("^alice")) << true;
    QTest::newRow("regex matching case") << regex(s("^alice"), true) << true; // domains/…/owner
    QTest::newRow("regex dates") << regex(s("\\d{4}-\\d{2}-\\d{2}")) << true;
    QTest::newRow("regex han") << regex(s("\\p{Han}")) << true;
    QTest::newRow("regex line start") << regex(s("^second"), false) << false;
    QTest::newRow("regex multiline value") << regex(s("line\\s+second")) << true;
    QTest::newRow("subtree") << under(text(s("example")), s("users")) << true;
    QTest::newRow("subtree leaf and below") << under(text(s("v2")), s("config")) << true;
    QTest::newRow("subtree with unicode") << under(text(s("e")), s("users/chloé")) << true;
    QTest::newRow("glob") << globbed(text(s("example")), s("users/*/email")) << true;
    QTest::newRow("glob from the root") << globbed(text(s("a")), s("*/*")) << true;
    QTest::newRow("glob tail") << globbed(regex(s(".")), s("settings/**")) << true;
    QTest::newRow("glob and subtree")
        << globbed(under(text(s("e")), s("users")), s("users/*/name")) << true;
    QTest::newRow("types") << typed(text(s("1")), {s("integer"), s("float")}) << true;
    QTest::newRow("type counter, every value") << typed(text(QString()), {s("counter")}) << true;
    QTest::newRow("type file") << typed(text(s("png")), {s("file")}) << true;
    QTest::newRow("type lease") << typed(text(s("worker")), {s("lease")}) << true;
    QTest::newRow("types and subtree")
        << typed(under(text(s("i")), s("items")), {s("string")}) << true;
    QTest::newRow("nothing") << text(s("no such text anywhere")) << false;
}

void TestValueSearch::demoStore()
{
    QFETCH(SearchQuery, query);
    QFETCH(bool, expectSome);
    compareWithNaive(m_demo, query, expectSome);
}

void TestValueSearch::smallSlicesFindTheSame()
{
    // A few leaves per read: every read resumes after the last path of the one before.
    compareWithNaive(m_demo, text(QStringLiteral("e")), true, 3);
    if (QTest::currentTestFailed())
        return;
    compareWithNaive(m_demo, under(text(QStringLiteral("e")), QStringLiteral("users")), true, 2);
    if (QTest::currentTestFailed())
        return;
    compareWithNaive(m_demo, globbed(text(QStringLiteral("a")), QStringLiteral("*/*")), true, 1);
}

void TestValueSearch::generatedStore_data()
{
    QTest::addColumn<SearchQuery>("query");
    QTest::addColumn<qsizetype>("sliceBudget");
    const auto s = [](const char *utf8) {
        return QString::fromUtf8(utf8);
    };
    QTest::newRow("text") << text(s("request 99")) << qsizetype(0);
    QTest::newRow("text ignoring case") << text(s("MÜLLER")) << qsizetype(0);
    QTest::newRow("text matching case") << text(s("Inès"), true) << qsizetype(7000);
    QTest::newRow("regex") << regex(s("served in 9\\d\\d ms")) << qsizetype(0);
    QTest::newRow("subtree") << under(text(s("warn")), s("logs")) << qsizetype(5000);
    QTest::newRow("glob") << globbed(text(s("grace")), s("tenants/*/users/*/email"))
                          << qsizetype(0);
    QTest::newRow("types") << typed(text(s(".5")), {s("float")}) << qsizetype(0);
    QTest::newRow("types and glob")
        << globbed(typed(text(s("true")), {s("boolean")}), s("tenants/t000/users/*/active"))
        << qsizetype(0);
}

void TestValueSearch::generatedStore()
{
    QFETCH(SearchQuery, query);
    QFETCH(qsizetype, sliceBudget);
    compareWithNaive(m_generated, query, true, sliceBudget);
}

void TestValueSearch::invalidQueriesAreRefused_data()
{
    QTest::addColumn<SearchQuery>("query");
    QTest::addColumn<QString>("reason");
    QTest::newRow("regex") << regex(QStringLiteral("(unclosed")) << QStringLiteral("regular");
    QTest::newRow("glob") << globbed(text(QStringLiteral("x")), QStringLiteral("a/**/b"))
                          << QStringLiteral("**");
}

void TestValueSearch::invalidQueriesAreRefused()
{
    QFETCH(SearchQuery, query);
    QFETCH(QString, reason);
    SearchResultsModel model;
    ValueSearch search(&model);
    search.setSource(m_demo.live.get(), kStore);
    QVERIFY(!search.start(query));
    QVERIFY2(search.errorString().contains(reason), qPrintable(search.errorString()));
    QVERIFY(!search.isRunning());
}

void TestValueSearch::restOnlyNeedsTheLiveMirror()
{
    SearchResultsModel model;
    ValueSearch search(&model);
    search.setSource(nullptr, kStore);
    QVERIFY(!search.isAvailable());
    QVERIFY(!search.start(text(QStringLiteral("a"))));
    QVERIFY2(search.errorString().contains(QLatin1String("live mirror")),
             qPrintable(search.errorString()));
}

QTEST_GUILESS_MAIN(TestValueSearch)
#include "tst_valuesearch.moc"
