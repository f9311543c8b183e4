// ExportWriter on its own: each format's bytes for lists of leaves in path order, the
// nested format's value+folder rules, JSON escaping of paths and values, numbers as Qt's
// writer prints them, CSV quoting.
#include "exchange/ExportWriter.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace dust;

namespace {

struct Leaf
{
    QByteArray path;
    QByteArray value;
    QString type = QStringLiteral("string");
    qint64 revision = 1;
};
using Leaves = QList<Leaf>;

struct Written
{
    QByteArray bytes;
    qint64 droppedValues = 0;
    qint64 droppedDescendants = 0;
    qint64 reportedBytes = 0;
};

Written write(ExchangeFormat format, const Leaves &leaves, const QString &base = {},
              const ExportHeader &header = {})
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    ExportWriter writer(format, &buffer, base);
    [&] {
        QVERIFY(writer.begin(header));
        for (const Leaf &leaf : leaves)
            QVERIFY(writer.addLeaf(leaf.path.toStdString(), leaf.value.toStdString(), leaf.type,
                                   leaf.revision));
        QVERIFY(writer.finish());
    }();
    return {buffer.data(), writer.droppedValues(), writer.droppedDescendants(),
            writer.bytesWritten()};
}

Leaf leaf(const char *path, const char *value, const char *type = "string", qint64 revision = 1)
{
    return {QByteArray(path), QByteArray(value), QString::fromUtf8(type), revision};
}

} // namespace

Q_DECLARE_METATYPE(Leaf)

class TestExportWriter : public QObject
{
    Q_OBJECT

private slots:
    void nested_data();
    void nested();

    void values_data();
    void values();

    void ndjson();

    void flat_data();
    void flat();

    void csv_data();
    void csv();

    void flushesInPieces();
};

void TestExportWriter::nested_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<Leaves>("leaves");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<int>("droppedValues");
    QTest::addColumn<int>("droppedDescendants");

    QTest::newRow("empty") << QString() << Leaves{} << QByteArray("{}\n") << 0 << 0;
    QTest::newRow("objects") << QString()
                             << Leaves{leaf("a/b", "1"), leaf("a/c/d", "true"),
                                       leaf("a/c/e", "null"), leaf("z", "\"x\"")}
                             << QByteArray(R"({"a":{"b":1,"c":{"d":true,"e":null}},"z":"x"})"
                                           "\n")
                             << 0 << 0;
    // "a" holds a value and has children; "a-b" sorts between "a" and "a/x". The
    // assembled parent shows the folder, as the server's GET does.
    QTest::newRow("value and folder")
        << QString()
        << Leaves{leaf("a", "1"), leaf("a-b", "2"), leaf("a-b/c", "3"), leaf("a/x", "4"),
                  leaf("a0", "5")}
        << QByteArray(R"({"a-b":{"c":3},"a":{"x":4},"a0":5})"
                      "\n")
        << 2 << 0;
    QTest::newRow("value kept when no folder")
        << QString() << Leaves{leaf("a", "1"), leaf("a-b", "2"), leaf("b/c", "3")}
        << QByteArray(R"({"a":1,"a-b":2,"b":{"c":3}})"
                      "\n")
        << 0 << 0;
    QTest::newRow("deep close") << QString()
                                << Leaves{leaf("a/b/c/d", "1"), leaf("a/b/e", "2"), leaf("f", "3")}
                                << QByteArray(R"({"a":{"b":{"c":{"d":1},"e":2}},"f":3})"
                                              "\n")
                                << 0 << 0;
    QTest::newRow("base folder") << QStringLiteral("u")
                                 << Leaves{leaf("u/a", "1"), leaf("u/b/c", "[1,2]")}
                                 << QByteArray(R"({"a":1,"b":{"c":[1,2]}})"
                                               "\n")
                                 << 0 << 0;
    // GET of a path that holds a value returns the value, not what lies below it.
    QTest::newRow("base holds a value")
        << QStringLiteral("u") << Leaves{leaf("u", "\"top\""), leaf("u/a", "1"), leaf("u/b", "2")}
        << QByteArray("\"top\"\n") << 0 << 2;
    QTest::newRow("escaped segments")
        << QString() << Leaves{leaf("k~1s/t~0x", "1"), leaf("q\"uote/\\back", "2")}
        << QByteArray(R"({"k/s":{"t~x":1},"q\"uote":{"\\back":2}})"
                      "\n")
        << 0 << 0;
    QTest::newRow("unicode and control")
        << QString() << Leaves{leaf("caf\xc3\xa9/\x01\n", "\"\xe2\x82\xac\"")}
        << QByteArray("{\"caf\xc3\xa9\":{\"\\u0001\\n\":\"\xe2\x82\xac\"}}\n") << 0 << 0;
}

