#include "ProtocolTestRandom.h"

#include "protocol/Values.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <limits>

using dust::Entry;
using dust::Leaf;
using dust::Path;
namespace values = dust::values;

namespace {

QJsonValue json(const QByteArray &text)
{
    // Wrapped in an array so scalars parse too.
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]");
    if (!doc.isArray())
        qFatal("test JSON does not parse: %s", text.constData());
    return doc.array().at(0);
}

Path path(const QString &rendered)
{
    auto p = Path::parse(rendered);
    if (!p)
        qFatal("test path does not parse: %s", qPrintable(rendered));
    return *p;
}

QString leafList(const QList<Leaf> &leaves)
{
    QStringList out;
    for (const Leaf &l : leaves) {
        out.append(
            l.path.rendered() + QLatin1Char('=') +
            QString::fromUtf8(QJsonDocument(QJsonArray{l.value}).toJson(QJsonDocument::Compact))
                .mid(1)
                .chopped(1) +
            QLatin1Char(':') + l.type);
    }
    return out.join(QLatin1Char(' '));
}

// A value nested `depth` levels deep: {"k":{"k":...{"leaf":1}}} or [[[...]]].
QJsonValue deepObject(int depth)
{
    QJsonObject o{{QStringLiteral("leaf"), 1}};
    for (int i = 0; i < depth; ++i)
        o = QJsonObject{{QStringLiteral("k"), o}};
    return o;
}

QJsonValue deepArray(int depth)
{
    QJsonArray a{1};
    for (int i = 0; i < depth; ++i)
        a = QJsonArray{a};
    return a;
}

} // namespace

class TestValues : public QObject
{
    Q_OBJECT

private slots:
    void typedEnvelopes_data();
    void typedEnvelopes();
    void detectType_data();
    void detectType();
    void flatten_data();
    void flatten();
    void flattenKeepsRevisionFreeLeaves();
    void flattenEmptyKeys();
    void wrapAndUnwrap_data();
    void wrapAndUnwrap();
    void assembleSubtree();
    void assembleLeafAndFolder();
    void assembleIgnoresOutsiders();
    void assembleRoot();
    void assembleRoundTripsFlatten();
    void integerValue_data();
    void integerValue();
    void preview_data();
    void preview();
    void previewBigValuesIsCheap();
    void deepNesting();
};

void TestValues::typedEnvelopes_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("envelope");
    QTest::newRow("file") << QByteArray(R"({"_type":"file","hash":"sha256:00","size":3})") << true;
    QTest::newRow("lease") << QByteArray(R"({"_type":"lease","holder":"a","token":4})") << true;
    QTest::newRow("typed decimal") << QByteArray(R"({"_typed":"1.5","_type":"decimal"})") << true;
    QTest::newRow("typed other") << QByteArray(R"({"_typed":1,"_type":"whatever"})") << true;
    QTest::newRow("_type other") << QByteArray(R"({"_type":"user","name":"x"})") << false;
    QTest::newRow("_typed alone") << QByteArray(R"({"_typed":"x"})") << false;
    QTest::newRow("plain") << QByteArray(R"({"name":"Alice"})") << false;
    QTest::newRow("empty") << QByteArray(R"({})") << false;
    QTest::newRow("_type not a string") << QByteArray(R"({"_type":7})") << false;
    QTest::newRow("_scalar") << QByteArray(R"({"_scalar":1})") << false;
}

void TestValues::typedEnvelopes()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, envelope);
    const QJsonValue v = json(value);
    QCOMPARE(values::isTypedEnvelope(v.toObject()), envelope);
    QCOMPARE(values::isPlainObject(v), !envelope);
    QVERIFY(!values::isPlainObject(QJsonArray()));
    QVERIFY(!values::isPlainObject(QJsonValue(QStringLiteral("x"))));
    QVERIFY(!values::isPlainObject(QJsonValue()));
}

