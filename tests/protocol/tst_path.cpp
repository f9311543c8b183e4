#include "ProtocolTestRandom.h"

#include "protocol/Path.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using dust::Path;
using dust::PathError;

namespace {

QString errorName(const dust::Expected<Path, PathError> &result)
{
    return result ? QStringLiteral("ok") : dust::pathErrorName(result.error());
}

Path path(const QString &rendered)
{
    auto p = Path::parse(rendered);
    return p ? *p : Path();
}

QStringList segs(std::initializer_list<const char16_t *> list)
{
    QStringList out;
    for (const char16_t *s : list)
        out.append(QStringView(s).toString()); // fromUtf16() would drop a leading U+FEFF
    return out;
}

} // namespace

class TestPath : public QObject
{
    Q_OBJECT

private slots:
    void validVectors_data();
    void validVectors();
    void invalidVectors_data();
    void invalidVectors();
    void errorNames();
    void fromSegmentsErrors_data();
    void fromSegmentsErrors();
    void fromJson_data();
    void fromJson();
    void relationships_data();
    void relationships();
    void descendantPrefix();
    void parentChildAppended();
    void escapeAndUnescape_data();
    void escapeAndUnescape();
    void urlEncoded_data();
    void urlEncoded();
    void fromUrlEncoded_data();
    void fromUrlEncoded();
    void equalityOrderingHashing();
    void randomRoundTrips();
    void manyPaths();
};

void TestPath::validVectors_data()
{
    QTest::addColumn<QStringList>("segments");
    QTest::addColumn<QString>("rendered");
    QTest::newRow("a/b/c") << segs({u"a", u"b", u"c"}) << QStringLiteral("a/b/c");
    QTest::newRow("hello") << segs({u"hello"}) << QStringLiteral("hello");
    QTest::newRow("dots are literal") << segs({u"hello.world"}) << QStringLiteral("hello.world");
    QTest::newRow("dots inside") << segs({u"posts", u"hello.world", u"title"})
                                 << QStringLiteral("posts/hello.world/title");
    QTest::newRow("example.com") << segs({u"example.com"}) << QStringLiteral("example.com");
    QTest::newRow("slash in segment")
        << segs({u"files", u"image/file"}) << QStringLiteral("files/image~1file");
    QTest::newRow("tilde in segment") << segs({u"a~b"}) << QStringLiteral("a~0b");
    QTest::newRow("both, order matters") << segs({u"a/b~c"}) << QStringLiteral("a~1b~0c");
    QTest::newRow("~~") << segs({u"~~"}) << QStringLiteral("~0~0");
    QTest::newRow("//") << segs({u"//"}) << QStringLiteral("~1~1");
    QTest::newRow("scoped package")
        << segs({u"packages", u"@scope", u"name"}) << QStringLiteral("packages/@scope/name");
    QTest::newRow("mixed") << segs({u"a", u"b.c", u"d/e", u"f~g"})
                           << QStringLiteral("a/b.c/d~1e/f~0g");
    QTest::newRow("literal star") << segs({u"x", u"*"}) << QStringLiteral("x/*");
    QTest::newRow("~01 is ~ then 1") << segs({u"~1"}) << QStringLiteral("~01");
    QTest::newRow("spaces and plus")
        << segs({u"hello world", u"a+b"}) << QStringLiteral("hello world/a+b");
    QTest::newRow("leading U+FEFF is a character")
        << segs({u"\ufeffbom", u"x"}) << QStringLiteral("\ufeffbom/x");
    QTest::newRow("U+FEFF alone") << segs({u"\ufeff"}) << QStringLiteral("\ufeff");
    QTest::newRow("unicode") << segs({u"中文", u"é", u"\U0001F600"})
                             << QString::fromUtf16(u"中文/é/\U0001F600");
}