void TestExportWriter::nested()
{
    QFETCH(QString, base);
    QFETCH(Leaves, leaves);
    QFETCH(QByteArray, expected);
    QFETCH(int, droppedValues);
    QFETCH(int, droppedDescendants);
    const Written out = write(ExchangeFormat::Nested, leaves, base);
    QCOMPARE(out.bytes, expected);
    QCOMPARE(out.droppedValues, droppedValues);
    QCOMPARE(out.droppedDescendants, droppedDescendants);
    QCOMPARE(out.reportedBytes, expected.size());
    QJsonParseError error;
    QJsonDocument::fromJson("[" + out.bytes + "]", &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void TestExportWriter::values_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("printed");
    QTest::newRow("integer") << QByteArray("42") << QByteArray("42");
    QTest::newRow("negative") << QByteArray("-7") << QByteArray("-7");
    QTest::newRow("zero") << QByteArray("0") << QByteArray("0");
    QTest::newRow("float") << QByteArray("1.50") << QByteArray("1.5");
    QTest::newRow("exponent") << QByteArray("1e3") << QByteArray("1000");
    QTest::newRow("small") << QByteArray("1.5e-7") << QByteArray("1.5e-07");
    QTest::newRow("integral float") << QByteArray("2.0") << QByteArray("2");
    QTest::newRow("big integer") << QByteArray("12345678901234567890")
                                 << QByteArray("12345678901234567000");
    QTest::newRow("2^53+1") << QByteArray("9007199254740993") << QByteArray("9007199254740993");
    QTest::newRow("string") << QByteArray("\"plain\"") << QByteArray("\"plain\"");
    QTest::newRow("escaped solidus") << QByteArray(R"("a\/b")") << QByteArray(R"("a/b")");
    QTest::newRow("unicode escape")
        << QByteArray(R"("\u00e9\u20ac")") << QByteArray("\"\xc3\xa9\xe2\x82\xac\"");
    QTest::newRow("control escape") << QByteArray(R"("\u0001\t")") << QByteArray(R"("\u0001\t")");
    QTest::newRow("object keys sorted")
        << QByteArray(R"({"b":1, "a":[true, null]})") << QByteArray(R"({"a":[true,null],"b":1})");
    QTest::newRow("not json") << QByteArray("nope") << QByteArray("null");
}

void TestExportWriter::values()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, printed);
    // The reference: the same value printed by Qt's writer inside an object, as the
    // server prints its export lines.
    const Written out = write(ExchangeFormat::Ndjson, {leaf("p", value.constData())});
    const QByteArray line = out.bytes.split('\n').value(1);
    QCOMPARE(line, QByteArray(R"({"path":"p","type":"string","value":)" + printed + "}"));
    if (printed != "null") {
        const QJsonDocument reference = QJsonDocument::fromJson("{\"v\":" + value + "}");
        QCOMPARE(QJsonDocument(reference.object()).toJson(QJsonDocument::Compact),
                 QByteArray("{\"v\":" + printed + "}"));
    }
}

