#include "ProtocolTestRandom.h"

#include "protocol/Glob.h"

#include <QTest>

using dust::Glob;
using dust::GlobError;

namespace {

QStringList segs(std::initializer_list<const char16_t *> list)
{
    QStringList out;
    for (const char16_t *s : list)
        out.append(QString::fromUtf16(s));
    return out;
}

Glob glob(const QString &pattern)
{
    auto g = Glob::compile(pattern);
    return g ? *g : Glob();
}

} // namespace

class TestGlob : public QObject
{
    Q_OBJECT

private slots:
    void matching_data();
    void matching();
    void errors_data();
    void errors();
    void errorNames();
    void segmentsClassified();
    void literalPrefix_data();
    void literalPrefix();
    void defaultMatchesNothing();
    void matchesPathOverload();
    void randomLiteralPatterns();
};

void TestGlob::matching_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QStringList>("path");
    QTest::addColumn<bool>("match");

    QTest::newRow("** one") << QStringLiteral("**") << segs({u"a"}) << true;
    QTest::newRow("** three") << QStringLiteral("**") << segs({u"a", u"b", u"c"}) << true;
    QTest::newRow("** nothing") << QStringLiteral("**") << QStringList() << false;
    QTest::newRow("* one") << QStringLiteral("*") << segs({u"a"}) << true;
    QTest::newRow("* two") << QStringLiteral("*") << segs({u"a", u"b"}) << false;
    QTest::newRow("* nothing") << QStringLiteral("*") << QStringList() << false;
    QTest::newRow("posts/* hello")
        << QStringLiteral("posts/*") << segs({u"posts", u"hello"}) << true;
    QTest::newRow("posts/* deeper")
        << QStringLiteral("posts/*") << segs({u"posts", u"hello", u"title"}) << false;
    QTest::newRow("posts/* itself") << QStringLiteral("posts/*") << segs({u"posts"}) << false;
    QTest::newRow("posts/** deeper")
        << QStringLiteral("posts/**") << segs({u"posts", u"hello", u"title"}) << true;
    QTest::newRow("posts/** one below")
        << QStringLiteral("posts/**") << segs({u"posts", u"x"}) << true;
    QTest::newRow("posts/** not itself") << QStringLiteral("posts/**") << segs({u"posts"}) << false;
    QTest::newRow("posts/** other root")
        << QStringLiteral("posts/**") << segs({u"pages", u"x"}) << false;
    QTest::newRow("exact") << QStringLiteral("a/b/c") << segs({u"a", u"b", u"c"}) << true;
    QTest::newRow("exact differs") << QStringLiteral("a/b/c") << segs({u"a", u"b", u"d"}) << false;
    QTest::newRow("exact shorter") << QStringLiteral("a/b/c") << segs({u"a", u"b"}) << false;
    QTest::newRow("exact longer") << QStringLiteral("a/b") << segs({u"a", u"b", u"c"}) << false;
    QTest::newRow("middle *") << QStringLiteral("a/*/c") << segs({u"a", u"b", u"c"}) << true;
    QTest::newRow("middle * differs")
        << QStringLiteral("a/*/c") << segs({u"a", u"b", u"d"}) << false;
    QTest::newRow("dots literal") << QStringLiteral("hello.world") << segs({u"hello.world"})
                                  << true;
    QTest::newRow("dots are not separators")
        << QStringLiteral("hello.world") << segs({u"hello", u"world"}) << false;
    QTest::newRow("escaped slash")
        << QStringLiteral("files/image~1file") << segs({u"files", u"image/file"}) << true;
    QTest::newRow("escaped tilde") << QStringLiteral("a~0b/*") << segs({u"a~b", u"x"}) << true;
    QTest::newRow("\\* literal") << QStringLiteral("a/\\*") << segs({u"a", u"*"}) << true;
    QTest::newRow("\\* is exact") << QStringLiteral("a/\\*") << segs({u"a", u"x"}) << false;
    QTest::newRow("\\** literal") << QStringLiteral("a/\\**") << segs({u"a", u"**"}) << true;
    QTest::newRow("\\** is exact") << QStringLiteral("a/\\**") << segs({u"a", u"x", u"y"}) << false;
    QTest::newRow("no partial wildcard") << QStringLiteral("foo*") << segs({u"foobar"}) << false;
    QTest::newRow("partial is literal") << QStringLiteral("foo*") << segs({u"foo*"}) << true;
    QTest::newRow("case sensitive") << QStringLiteral("Users/*") << segs({u"users", u"a"}) << false;
    QTest::newRow("* then **") << QStringLiteral("*/**") << segs({u"a", u"b"}) << true;
    QTest::newRow("* then ** short") << QStringLiteral("*/**") << segs({u"a"}) << false;
    QTest::newRow("* matches literal star") << QStringLiteral("*") << segs({u"*"}) << true;
    QTest::newRow("unicode") << QString::fromUtf16(u"中/*") << segs({u"中", u"\U0001F600"}) << true;
}