void TestValues::detectType_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("type");
    QTest::newRow("string") << QByteArray(R"("hi")") << QStringLiteral("string");
    QTest::newRow("empty string") << QByteArray(R"("")") << QStringLiteral("string");
    QTest::newRow("array is string (server quirk)")
        << QByteArray("[1,2]") << QStringLiteral("string");
    QTest::newRow("empty array") << QByteArray("[]") << QStringLiteral("string");
    QTest::newRow("integer") << QByteArray("42") << QStringLiteral("integer");
    QTest::newRow("negative integer") << QByteArray("-7") << QStringLiteral("integer");
    QTest::newRow("float") << QByteArray("1.5") << QStringLiteral("float");
    QTest::newRow("huge float") << QByteArray("1e300") << QStringLiteral("float");
    QTest::newRow("true") << QByteArray("true") << QStringLiteral("boolean");
    QTest::newRow("false") << QByteArray("false") << QStringLiteral("boolean");
    QTest::newRow("null") << QByteArray("null") << QStringLiteral("null");
    QTest::newRow("file") << QByteArray(R"({"_type":"file","hash":"x"})") << QStringLiteral("file");
    QTest::newRow("lease") << QByteArray(R"({"_type":"lease","token":1})")
                           << QStringLiteral("lease");
    QTest::newRow("typed envelope")
        << QByteArray(R"({"_typed":"1.5","_type":"decimal"})") << QStringLiteral("map");
    QTest::newRow("plain object") << QByteArray(R"({"a":1})") << QStringLiteral("map");
}

void TestValues::detectType()
{
    QFETCH(QByteArray, value);
    QFETCH(QString, type);
    QCOMPARE(values::detectType(json(value)), type);
}

void TestValues::flatten_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("leaves");

    QTest::newRow("protocol example")
        << QStringLiteral("users/alice")
        << QByteArray(R"({"name":"Alice","prefs":{"theme":"dark"}})")
        << QStringLiteral(
               R"(users/alice/name="Alice":string users/alice/prefs/theme="dark":string)");
    QTest::newRow("scalar") << QStringLiteral("a") << QByteArray("3")
                            << QStringLiteral("a=3:integer");
    QTest::newRow("null") << QStringLiteral("a") << QByteArray("null")
                          << QStringLiteral("a=null:null");
    QTest::newRow("array is one leaf") << QStringLiteral("a") << QByteArray(R"([{"x":1},2])")
                                       << QStringLiteral(R"(a=[{"x":1},2]:string)");
    QTest::newRow("empty object yields nothing")
        << QStringLiteral("a") << QByteArray("{}") << QString();
    QTest::newRow("objects of empty objects yield nothing")
        << QStringLiteral("a") << QByteArray(R"({"x":{},"y":{"z":{}}})") << QString();
    QTest::newRow("file envelope is one leaf")
        << QStringLiteral("f") << QByteArray(R"({"_type":"file","hash":"h"})")
        << QStringLiteral(R"(f={"_type":"file","hash":"h"}:file)");
    QTest::newRow("nested envelope is one leaf")
        << QStringLiteral("a") << QByteArray(R"({"logo":{"_type":"file","hash":"h"},"n":1.5})")
        << QStringLiteral(R"(a/logo={"_type":"file","hash":"h"}:file a/n=1.5:float)");
    QTest::newRow("typed envelope is one leaf")
        << QStringLiteral("a") << QByteArray(R"({"p":{"_typed":"1.5","_type":"decimal"}})")
        << QStringLiteral(R"(a/p={"_type":"decimal","_typed":"1.5"}:map)");
    QTest::newRow("keys are raw segments")
        << QStringLiteral("a") << QByteArray(R"({"x/y":{"~":true},"b.c":false})")
        << QStringLiteral("a/b.c=false:boolean a/x~1y/~0=true:boolean");
    QTest::newRow("_scalar key is an ordinary key")
        << QStringLiteral("a") << QByteArray(R"({"_scalar":1})")
        << QStringLiteral("a/_scalar=1:integer");
    QTest::newRow("mixed types")
        << QStringLiteral("s") << QByteArray(R"({"a":"x","b":[1],"c":null,"d":{"e":2}})")
        << QStringLiteral(R"(s/a="x":string s/b=[1]:string s/c=null:null s/d/e=2:integer)");
}