void TestPath::validVectors()
{
    QFETCH(QStringList, segments);
    QFETCH(QString, rendered);

    const auto parsed = Path::parse(rendered);
    QVERIFY2(parsed, qPrintable(errorName(parsed)));
    QCOMPARE(parsed->segments(), segments);
    QCOMPARE(parsed->rendered(), rendered);
    QCOMPARE(parsed->depth(), segments.size());
    QCOMPARE(parsed->lastSegment(), segments.last());
    QVERIFY(parsed->isValid());

    const auto built = Path::fromSegments(segments);
    QVERIFY(built);
    QCOMPARE(built->rendered(), rendered);
    QCOMPARE(*built, *parsed);

    const auto fromJson = Path::fromJson(QJsonArray::fromStringList(segments));
    QVERIFY(fromJson);
    QCOMPARE(*fromJson, *parsed);
    QCOMPARE(parsed->segmentsJson(), QJsonValue(QJsonArray::fromStringList(segments)));
}

void TestPath::invalidVectors_data()
{
    QTest::addColumn<QString>("rendered");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QString() << QStringLiteral("empty_path");
    QTest::newRow("leading slash") << QStringLiteral("/users") << QStringLiteral("empty_segment");
    QTest::newRow("trailing slash") << QStringLiteral("users/") << QStringLiteral("empty_segment");
    QTest::newRow("double slash") << QStringLiteral("users//alice")
                                  << QStringLiteral("empty_segment");
    QTest::newRow("only slash") << QStringLiteral("/") << QStringLiteral("empty_segment");
    QTest::newRow("tilde at end") << QStringLiteral("a~") << QStringLiteral("invalid_escape");
    QTest::newRow("tilde letter") << QStringLiteral("a~b") << QStringLiteral("invalid_escape");
    QTest::newRow("tilde 2") << QStringLiteral("a~2b") << QStringLiteral("invalid_escape");
    QTest::newRow("bare tilde") << QStringLiteral("~") << QStringLiteral("invalid_escape");
    QTest::newRow("tilde before slash")
        << QStringLiteral("a~/b") << QStringLiteral("invalid_escape");
    QTest::newRow("bad escape in later segment")
        << QStringLiteral("ok/fine/x~9") << QStringLiteral("invalid_escape");
    // As on the server: the split comes first, so an empty segment anywhere wins.
    QTest::newRow("empty segment wins over escape")
        << QStringLiteral("a~2//b") << QStringLiteral("empty_segment");
    QTest::newRow("empty segment after escape")
        << QStringLiteral("~/") << QStringLiteral("empty_segment");
}

void TestPath::invalidVectors()
{
    QFETCH(QString, rendered);
    QFETCH(QString, error);
    const auto parsed = Path::parse(rendered);
    QVERIFY(!parsed);
    QCOMPARE(dust::pathErrorName(parsed.error()), error);
}

void TestPath::errorNames()
{
    QCOMPARE(dust::pathErrorName(PathError::EmptyPath), QStringLiteral("empty_path"));
    QCOMPARE(dust::pathErrorName(PathError::EmptySegment), QStringLiteral("empty_segment"));
    QCOMPARE(dust::pathErrorName(PathError::InvalidEscape), QStringLiteral("invalid_escape"));
    QCOMPARE(dust::pathErrorName(PathError::NotAString), QStringLiteral("not_a_string"));
    QCOMPARE(dust::pathErrorName(PathError::NotAList), QStringLiteral("not_a_list"));
    QCOMPARE(dust::pathErrorName(PathError::InvalidUtf8), QStringLiteral("invalid_utf8"));
    QVERIFY(dust::pathErrorDetail(PathError::InvalidUtf8).startsWith(u"path is not valid UTF-8"));
}

void TestPath::fromSegmentsErrors_data()
{
    QTest::addColumn<QStringList>("segments");
    QTest::addColumn<QString>("error");
    QTest::newRow("no segments") << QStringList() << QStringLiteral("empty_path");
    QTest::newRow("one empty") << QStringList{QString()} << QStringLiteral("empty_segment");
    QTest::newRow("empty in middle") << segs({u"a", u"", u"b"}) << QStringLiteral("empty_segment");
}