void TestGlob::matching()
{
    QFETCH(QString, pattern);
    QFETCH(QStringList, path);
    QFETCH(bool, match);
    const auto g = Glob::compile(pattern);
    QVERIFY2(g, qPrintable(g ? QString() : dust::globErrorName(g.error())));
    QVERIFY(g->isValid());
    QCOMPARE(g->pattern(), pattern);
    QCOMPARE(g->matches(path), match);
}

void TestGlob::errors_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("error");
    QTest::newRow("** in the middle")
        << QStringLiteral("a/**/z") << QStringLiteral("wildcard_many_not_tail");
    QTest::newRow("** first") << QStringLiteral("**/z") << QStringLiteral("wildcard_many_not_tail");
    QTest::newRow("** twice") << QStringLiteral("**/**")
                              << QStringLiteral("wildcard_many_not_tail");
    QTest::newRow("empty") << QString() << QStringLiteral("empty_path");
    QTest::newRow("double slash") << QStringLiteral("a//b") << QStringLiteral("empty_segment");
    QTest::newRow("leading slash") << QStringLiteral("/**") << QStringLiteral("empty_segment");
    QTest::newRow("trailing slash") << QStringLiteral("a/*/") << QStringLiteral("empty_segment");
    QTest::newRow("bad escape") << QStringLiteral("a/~2/*") << QStringLiteral("invalid_escape");
    QTest::newRow("bare tilde") << QStringLiteral("~") << QStringLiteral("invalid_escape");
}

void TestGlob::errors()
{
    QFETCH(QString, pattern);
    QFETCH(QString, error);
    const auto g = Glob::compile(pattern);
    QVERIFY(!g);
    QCOMPARE(dust::globErrorName(g.error()), error);
}

void TestGlob::errorNames()
{
    QCOMPARE(dust::globErrorName(GlobError::EmptyPath), QStringLiteral("empty_path"));
    QCOMPARE(dust::globErrorName(GlobError::EmptySegment), QStringLiteral("empty_segment"));
    QCOMPARE(dust::globErrorName(GlobError::InvalidEscape), QStringLiteral("invalid_escape"));
    QCOMPARE(dust::globErrorName(GlobError::WildcardManyNotTail),
             QStringLiteral("wildcard_many_not_tail"));
}

void TestGlob::segmentsClassified()
{
    const Glob g = glob(QStringLiteral("a~1b/*/\\*/\\**/**"));
    QVERIFY(g.isValid());
    const auto &s = g.segments();
    QCOMPARE(s.size(), 5);
    QCOMPARE(s[0].kind, Glob::Kind::Literal);
    QCOMPARE(s[0].literal, QStringLiteral("a/b"));
    QCOMPARE(s[1].kind, Glob::Kind::One);
    QCOMPARE(s[2].kind, Glob::Kind::Literal);
    QCOMPARE(s[2].literal, QStringLiteral("*"));
    QCOMPARE(s[3].kind, Glob::Kind::Literal);
    QCOMPARE(s[3].literal, QStringLiteral("**"));
    QCOMPARE(s[4].kind, Glob::Kind::Many);
    QVERIFY(g.endsWithMany());
    QVERIFY(!g.isExact());
    QVERIFY(g.matches(segs({u"a/b", u"x", u"*", u"**", u"y"})));
    QVERIFY(!g.matches(segs({u"a/b", u"x", u"y", u"**", u"y"})));
}