void TestValues::flatten()
{
    QFETCH(QString, base);
    QFETCH(QByteArray, value);
    QFETCH(QString, leaves);
    const auto result = values::flatten(path(base), json(value));
    QCOMPARE(leafList(result), leaves);
    for (const Leaf &l : result) {
        QVERIFY(l.path.isValid());
        QVERIFY(path(base).isSelfOrAncestorOf(l.path));
        QVERIFY(!values::isPlainObject(l.value));
    }
    QVERIFY(!values::validateKeys(json(value)));
}

void TestValues::flattenKeepsRevisionFreeLeaves()
{
    // Flattening from the root (the empty path) makes top-level keys the first segments;
    // a non-object has no path there.
    const auto leaves = values::flatten(Path(), json(R"({"users":{"alice":1},"n":2})"));
    QCOMPARE(leafList(leaves), QStringLiteral("n=2:integer users/alice=1:integer"));
    QVERIFY(values::flatten(Path(), json("5")).isEmpty());
}

void TestValues::flattenEmptyKeys()
{
    const QJsonValue bad = json(R"({"ok":1,"":2,"deep":{"x":{"":3}}})");
    QCOMPARE(values::validateKeys(bad),
             std::optional<dust::PathError>(dust::PathError::EmptySegment));
    QVERIFY(values::validateKeys(json(R"({"deep":{"x":{"":3}}})")));
    // Keys inside envelopes and arrays are not segments.
    QVERIFY(!values::validateKeys(json(R"({"f":{"_type":"file","":1},"a":[{"":1}]})")));
    QVERIFY(!values::validateKeys(json(R"("")")));
    // flatten() keeps what it can address; writers reject the value first.
    QCOMPARE(leafList(values::flatten(path(QStringLiteral("b")), bad)),
             QStringLiteral("b/ok=1:integer"));
}

void TestValues::wrapAndUnwrap_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("wrapped");
    QTest::newRow("string") << QByteArray(R"("Alice")") << QByteArray(R"({"_scalar":"Alice"})");
    QTest::newRow("number") << QByteArray("42") << QByteArray(R"({"_scalar":42})");
    QTest::newRow("null") << QByteArray("null") << QByteArray(R"({"_scalar":null})");
    QTest::newRow("array") << QByteArray("[1,2]") << QByteArray(R"({"_scalar":[1,2]})");
    QTest::newRow("file envelope") << QByteArray(R"({"_type":"file","hash":"h"})")
                                   << QByteArray(R"({"_type":"file","hash":"h"})");
    QTest::newRow("lease envelope") << QByteArray(R"({"_type":"lease","token":3})")
                                    << QByteArray(R"({"_type":"lease","token":3})");
}

void TestValues::wrapAndUnwrap()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, wrapped);
    QCOMPARE(values::wrapScalar(json(value)), json(wrapped));
    QCOMPARE(values::unwrapScalar(json(wrapped)), json(value));
    // Unwrapping a value that is not wrapped leaves it alone.
    QCOMPARE(values::unwrapScalar(json(R"({"_scalar":1,"other":2})")),
             json(R"({"_scalar":1,"other":2})"));
    QCOMPARE(values::unwrapScalar(json("7")), json("7"));
    QCOMPARE(values::wrapScalar(QJsonValue(QJsonValue::Undefined)), json(R"({"_scalar":null})"));
}