void TestPath::fromSegmentsErrors()
{
    QFETCH(QStringList, segments);
    QFETCH(QString, error);
    const auto built = Path::fromSegments(segments);
    QVERIFY(!built);
    QCOMPARE(dust::pathErrorName(built.error()), error);
}

void TestPath::fromJson_data()
{
    QTest::addColumn<QJsonValue>("json");
    QTest::addColumn<QString>("result"); // rendered, or the error name
    QTest::newRow("list") << QJsonValue(QJsonArray{QStringLiteral("a"), QStringLiteral("b/c")})
                          << QStringLiteral("a/b~1c");
    QTest::newRow("string") << QJsonValue(QStringLiteral("a/b")) << QStringLiteral("not_a_list");
    QTest::newRow("object") << QJsonValue(QJsonObject()) << QStringLiteral("not_a_list");
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << QStringLiteral("not_a_list");
    QTest::newRow("undefined") << QJsonValue(QJsonValue::Undefined) << QStringLiteral("not_a_list");
    QTest::newRow("number") << QJsonValue(3) << QStringLiteral("not_a_list");
    QTest::newRow("empty list") << QJsonValue(QJsonArray()) << QStringLiteral("empty_path");
    QTest::newRow("number segment")
        << QJsonValue(QJsonArray{QStringLiteral("a"), 1}) << QStringLiteral("not_a_string");
    QTest::newRow("null segment") << QJsonValue(QJsonArray{QJsonValue::Null})
                                  << QStringLiteral("not_a_string");
    QTest::newRow("nested list segment") << QJsonValue(QJsonArray{QJsonArray{QStringLiteral("a")}})
                                         << QStringLiteral("not_a_string");
    QTest::newRow("empty segment") << QJsonValue(QJsonArray{QStringLiteral("a"), QString()})
                                   << QStringLiteral("empty_segment");
    // As on the server: every element must be a string before emptiness is checked.
    QTest::newRow("not_a_string wins")
        << QJsonValue(QJsonArray{QString(), false}) << QStringLiteral("not_a_string");
}

void TestPath::fromJson()
{
    QFETCH(QJsonValue, json);
    QFETCH(QString, result);
    const auto p = Path::fromJson(json);
    QCOMPARE(p ? p->rendered() : dust::pathErrorName(p.error()), result);
}

void TestPath::relationships_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("ancestor");
    QTest::newRow("parent") << QStringLiteral("a") << QStringLiteral("a/b") << true;
    QTest::newRow("grandparent") << QStringLiteral("a") << QStringLiteral("a/b/c") << true;
    QTest::newRow("self") << QStringLiteral("a") << QStringLiteral("a") << false;
    QTest::newRow("sibling sharing bytes") << QStringLiteral("a") << QStringLiteral("ab") << false;
    QTest::newRow("posts/hello2") << QStringLiteral("posts/hello") << QStringLiteral("posts/hello2")
                                  << false;
    QTest::newRow("posts/hello/x")
        << QStringLiteral("posts/hello") << QStringLiteral("posts/hello/x") << true;
    QTest::newRow("child is not ancestor") << QStringLiteral("a/b") << QStringLiteral("a") << false;
    QTest::newRow("escaped slash is not a separator")
        << QStringLiteral("a") << QStringLiteral("a~1b") << false;
    QTest::newRow("escaped segment parent")
        << QStringLiteral("a~1b") << QStringLiteral("a~1b/c") << true;
    QTest::newRow("different root") << QStringLiteral("b") << QStringLiteral("a/b") << false;
}

void TestPath::relationships()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, ancestor);
    const Path pa = path(a);
    const Path pb = path(b);
    QVERIFY(pa.isValid() && pb.isValid());
    QCOMPARE(pa.isAncestorOf(pb), ancestor);
    QCOMPARE(pb.isDescendantOf(pa), ancestor);
    QCOMPARE(pa.isSelfOrAncestorOf(pb), ancestor || a == b);
    // Agrees with the segment definition.
    const bool bySegments =
        pa.depth() < pb.depth() && pb.segments().first(pa.depth()) == pa.segments();
    QCOMPARE(ancestor, bySegments);
    QVERIFY(!Path().isAncestorOf(pb));
    QVERIFY(!pa.isAncestorOf(Path()));
}

