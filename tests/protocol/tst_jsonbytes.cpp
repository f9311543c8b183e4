// jsonbytes: previews written straight from JSON bytes must equal the previews of the parsed
// value (dust::values::preview), for the fast cases and for everything that falls back.

#include "protocol/Values.h"
#include "protocol/JsonBytes.h"

#include <QTest>

using namespace dust;

class TestJsonBytes : public QObject
{
    Q_OBJECT

private slots:
    void previewUtf8MatchesPreview_data();
    void previewUtf8MatchesPreview();
    void previewUtf8IsCut();
};

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

QTEST_GUILESS_MAIN(TestJsonBytes)
#include "tst_jsonbytes.moc"