void TestValues::assembleSubtree()
{
    const QList<Entry> leaves{
        {path(QStringLiteral("users/alice/name")), json(R"("Alice")"), QStringLiteral("string"),
         12},
        {path(QStringLiteral("users/alice/prefs/theme")), json(R"("dark")"),
         QStringLiteral("string"), 40},
        {path(QStringLiteral("users/alice/a~1b")), json("[1]"), QStringLiteral("string"), 7},
        {path(QStringLiteral("users/alice/logo")), json(R"({"_type":"file","hash":"h"})"),
         QStringLiteral("file"), 9},
    };
    const Entry e = values::assembleSubtree(path(QStringLiteral("users/alice")), leaves);
    QCOMPARE(e.path, path(QStringLiteral("users/alice")));
    QCOMPARE(e.type, QStringLiteral("map"));
    QCOMPARE(e.revision, 40);
    QCOMPARE(
        e.value,
        json(
            R"({"a/b":[1],"logo":{"_type":"file","hash":"h"},"name":"Alice","prefs":{"theme":"dark"}})"));

    const Entry none = values::assembleSubtree(path(QStringLiteral("x")), {});
    QCOMPARE(none.value, QJsonValue(QJsonObject()));
    QCOMPARE(none.revision, 0);
    QCOMPARE(none.type, QStringLiteral("map"));
}

void TestValues::assembleLeafAndFolder()
{
    // A node that is both a value and a folder: the deeper leaves win inside the object.
    const QList<Entry> leaves{
        {path(QStringLiteral("a/b")), json("1"), QStringLiteral("integer"), 3},
        {path(QStringLiteral("a/b/c")), json("2"), QStringLiteral("integer"), 5},
        {path(QStringLiteral("a/d")), json("4"), QStringLiteral("integer"), 2},
    };
    QCOMPARE(values::assembleSubtree(path(QStringLiteral("a")), leaves).value,
             json(R"({"b":{"c":2},"d":4})"));
    // Independent of the order of the input.
    QList<Entry> reversed(leaves.crbegin(), leaves.crend());
    QCOMPARE(values::assembleSubtree(path(QStringLiteral("a")), reversed).value,
             json(R"({"b":{"c":2},"d":4})"));
}

void TestValues::assembleIgnoresOutsiders()
{
    const QList<Entry> leaves{
        {path(QStringLiteral("a/x")), json("1"), QStringLiteral("integer"), 3},
        {path(QStringLiteral("a")), json("9"), QStringLiteral("integer"), 99},
        {path(QStringLiteral("ab/x")), json("9"), QStringLiteral("integer"), 99},
        {Path(), json("9"), QStringLiteral("integer"), 99},
    };
    const Entry e = values::assembleSubtree(path(QStringLiteral("a")), leaves);
    QCOMPARE(e.value, json(R"({"x":1})"));
    QCOMPARE(e.revision, 3);
}

void TestValues::assembleRoot()
{
    const QList<Entry> leaves{
        {path(QStringLiteral("a/x")), json("1"), QStringLiteral("integer"), 3},
        {path(QStringLiteral("b")), json("true"), QStringLiteral("boolean"), 4},
    };
    const Entry e = values::assembleSubtree(Path(), leaves);
    QCOMPARE(e.value, json(R"({"a":{"x":1},"b":true})"));
    QCOMPARE(e.revision, 4);
}

void TestValues::assembleRoundTripsFlatten()
{
    QRandomGenerator rng(dust::test::testSeed());
    for (int round = 0; round < 300; ++round) {
        // A random nested object with non-empty objects and random keys.
        QJsonObject root;
        const int leafCount = 1 + int(rng.bounded(30));
        for (int i = 0; i < leafCount; ++i) {
            const QStringList segments = dust::testing::randomSegments(rng, 4);
            // Insert along the path, replacing scalars that are in the way.
            QList<QJsonObject> chain{root};
            for (qsizetype d = 0; d + 1 < segments.size(); ++d) {
                const QJsonValue next = chain.last().value(segments[d]);
                chain.append(values::isPlainObject(next) ? next.toObject() : QJsonObject());
            }
            chain.last().insert(segments.last(), QJsonValue(int(rng.bounded(1000))));
            for (qsizetype d = segments.size() - 2; d >= 0; --d)
                chain[d].insert(segments[d], chain[d + 1]);
            root = chain.first();
        }
        const Path base = path(QStringLiteral("base"));
        const auto leaves = values::flatten(base, root);
        QVERIFY(!leaves.isEmpty());
        QList<Entry> entries;
        for (const Leaf &l : leaves)
            entries.append(Entry{l.path, l.value, l.type, 1 + int(rng.bounded(100))});
        const Entry assembled = values::assembleSubtree(base, entries);
        QCOMPARE(assembled.value, QJsonValue(root));
    }
}

