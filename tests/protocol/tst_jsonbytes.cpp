// jsonbytes: previews written straight from JSON bytes must equal the previews of the parsed
// value (dust::values::preview), for the fast cases and for everything that falls back.

#include "protocol/JsonBytes.h"
#include "protocol/Values.h"

#include <QJsonArray>
#include <QTest>

using namespace dust;

class TestJsonBytes : public QObject
{
    Q_OBJECT

private slots:
    void decodeString_data();
    void decodeString();
    void leadingFeffIsKept_data();
    void leadingFeffIsKept();
    void previewUtf8MatchesPreview_data();
    void previewUtf8MatchesPreview();
    void previewUtf8IsCut();
};

void TestJsonBytes::decodeString_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("replace");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("decoded");
    QTest::newRow("plain") << QByteArray("caf\xc3\xa9") << false << true
                           << QByteArray("caf\xc3\xa9");
    QTest::newRow("simple escapes") << QByteArray(R"(a\"b\\c\/d\b\f\n\r\t)") << false << true
                                    << QByteArray("a\"b\\c/d\b\f\n\r\t");
    QTest::newRow("\\u to UTF-8") << QByteArray(R"(\u00e9\u65e5)") << false << true
                                  << QByteArray("\xc3\xa9\xe6\x97\xa5");
    QTest::newRow("surrogate pair")
        << QByteArray(R"(\ud83d\ude00)") << false << true << QByteArray("\xf0\x9f\x98\x80");
    QTest::newRow("lone high, rejected")
        << QByteArray(R"(x\ud83dy)") << false << false << QByteArray();
    QTest::newRow("lone high, replaced")
        << QByteArray(R"(x\ud83dy)") << true << true << QByteArray("x\xef\xbf\xbdy");
    QTest::newRow("lone low, replaced")
        << QByteArray(R"(\ude00)") << true << true << QByteArray("\xef\xbf\xbd");
    QTest::newRow("bad escape") << QByteArray(R"(a\qb)") << true << false << QByteArray();
    QTest::newRow("short \\u") << QByteArray(R"(\u12)") << true << false << QByteArray();
    QTest::newRow("trailing backslash") << QByteArray("a\\") << true << false << QByteArray();
}

void TestJsonBytes::decodeString()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, replace);
    QFETCH(bool, ok);
    QFETCH(QByteArray, decoded);
    const auto lone =
        replace ? jsonbytes::LoneSurrogate::Replace : jsonbytes::LoneSurrogate::Reject;
    QByteArray bytes;
    std::string text;
    QCOMPARE(jsonbytes::decodeString(jsonbytes::view(body), bytes, lone), ok);
    QCOMPARE(jsonbytes::decodeString(jsonbytes::view(body), text, lone), ok);
    if (ok) {
        QCOMPARE(bytes, decoded);
        QCOMPARE(QByteArray::fromStdString(text), decoded);
    }
}

void TestJsonBytes::previewUtf8MatchesPreview_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("maxChars");
    const QList<QByteArray> raws = {
        R"("plain")",
        R"("")",
        R"("with \"quote\"")",
        R"("back\\slash")",
        R"("new\nline")",
        R"("tab	inside")",
        R"("unicode \u00e9 escape")",
        "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"",
        "\"del\x7f\"",
        R"("0123456789012345678901234567890123456789012345678901234567890123456789012345678912")",
        "0",
        "-0",
        "42",
        "-42",
        "007",
        "123456789012345",
        "1234567890123456",
        "12345678901234567890",
        "1.5",
        "1e3",
        "-0.0",
        "true",
        "false",
        "null",
        "  17  ",
        R"([1,"two",{"three":3}])",
        R"({"a":{"b":[true,null]}})",
        "[]",
        "{}",
        "not json",
        "",
    };
    for (const QByteArray &raw : raws) {
        for (int maxChars : {80, 3, 1}) {
            QTest::addRow("%s/%d", raw.constData(), maxChars) << raw << maxChars;
        }
    }
}

void TestJsonBytes::previewUtf8MatchesPreview()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, maxChars);
    const std::string_view view = jsonbytes::view(raw);
    QCOMPARE(QString::fromUtf8(jsonbytes::previewUtf8(view, maxChars)),
             jsonbytes::preview(view, maxChars));
}

void TestJsonBytes::previewUtf8IsCut()
{
    const QByteArray longText = '"' + QByteArray(500, 'x') + '"';
    const QString preview =
        QString::fromUtf8(jsonbytes::previewUtf8(jsonbytes::view(longText), 80));
    QCOMPARE(preview.size(), 80);
    QCOMPARE(preview.back(), QChar(0x2026));
}

void TestJsonBytes::leadingFeffIsKept_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("first"); // the first string of the array
    const QString bom(QChar(0xFEFF));
    QTest::newRow("raw, leading") << QByteArray("[\"\xef\xbb\xbf"
                                                "bom/x\"]")
                                  << bom + u"bom/x"_qs;
    QTest::newRow("raw, alone") << QByteArray("[\"\xef\xbb\xbf\"]") << bom;
    QTest::newRow("raw, inside") << QByteArray("[\"a\xef\xbb\xbf"
                                               "b\"]")
                                 << u"a"_qs + bom + u"b"_qs;
    QTest::newRow("escaped") << QByteArray("[\"\\ufeffbom\"]") << bom + u"bom"_qs;
    QTest::newRow("document BOM") << QByteArray("\xef\xbb\xbf[\"x\"]") << u"x"_qs;
}

// Qt's parser drops a raw U+FEFF at the start of a string, as if it were a byte-order mark.
void TestJsonBytes::leadingFeffIsKept()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, first);
    QJsonParseError error;
    const QJsonDocument doc = jsonbytes::parseDocument(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(doc.array().at(0).toString(), first);
    if (!json.startsWith("\xef"))
        QCOMPARE(jsonbytes::toJsonValue(jsonbytes::view(json.mid(1, json.size() - 2))).toString(),
                 first);
}

QTEST_GUILESS_MAIN(TestJsonBytes)
#include "tst_jsonbytes.moc"