void TestPath::descendantPrefix()
{
    QCOMPARE(path(QStringLiteral("posts/hello")).descendantPrefix(),
             QStringLiteral("posts/hello/"));
    QVERIFY(!QStringLiteral("posts/hello2")
                 .startsWith(path(QStringLiteral("posts/hello")).descendantPrefix()));
}

void TestPath::parentChildAppended()
{
    const Path abc = path(QStringLiteral("a/b~1x/c"));
    QCOMPARE(abc.parent(), path(QStringLiteral("a/b~1x")));
    QCOMPARE(abc.parent().segments(), segs({u"a", u"b/x"}));
    QCOMPARE(abc.parent().parent(), path(QStringLiteral("a")));
    QVERIFY(!path(QStringLiteral("a")).parent().isValid());
    QVERIFY(!Path().parent().isValid());

    const Path child = abc.child(QStringLiteral("d/e~f"));
    QCOMPARE(child.rendered(), QStringLiteral("a/b~1x/c/d~1e~0f"));
    QCOMPARE(child.lastSegment(), QStringLiteral("d/e~f"));
    QCOMPARE(child.parent(), abc);
    QVERIFY(!abc.child(QString()).isValid());
    // The empty path is the root: its child is a one-segment path.
    QCOMPARE(Path().child(QStringLiteral("users")), path(QStringLiteral("users")));
    QCOMPARE(Path().child(QStringLiteral("a/b")).rendered(), QStringLiteral("a~1b"));

    const Path tail = path(QStringLiteral("x/y~0"));
    const Path joined = abc.appended(tail);
    QCOMPARE(joined.rendered(), QStringLiteral("a/b~1x/c/x/y~0"));
    QCOMPARE(joined.segments(), abc.segments() + tail.segments());
    QCOMPARE(abc.appended(Path()), abc);
    QCOMPARE(Path().appended(tail), tail);
    QVERIFY(abc.isAncestorOf(joined));

    // Results are consistent with parsing their rendering.
    QCOMPARE(path(joined.rendered()).segments(), joined.segments());
    QCOMPARE(path(child.rendered()).segments(), child.segments());
}

void TestPath::escapeAndUnescape_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("escaped");
    QTest::newRow("plain") << QStringLiteral("abc") << QStringLiteral("abc");
    QTest::newRow("slash") << QStringLiteral("a/b") << QStringLiteral("a~1b");
    QTest::newRow("tilde") << QStringLiteral("a~b") << QStringLiteral("a~0b");
    QTest::newRow("tilde one") << QStringLiteral("~1") << QStringLiteral("~01");
    QTest::newRow("slash zero") << QStringLiteral("/0") << QStringLiteral("~10");
}

void TestPath::escapeAndUnescape()
{
    QFETCH(QString, raw);
    QFETCH(QString, escaped);
    QCOMPARE(Path::escapeSegment(raw), escaped);
    const auto back = Path::unescapeSegment(escaped);
    QVERIFY(back);
    QCOMPARE(*back, raw);

    QCOMPARE(dust::pathErrorName(Path::unescapeSegment(u"").error()),
             QStringLiteral("empty_segment"));
    QCOMPARE(dust::pathErrorName(Path::unescapeSegment(u"a~").error()),
             QStringLiteral("invalid_escape"));
    QCOMPARE(dust::pathErrorName(Path::unescapeSegment(u"~x").error()),
             QStringLiteral("invalid_escape"));
}