void TestValues::integerValue_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("isInteger");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("int") << QJsonValue(42) << true << qint64(42);
    QTest::newRow("negative") << QJsonValue(-3) << true << qint64(-3);
    QTest::newRow("zero") << QJsonValue(0) << true << qint64(0);
    QTest::newRow("one") << QJsonValue(1) << true << qint64(1);
    QTest::newRow("big") << QJsonValue(qint64(1) << 53) << true << (qint64(1) << 53);
    QTest::newRow("max") << QJsonValue(std::numeric_limits<qint64>::max()) << true
                         << std::numeric_limits<qint64>::max();
    QTest::newRow("integral double") << QJsonValue(7.0) << true << qint64(7);
    QTest::newRow("fraction") << QJsonValue(1.5) << false << qint64(0);
    QTest::newRow("too big") << QJsonValue(1e300) << false << qint64(0);
    QTest::newRow("string") << QJsonValue(QStringLiteral("5")) << false << qint64(0);
    QTest::newRow("bool") << QJsonValue(true) << false << qint64(0);
    QTest::newRow("null") << QJsonValue() << false << qint64(0);
}

void TestValues::integerValue()
{
    QFETCH(QJsonValue, value);
    QFETCH(bool, isInteger);
    QFETCH(qint64, expected);
    const auto i = values::integerValue(value);
    QCOMPARE(i.has_value(), isInteger);
    if (i)
        QCOMPARE(*i, expected);
}

void TestValues::preview_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<int>("maxChars");
    QTest::addColumn<QString>("expected");
    QTest::newRow("string as is") << json(R"("Alice")") << 80 << QStringLiteral("Alice");
    QTest::newRow("string one line") << json(R"("a\nb\tc")") << 80 << QStringLiteral("a b c");
    QTest::newRow("integer") << json("42") << 80 << QStringLiteral("42");
    QTest::newRow("float") << json("1.5") << 80 << QStringLiteral("1.5");
    QTest::newRow("bool") << json("true") << 80 << QStringLiteral("true");
    QTest::newRow("null") << json("null") << 80 << QStringLiteral("null");
    QTest::newRow("array") << json(R"([1,"a",null])") << 80 << QStringLiteral(R"([1, "a", null])");
    QTest::newRow("object") << json(R"({"b":{"c":[]},"a":"x\"y\n"})") << 80
                            << QStringLiteral(R"({"a": "x\"y\n", "b": {"c": []}})");
    QTest::newRow("empty object") << json("{}") << 80 << QStringLiteral("{}");
    QTest::newRow("cut string") << json(R"("abcdefghij")") << 5 << QString::fromUtf16(u"abcd…");
    QTest::newRow("exact fit") << json(R"("abcde")") << 5 << QStringLiteral("abcde");
    QTest::newRow("cut object") << json(R"({"name":"Alice","age":30})") << 12
                                << QString::fromUtf16(u"{\"age\": 30,…");
    QTest::newRow("no split surrogate") << json("\"ab\xf0\x9f\x98\x80"
                                                "cd\"")
                                        << 4 << QString::fromUtf16(u"ab…");
    QTest::newRow("zero budget") << json("1") << 0 << QString();
    QTest::newRow("one char budget") << json(R"("abc")") << 1 << QString::fromUtf16(u"…");
}

