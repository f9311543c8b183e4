// StrictJson: RFC 8259 exactly, with the byte offset and the kind of the first problem. Every
// text a client sends the server goes through it before QJsonDocument reads it leniently.

#include "protocol/StrictJson.h"

#include <QJsonDocument>
#include <QTest>

using namespace dust;
using Problem = StrictJson::Problem;

Q_DECLARE_METATYPE(dust::StrictJson::Problem)

class TestStrictJson : public QObject
{
    Q_OBJECT

private slots:
    void accepts_data();
    void accepts();
    void rejects_data();
    void rejects();
    void nestingLimit();
    void messageSaysWhereAndWhat();
    void largeTextInOnePass();
};

void TestStrictJson::accepts_data()
{
    QTest::addColumn<QByteArray>("text");
    const QList<std::pair<const char *, QByteArray>> rows = {
        {"object", R"({"a":1,"b":[true,false,null],"c":{"d":"e"}})"},
        {"empty object", "{}"},
        {"empty array", "[]"},
        {"top-level string", R"("text")"},
        {"top-level number", "42"},
        {"top-level true", "true"},
        {"top-level null", "null"},
        {"whitespace around", " \t\r\n{ \"a\" : [ 1 , 2 ] }\n "},
        {"zero", "0"},
        {"negative zero", "-0"},
        {"fraction", "0.5"},
        {"negative fraction", "-12.25"},
        {"exponent", "1e10"},
        {"exponent signs", "[1E+2,1e-2,2.5E-3]"},
        {"largest double", "1.7976931348623157e308"},
        {"underflow is allowed", "1e-400"},
        {"big integer (rounded as a double)", "9007199254740993"},
        {"zero with huge exponent", "0e99999"},
        {"all simple escapes", R"("\" \\ \/ \b \f \n \r \t")"},
        {"unicode escape", R"("\u00e9\u0000\uFFFF")"},
        {"surrogate pair", R"("\ud83d\ude00")"},
        {"surrogate pair upper case", R"("\uD83D\uDE00")"},
        {"raw UTF-8", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
        {"raw U+FFFF (a noncharacter, still UTF-8)", "\"\xef\xbf\xbf\""},
        {"raw U+10FFFF", "\"\xf4\x8f\xbf\xbf\""},
        {"DEL is not a control character for JSON", "\"\x7f\""},
        {"duplicate keys (RFC 8259 allows them)", R"({"a":1,"a":2})"},
        {"nested", R"([[[[{"a":[{}]}]]]])"},
        {"phoenix frame", R"(["1","2","store:acme/site","write",{"op":"set","value":1}])"},
    };
    for (const auto &[name, text] : rows)
        QTest::newRow(name) << text;
}

void TestStrictJson::accepts()
{
    QFETCH(QByteArray, text);
    const auto result = StrictJson::validate(text);
    QVERIFY2(result.ok(), qPrintable(result.message()));
    QVERIFY(result.message().isEmpty());
}

void TestStrictJson::rejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<Problem>("problem");
    QTest::addColumn<int>("offset");
    struct Row
    {
        const char *name;
        QByteArray text;
        Problem problem;
        int offset;
    };
    const QList<Row> rows = {
        {"empty", "", Problem::Empty, 0},
        {"only whitespace", "  \n", Problem::Empty, 3},
        {"lone high surrogate", R"("\ud800")", Problem::LoneSurrogate, 1},
        {"lone low surrogate", R"("\udc00")", Problem::LoneSurrogate, 1},
        {"lone surrogate in the middle", R"({"k":"ab\ud800cd"})", Problem::LoneSurrogate, 8},
        {"high surrogate then a letter", R"("\ud83dx")", Problem::LoneSurrogate, 1},
        {"two high surrogates", R"("\ud83d\ud83d")", Problem::LoneSurrogate, 1},
        {"low then high", R"("\ude00\ud83d")", Problem::LoneSurrogate, 1},
        {"invalid escape \\x", R"("\x41")", Problem::BadEscape, 1},
        {"invalid escape \\'", R"("\'")", Problem::BadEscape, 1},
        {"short unicode escape", R"("\u12")", Problem::BadUnicodeEscape, 1},
        {"non-hex unicode escape", R"("\u12g4")", Problem::BadUnicodeEscape, 1},
        {"leading dot", ".5", Problem::BadNumber, 0},
        {"leading dot in an array", "[.5]", Problem::BadNumber, 1},
        {"trailing dot", "1.", Problem::BadNumber, 0},
        {"trailing dot before bracket", "[1.]", Problem::BadNumber, 1},
        {"leading zero", "01", Problem::BadNumber, 0},
        {"lone minus", "-", Problem::BadNumber, 0},
        {"plus sign", "+1", Problem::UnexpectedByte, 0},
        {"empty exponent", "1e", Problem::BadNumber, 0},
        {"exponent sign only", "1e+", Problem::BadNumber, 0},
        {"two dots", "1.2.3", Problem::BadNumber, 0},
        {"hex number", "0x10", Problem::TrailingData, 1},
        {"infinity literal", "Infinity", Problem::UnexpectedByte, 0},
        {"NaN literal", "NaN", Problem::UnexpectedByte, 0},
        {"overflowing number", "1e400", Problem::NumberOutOfRange, 0},
        {"overflowing just past the largest double", "[1.8e308]", Problem::NumberOutOfRange, 1},
        {"overflowing long integer", QByteArray(400, '9'), Problem::NumberOutOfRange, 0},
        {"raw newline in a string", "\"a\nb\"", Problem::ControlCharacter, 2},
        {"raw tab in a string", "\"a\tb\"", Problem::ControlCharacter, 2},
        {"raw NUL in a string", QByteArray("\"a\0b\"", 5), Problem::ControlCharacter, 2},
        {"invalid UTF-8 byte", "\"a\xff\"", Problem::InvalidUtf8, 2},
        {"truncated UTF-8", "\"a\xc3\"", Problem::InvalidUtf8, 2},
        {"overlong UTF-8", "\"\xc0\xaf\"", Problem::InvalidUtf8, 1},
        {"overlong three-byte UTF-8", "\"\xe0\x80\xaf\"", Problem::InvalidUtf8, 1},
        {"UTF-8 encoded surrogate", "\"\xed\xa0\x80\"", Problem::InvalidUtf8, 1},
        {"above U+10FFFF", "\"\xf4\x90\x80\x80\"", Problem::InvalidUtf8, 1},
        {"stray continuation byte", "\"\x80\"", Problem::InvalidUtf8, 1},
        {"UTF-8 outside a string", "[\xc3\xa9]", Problem::UnexpectedByte, 1},
        {"invalid byte outside a string", "[\xff]", Problem::InvalidUtf8, 1},
        {"unterminated string", R"("abc)", Problem::UnexpectedEnd, 4},
        {"unterminated array", "[1,2", Problem::UnexpectedEnd, 4},
        {"unterminated object", R"({"a":1)", Problem::UnexpectedEnd, 6},
        {"trailing comma in array", "[1,2,]", Problem::TrailingComma, 4},
        {"trailing comma in object", R"({"a":1,})", Problem::TrailingComma, 6},
        {"leading comma", "[,1]", Problem::UnexpectedByte, 1},
        {"missing comma", "[1 2]", Problem::ExpectedCommaOrEnd, 3},
        {"mismatched bracket", "[1}", Problem::ExpectedCommaOrEnd, 2},
        {"unquoted key", "{a:1}", Problem::ExpectedKey, 1},
        {"single-quoted string", "'a'", Problem::UnexpectedByte, 0},
        {"missing colon", R"({"a" 1})", Problem::ExpectedColon, 5},
        {"misspelt literal", "tru", Problem::UnexpectedEnd, 3},
        {"wrong literal", "nul1", Problem::BadLiteral, 0},
        {"capitalised literal", "True", Problem::UnexpectedByte, 0},
        {"two values", "1 2", Problem::TrailingData, 2},
        {"two objects", "{}{}", Problem::TrailingData, 2},
        {"comment", "[1] // note", Problem::TrailingData, 4},
        {"byte order mark", "\xef\xbb\xbf{}", Problem::UnexpectedByte, 0},
        {"vertical tab is not whitespace", "\v1", Problem::UnexpectedByte, 0},
    };
    for (const Row &row : rows)
        QTest::newRow(row.name) << row.text << row.problem << row.offset;
}

void TestStrictJson::rejects()
{
    QFETCH(QByteArray, text);
    QFETCH(Problem, problem);
    QFETCH(int, offset);
    const auto result = StrictJson::validate(text);
    QVERIFY(!result.ok());
    QCOMPARE(result.problem, problem);
    QCOMPARE(result.offset, qsizetype(offset));
    QVERIFY(result.message().startsWith(QStringLiteral("invalid JSON at byte %1: ").arg(offset)));
}

void TestStrictJson::nestingLimit()
{
    const int limit = StrictJson::kDefaultMaxDepth;
    for (int depth : {limit - 1, limit, limit + 1, 100000}) {
        const QByteArray arrays = QByteArray(depth, '[') + QByteArray(depth, ']');
        const QByteArray objects =
            QByteArray("{\"k\":").repeated(depth) + "1" + QByteArray(depth, '}');
        for (const QByteArray &text : {arrays, objects}) {
            const auto result = StrictJson::validate(text);
            if (depth <= limit) {
                QVERIFY2(result.ok(), qPrintable(result.message()));
            } else {
                QCOMPARE(result.problem, Problem::TooDeep);
                QVERIFY2(result.message().contains(QStringLiteral("deeper than %1").arg(limit)),
                         qPrintable(result.message()));
            }
        }
    }
    // A limit of the caller's.
    QVERIFY(StrictJson::validate("[[1]]", 2).ok());
    const auto tight = StrictJson::validate("[[[1]]]", 2);
    QCOMPARE(tight.problem, Problem::TooDeep);
    QCOMPARE(tight.offset, 2);
    QVERIFY(tight.message().contains(QStringLiteral("deeper than 2 levels")));
}

void TestStrictJson::messageSaysWhereAndWhat()
{
    QCOMPARE(StrictJson::validate(R"({"name":"\ud800"})").message(),
             QStringLiteral("invalid JSON at byte 9: lone surrogate escape (\\uD800..\\uDBFF must "
                            "be followed by \\uDC00..\\uDFFF, and a low half cannot stand alone)"));
    QVERIFY(StrictJson::validate(R"("\x")").message().contains(QStringLiteral("invalid escape")));
    QVERIFY(StrictJson::validate(".5").message().contains(QStringLiteral("0.5")));
}

void TestStrictJson::largeTextInOnePass()
{
    // About 8 MB, as big as a REST body may be: strings, numbers, nesting; it must be valid
    // and agree with QJsonDocument on that.
    QByteArray text = "[";
    const QByteArray item =
        R"({"name":"caf\u00e9 \ud83d\ude00 )"
        "\xc3\xa9\xe2\x82\xac"
        R"(","n":-12.5e-3,"ok":true,"list":[1,2,3,null],"deep":{"a":{"b":"c"}}},)";
    while (text.size() < 8 * 1024 * 1024)
        text += item;
    text.chop(1);
    text += "]";
    const auto result = StrictJson::validate(text);
    QVERIFY2(result.ok(), qPrintable(result.message()));
    QJsonParseError error;
    QJsonDocument::fromJson(text, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);

    // The last byte broken: found at its offset.
    text[text.size() - 1] = '}';
    const auto broken = StrictJson::validate(text);
    QCOMPARE(broken.problem, Problem::ExpectedCommaOrEnd);
    QCOMPARE(broken.offset, text.size() - 1);
}

QTEST_GUILESS_MAIN(TestStrictJson)
#include "tst_strictjson.moc"