void TestPath::urlEncoded_data()
{
    QTest::addColumn<QStringList>("segments");
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("space") << segs({u"hello world", u"title"}) << QByteArray("hello%20world/title");
    QTest::newRow("plus") << segs({u"a+b"}) << QByteArray("a%2Bb");
    QTest::newRow("slash in segment travels as ~1")
        << segs({u"files", u"image/logo"}) << QByteArray("files/image~1logo");
    QTest::newRow("tilde") << segs({u"files", u"image~logo"}) << QByteArray("files/image~0logo");
    QTest::newRow("kept sub-delims") << segs({u"!$&'()*,;=:@"}) << QByteArray("!$&'()*,;=:@");
    QTest::newRow("unreserved") << segs({u"AZaz09-._"}) << QByteArray("AZaz09-._");
    QTest::newRow("reserved elsewhere")
        << segs({u"?#[]%\"<>\\^`{|}"}) << QByteArray("%3F%23%5B%5D%25%22%3C%3E%5C%5E%60%7B%7C%7D");
    QTest::newRow("utf-8") << segs({u"é", u"中"}) << QByteArray("%C3%A9/%E4%B8%AD");
    QTest::newRow("emoji") << segs({u"\U0001F600"}) << QByteArray("%F0%9F%98%80");
    QTest::newRow("literal %2F text") << segs({u"a%2Fb"}) << QByteArray("a%252Fb");
    QTest::newRow("newline") << segs({u"a\nb"}) << QByteArray("a%0Ab");
}

void TestPath::urlEncoded()
{
    QFETCH(QStringList, segments);
    QFETCH(QByteArray, encoded);
    const auto p = Path::fromSegments(segments);
    QVERIFY(p);
    QCOMPARE(p->urlEncoded(), encoded);
    QVERIFY(!p->urlEncoded().contains("%2F"));
    QVERIFY(!p->urlEncoded().contains('+'));
    QVERIFY(!p->urlEncoded().contains(' '));
    const auto back = Path::fromUrlEncoded(encoded);
    QVERIFY2(back, qPrintable(errorName(back)));
    QCOMPARE(back->segments(), segments);
}

void TestPath::fromUrlEncoded_data()
{
    QTest::addColumn<QByteArray>("encoded");
    QTest::addColumn<QString>("result"); // rendered, or the error name
    QTest::newRow("plain") << QByteArray("users/alice") << QStringLiteral("users/alice");
    QTest::newRow("lowercase hex") << QByteArray("a%c3%a9") << QString::fromUtf16(u"aé");
    QTest::newRow("plus stays plus") << QByteArray("a+b") << QStringLiteral("a+b");
    QTest::newRow("encoded tilde escape") << QByteArray("a%7E1b") << QStringLiteral("a~1b");
    QTest::newRow("unencoded utf-8") << QByteArray("\xc3\xa9") << QString::fromUtf16(u"é");
    QTest::newRow("%2F rejected") << QByteArray("a%2Fb") << QStringLiteral("invalid_escape");
    QTest::newRow("%2f rejected") << QByteArray("a%2fb") << QStringLiteral("invalid_escape");
    QTest::newRow("truncated escape") << QByteArray("a%2") << QStringLiteral("invalid_escape");
    QTest::newRow("lone percent") << QByteArray("a%") << QStringLiteral("invalid_escape");
    QTest::newRow("bad hex") << QByteArray("a%zzb") << QStringLiteral("invalid_escape");
    QTest::newRow("invalid utf-8") << QByteArray("a%FFb") << QStringLiteral("invalid_utf8");
    QTest::newRow("overlong utf-8") << QByteArray("%C0%AF") << QStringLiteral("invalid_utf8");
    QTest::newRow("surrogate") << QByteArray("%ED%A0%80") << QStringLiteral("invalid_utf8");
    QTest::newRow("truncated utf-8") << QByteArray("a/%C3") << QStringLiteral("invalid_utf8");
    QTest::newRow("leading U+FEFF kept")
        << QByteArray("%EF%BB%BFbom/x") << QStringLiteral("\ufeffbom/x");
    QTest::newRow("U+FEFF alone") << QByteArray("%EF%BB%BF/x") << QStringLiteral("\ufeff/x");
    QTest::newRow("raw U+FEFF kept") << QByteArray("\xef\xbb\xbf"
                                                   "a")
                                     << QStringLiteral("\ufeffa");
    QTest::newRow("bad path escape") << QByteArray("a~2") << QStringLiteral("invalid_escape");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty_path");
    QTest::newRow("empty piece") << QByteArray("a//b") << QStringLiteral("empty_segment");
    QTest::newRow("leading slash") << QByteArray("/a") << QStringLiteral("empty_segment");
    QTest::newRow("encoded space") << QByteArray("%20") << QStringLiteral(" ");
}