void TestValues::preview()
{
    QFETCH(QJsonValue, value);
    QFETCH(int, maxChars);
    QFETCH(QString, expected);
    const QString p = values::preview(value, maxChars);
    QCOMPARE(p, expected);
    QVERIFY(p.size() <= std::max(maxChars, 0));
    QVERIFY(!p.contains(QLatin1Char('\n')));
}

void TestValues::previewBigValuesIsCheap()
{
    QJsonObject wide;
    for (int i = 0; i < 200000; ++i)
        wide.insert(QStringLiteral("key%1").arg(i, 6, 10, QLatin1Char('0')), i);
    QJsonArray long_;
    for (int i = 0; i < 200000; ++i)
        long_.append(QStringLiteral("item"));
    const QJsonValue big(wide);
    const QJsonValue bigArray(long_);
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 1000; ++i) {
        QVERIFY(values::preview(big).size() <= 80);
        QVERIFY(values::preview(bigArray).size() <= 80);
    }
    // A full serialisation of each value per call would take far longer than this.
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(values::preview(big).startsWith(QStringLiteral(R"({"key000000": 0, "key000001": 1)")));
    QVERIFY(values::preview(big).endsWith(QChar(0x2026)));
}

void TestValues::deepNesting()
{
    constexpr int kDepth = 10000;
    {
        const QJsonValue deep = deepObject(kDepth);
        const auto leaves = values::flatten(path(QStringLiteral("root")), deep);
        QCOMPARE(leaves.size(), 1);
        QCOMPARE(leaves.first().path.depth(), kDepth + 2);
        QCOMPARE(leaves.first().path.lastSegment(), QStringLiteral("leaf"));
        QVERIFY(!values::validateKeys(deep));

        const Entry assembled =
            values::assembleSubtree(path(QStringLiteral("root")),
                                    {Entry{leaves.first().path, 1, QStringLiteral("integer"), 5}});
        QCOMPARE(assembled.revision, 5);
        // Walk down the assembled value without recursion.
        QJsonValue cursor = assembled.value;
        int levels = 0;
        while (cursor.isObject() && cursor.toObject().contains(QLatin1String("k"))) {
            cursor = cursor.toObject().value(QLatin1String("k"));
            ++levels;
        }
        QCOMPARE(levels, kDepth);
        QCOMPARE(cursor.toObject().value(QLatin1String("leaf")).toInt(), 1);

        const QString p = values::preview(deep);
        QCOMPARE(p.size(), 80);
        QVERIFY(p.startsWith(QStringLiteral(R"({"k": {"k": )")));
        QCOMPARE(values::detectType(deep), QStringLiteral("map"));
        QVERIFY(values::isPlainObject(deep));
        QCOMPARE(values::wrapScalar(deep), deep);
    } // the deep values are destroyed here
    {
        const QJsonValue deep = deepArray(kDepth);
        const auto leaves = values::flatten(path(QStringLiteral("a")), deep);
        QCOMPARE(leaves.size(), 1);
        QCOMPARE(leaves.first().type, QStringLiteral("string"));
        QVERIFY(values::preview(deep, 20).startsWith(QStringLiteral("[[[[")));
        QCOMPARE(values::unwrapScalar(values::wrapScalar(deep)).toArray().size(), 1);
    }
    {
        // Deep and wide paths assembled from many leaves.
        QList<Entry> entries;
        QStringList segments{QStringLiteral("r")};
        for (int i = 0; i < kDepth; ++i) {
            segments.append(QStringLiteral("n%1").arg(i % 10));
            if (i % 100 == 0)
                entries.append(
                    Entry{*Path::fromSegments(segments + QStringList{QStringLiteral("v")}), i,
                          QStringLiteral("integer"), i});
        }
        const Entry e = values::assembleSubtree(path(QStringLiteral("r")), entries);
        QCOMPARE(e.revision, 9900);
        QVERIFY(e.value.isObject());
    }
}

QTEST_GUILESS_MAIN(TestValues)
#include "tst_values.moc"