void TestGlob::literalPrefix_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QStringList>("prefix");
    QTest::addColumn<bool>("exact");
    QTest::newRow("users/*/name") << QStringLiteral("users/*/name") << segs({u"users"}) << false;
    QTest::newRow("**") << QStringLiteral("**") << QStringList() << false;
    QTest::newRow("*/x") << QStringLiteral("*/x") << QStringList() << false;
    QTest::newRow("a/b/**") << QStringLiteral("a/b/**") << segs({u"a", u"b"}) << false;
    QTest::newRow("exact path") << QStringLiteral("a/b") << segs({u"a", u"b"}) << true;
    QTest::newRow("decoded segments")
        << QStringLiteral("a~1b/c~0/*") << segs({u"a/b", u"c~"}) << false;
    // Like the server's scan prefix: stops at any segment containing '*', so a literal star
    // is still found by a scan of the prefix.
    QTest::newRow("literal star stops prefix") << QStringLiteral("a/\\*") << segs({u"a"}) << true;
    QTest::newRow("partial star stops prefix") << QStringLiteral("a/b*/c") << segs({u"a"}) << true;
}

void TestGlob::literalPrefix()
{
    QFETCH(QString, pattern);
    QFETCH(QStringList, prefix);
    QFETCH(bool, exact);
    const Glob g = glob(pattern);
    QVERIFY(g.isValid());
    QCOMPARE(g.literalPrefix(), prefix);
    QCOMPARE(g.isExact(), exact);
}

void TestGlob::defaultMatchesNothing()
{
    const Glob g;
    QVERIFY(!g.isValid());
    QVERIFY(!g.matches(segs({u"a"})));
    QVERIFY(!g.matches(QStringList()));
    QVERIFY(!g.isExact());
    QVERIFY(!g.endsWithMany());
    QVERIFY(g.literalPrefix().isEmpty());
}

void TestGlob::matchesPathOverload()
{
    const auto p = dust::Path::parse(u"users/alice/name");
    QVERIFY(p);
    QVERIFY(glob(QStringLiteral("users/*/name")).matches(*p));
    QVERIFY(glob(QStringLiteral("users/**")).matches(*p));
    QVERIFY(!glob(QStringLiteral("users/*")).matches(*p));
    QVERIFY(!glob(QStringLiteral("users/**")).matches(dust::Path()));
}

// Any valid path without wildcard segments is an exact pattern matching only itself, and
// `<path>/**` matches its descendants but not the path.
void TestGlob::randomLiteralPatterns()
{
    QRandomGenerator rng(dust::test::testSeed());
    for (int i = 0; i < 5000; ++i) {
        QStringList segments = dust::testing::randomSegments(rng, 4);
        for (QString &s : segments) {
            if (s == QLatin1String("*") || s == QLatin1String("**") || s == QLatin1String("\\*") ||
                s == QLatin1String("\\**"))
                s += QLatin1Char('x');
        }
        const auto p = dust::Path::fromSegments(segments);
        QVERIFY(p);
        const Glob exact = glob(p->rendered());
        QVERIFY2(exact.isValid(), qPrintable(p->rendered()));
        QVERIFY(exact.isExact());
        QVERIFY(exact.matches(*p));
        QVERIFY(!exact.matches(p->child(QStringLiteral("x"))));
        const Glob many = glob(p->rendered() + QStringLiteral("/**"));
        QVERIFY(many.isValid());
        QVERIFY(!many.matches(*p));
        QVERIFY(many.matches(p->child(QStringLiteral("x"))));
        QVERIFY(many.matches(p->child(QStringLiteral("x")).child(QStringLiteral("y"))));
        const Glob one = glob(p->rendered() + QStringLiteral("/*"));
        QVERIFY(one.matches(p->child(QStringLiteral("x"))));
        QVERIFY(!one.matches(p->child(QStringLiteral("x")).child(QStringLiteral("y"))));
        // The scan prefix is a prefix of the pattern's segments.
        const QStringList prefix = exact.literalPrefix();
        QCOMPARE(segments.first(prefix.size()), prefix);
    }
}

QTEST_GUILESS_MAIN(TestGlob)
#include "tst_glob.moc"