void TestPath::fromUrlEncoded()
{
    QFETCH(QByteArray, encoded);
    QFETCH(QString, result);
    const auto p = Path::fromUrlEncoded(encoded);
    QCOMPARE(p ? p->rendered() : dust::pathErrorName(p.error()), result);
}

void TestPath::equalityOrderingHashing()
{
    const Path a = path(QStringLiteral("a/b"));
    const Path a2 = *Path::fromSegments(segs({u"a", u"b"}));
    const Path other = path(QStringLiteral("a~1b"));
    QCOMPARE(a, a2);
    QVERIFY(!(a == other));
    QCOMPARE(qHash(a), qHash(a2));
    QSet<Path> set{a, a2, other};
    QCOMPARE(set.size(), 2);
    // Byte-wise order of the rendering, as the server lists: a-b < a/b < a0.
    QVERIFY(path(QStringLiteral("a-b")) < path(QStringLiteral("a/b")));
    QVERIFY(path(QStringLiteral("a/b")) < path(QStringLiteral("a0")));
    QVERIFY(!Path().isValid());
    QCOMPARE(Path().depth(), 0);
    QVERIFY(Path().rendered().isEmpty());
    QVERIFY(Path().lastSegment().isEmpty());
    QVariant v = QVariant::fromValue(a);
    QCOMPARE(v.value<Path>(), a);
}

void TestPath::randomRoundTrips()
{
    QRandomGenerator rng(dust::test::testSeed());
    for (int i = 0; i < 20000; ++i) {
        const QStringList segments = dust::testing::randomSegments(rng);
        const auto built = Path::fromSegments(segments);
        QVERIFY(built);
        const auto parsed = Path::parse(built->rendered());
        QVERIFY2(parsed, qPrintable(built->rendered()));
        QCOMPARE(parsed->segments(), segments);
        QCOMPARE(*parsed, *built);

        const QByteArray url = built->urlEncoded();
        QVERIFY2(!url.contains("%2F") && !url.contains('+') && !url.contains(' '), url.constData());
        QCOMPARE(url.count('/'), segments.size() - 1);
        const auto decoded = Path::fromUrlEncoded(url);
        QVERIFY2(decoded, url.constData());
        QCOMPARE(decoded->segments(), segments);

        const auto fromJson = Path::fromJson(built->segmentsJson());
        QVERIFY(fromJson);
        QCOMPARE(*fromJson, *built);

        // Each segment escapes and unescapes on its own.
        for (const QString &s : segments)
            QCOMPARE(*Path::unescapeSegment(Path::escapeSegment(s)), s);
    }
}

void TestPath::manyPaths()
{
    // Hot path: parsing a large number of typical paths stays correct and allocation-light
    // enough to finish quickly even in debug builds.
    QStringList rendered;
    rendered.reserve(100000);
    for (int i = 0; i < 100000; ++i)
        rendered.append(QStringLiteral("users/user-%1/prefs/theme~1%2").arg(i).arg(i % 7));
    qsizetype segmentCount = 0;
    for (const QString &r : rendered) {
        const auto p = Path::parse(r);
        QVERIFY(p);
        segmentCount += p->depth();
    }
    QCOMPARE(segmentCount, 400000);
    const QString deepText = QStringLiteral("x/").repeated(50000) + QStringLiteral("end");
    const auto deep = Path::parse(deepText);
    QVERIFY(deep);
    QCOMPARE(deep->depth(), 50001);
}

QTEST_GUILESS_MAIN(TestPath)
#include "tst_path.moc"