void TestExportWriter::ndjson()
{
    ExportHeader header;
    header.store = QStringLiteral("acme/config");
    header.seq = 12;
    header.entryCount = 2;
    header.exportedAt = QStringLiteral("2026-01-02T03:04:05.006Z");
    const Written out =
        write(ExchangeFormat::Ndjson, {leaf("a b/\xc3\xa9", "\"x\""), leaf("n", "3", "counter", 9)},
              {}, header);
    QCOMPARE(
        out.bytes,
        QByteArray(
            R"({"_header":true,"entry_count":2,"exported_at":"2026-01-02T03:04:05.006Z","path_schema_version":3,"seq":12,"store":"acme/config"})"
            "\n"
            "{\"path\":\"a b/\xc3\xa9\",\"type\":\"string\",\"value\":\"x\"}\n"
            R"({"path":"n","type":"counter","value":3})"
            "\n"));
    header.path = QStringLiteral("a b");
    QVERIFY(ExportWriter::headerLine(header).contains(R"("path":"a b","path_schema_version")"));
}

void TestExportWriter::flat_data()
{
    QTest::addColumn<Leaves>("leaves");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("empty") << Leaves{} << QByteArray("{}\n");
    QTest::newRow("leaves") << Leaves{leaf("a", "1"), leaf("a/b~1c", "\"q\\\"\"")}
                            << QByteArray("{\n\"a\":1,\n\"a/b~1c\":\"q\\\"\"\n}\n");
}

void TestExportWriter::flat()
{
    QFETCH(Leaves, leaves);
    QFETCH(QByteArray, expected);
    const Written out = write(ExchangeFormat::Flat, leaves);
    QCOMPARE(out.bytes, expected);
    QJsonParseError error;
    QJsonDocument::fromJson(out.bytes, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void TestExportWriter::csv_data()
{
    QTest::addColumn<Leaf>("row");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << leaf("a/b", "1", "integer", 4) << QByteArray("a/b,integer,4,1");
    QTest::newRow("string value") << leaf("s", "\"hi\"", "string", 2)
                                  << QByteArray(R"(s,string,2,"""hi""")");
    QTest::newRow("comma in path")
        << leaf("a,b", "null", "null", 1) << QByteArray(R"("a,b",null,1,null)");
    QTest::newRow("newline in value")
        << leaf("n", "\"x\\ny\"", "string", 1) << QByteArray(R"(n,string,1,"""x\ny""")");
    QTest::newRow("raw newline in path")
        << leaf("l\nm", "true", "boolean", 1) << QByteArray("\"l\nm\",boolean,1,true");
    QTest::newRow("array") << leaf("arr", "[1,\"a\"]", "string", 3)
                           << QByteArray(R"(arr,string,3,"[1,""a""]")");
    QTest::newRow("leading space")
        << leaf(" p", "0", "integer", 1) << QByteArray(R"(" p",integer,1,0)");
}

void TestExportWriter::csv()
{
    QFETCH(Leaf, row);
    QFETCH(QByteArray, expected);
    const Written out = write(ExchangeFormat::Csv, {row});
    QCOMPARE(out.bytes, "path,type,revision,value\r\n" + expected + "\r\n");
}

void TestExportWriter::flushesInPieces()
{
    // More than the writer's buffer: what reaches the device is still one document.
    Leaves leaves;
    const QByteArray big = '"' + QByteArray(300 * 1024, 'x') + '"';
    for (int i = 0; i < 8; ++i)
        leaves.append({"k/" + QByteArray::number(i), big, QStringLiteral("string"), 1});
    const Written out = write(ExchangeFormat::Nested, leaves);
    QCOMPARE(out.reportedBytes, out.bytes.size());
    const QJsonDocument doc = QJsonDocument::fromJson(out.bytes);
    QCOMPARE(doc.object().value(QStringLiteral("k")).toObject().size(), 8);
}

QTEST_GUILESS_MAIN(TestExportWriter)
#include "tst_exportwriter.moc"
