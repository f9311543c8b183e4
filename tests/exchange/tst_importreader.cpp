// ImportReader: each format read into leaves (paths, values, types), format detection, and
// every way a file is refused with its line, column and reason.

#include "exchange/ImportReader.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace dust;
using namespace Qt::Literals::StringLiterals;

Q_DECLARE_METATYPE(dust::ExchangeFormat)
Q_DECLARE_METATYPE(std::optional<dust::ExchangeFormat>)

class TestImportReader : public QObject
{
    Q_OBJECT

private slots:
    void reads_data();
    void reads();
    void refuses_data();
    void refuses();
    void readsStdinLikeDevicesInPieces();

private:
    static Expected<ImportData, ImportFileError> read(const QByteArray &text,
                                                      std::optional<ExchangeFormat> format)
    {
        QBuffer buffer;
        buffer.setData(text);
        buffer.open(QIODevice::ReadOnly);
        return ImportReader::read(buffer, format);
    }
    // "path=value:type" per leaf, in file order, for compact expectations.
    static QStringList described(const ImportData &data)
    {
        QStringList out;
        for (const ImportLeaf &leaf : data.leaves) {
            const QByteArray value =
                QJsonDocument(QJsonArray{leaf.value}).toJson(QJsonDocument::Compact);
            out.append(leaf.path.rendered() + u"="_s +
                       QString::fromUtf8(value.mid(1, value.size() - 2)) +
                       (leaf.type.isEmpty() ? QString() : u":"_s + leaf.type));
        }
        return out;
    }
};

void TestImportReader::reads_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<std::optional<ExchangeFormat>>("given");
    QTest::addColumn<ExchangeFormat>("format");
    QTest::addColumn<QStringList>("leaves");
    QTest::addColumn<bool>("header");

    const std::optional<ExchangeFormat> detect;
    QTest::newRow("ndjson with header")
        << QByteArray(R"({"_header":true,"store":"local/demo","seq":3,"entry_count":2})"
                      "\n"
                      R"({"path":"stats/visits","value":15,"type":"counter"})"
                      "\n"
                      R"({"path":"tags/popular","value":["qt","dust"],"type":"set"})"
                      "\n")
        << detect << ExchangeFormat::Ndjson
        << QStringList{u"stats/visits=15:counter"_s, uR"(tags/popular=["qt","dust"]:set)"_s}
        << true;
    QTest::newRow("ndjson without header, CRLF, blank line, no final newline")
        << QByteArray(R"({"path":"a~1b","value":null,"type":"null"})"
                      "\r\n\r\n"
                      R"({"path":"x/y","value":1.5})")
        << detect << ExchangeFormat::Ndjson << QStringList{u"a~1b=null:null"_s, u"x/y=1.5"_s}
        << false;
    QTest::newRow("ndjson given")
        << QByteArray(
               R"({"path":"a","value":{"_type":"lease","holder":"w","token":4,"expires_at":9},"type":"lease"})")
        << std::optional(ExchangeFormat::Ndjson) << ExchangeFormat::Ndjson
        << QStringList{uR"(a={"_type":"lease","expires_at":9,"holder":"w","token":4}:lease)"_s}
        << false;
    QTest::newRow("nested")
        << QByteArray("{\n  \"users\": {\"alice\": {\"name\": \"Alice\", \"tags\": [1, 2]}},\n"
                      "  \"a/b\": true,\n  \"empty\": {}\n}\n")
        << detect << ExchangeFormat::Nested
        << QStringList{u"a~1b=true"_s, uR"(users/alice/name="Alice")"_s,
                       u"users/alice/tags=[1,2]"_s}
        << false;
    QTest::newRow("nested keeps envelopes as leaves")
        << QByteArray(R"({"f":{"_type":"file","hash":"sha256:00","size":1}})") << detect
        << ExchangeFormat::Nested
        << QStringList{uR"(f={"_type":"file","hash":"sha256:00","size":1})"_s} << false;
    QTest::newRow("nested scalar: the target itself")
        << QByteArray(" 42 ") << detect << ExchangeFormat::Nested << QStringList{u"=42"_s} << false;
    QTest::newRow("flat") << QByteArray(R"({"users/alice/name":"Alice","a~1b/c":[1],"n":null})")
                          << detect << ExchangeFormat::Flat
                          << QStringList{uR"(a~1b/c=[1])"_s, u"n=null"_s,
                                         uR"(users/alice/name="Alice")"_s}
                          << false;
    QTest::newRow("flat given without a slash")
        << QByteArray(R"({"a":1})") << std::optional(ExchangeFormat::Flat) << ExchangeFormat::Flat
        << QStringList{u"a=1"_s} << false;
}

void TestImportReader::reads()
{
    QFETCH(QByteArray, text);
    QFETCH(std::optional<ExchangeFormat>, given);
    QFETCH(ExchangeFormat, format);
    QFETCH(QStringList, leaves);
    QFETCH(bool, header);
    const auto data = read(text, given);
    QVERIFY2(data, qPrintable(data ? QString() : data.error().text()));
    QCOMPARE(data->format, format);
    QStringList got = described(*data);
    if (format != ExchangeFormat::Ndjson) {
        got.sort();
        leaves.sort();
    }
    QCOMPARE(got, leaves);
    QCOMPARE(!data->header.isEmpty(), header);
}

void TestImportReader::refuses_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<std::optional<ExchangeFormat>>("given");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("reason");

    const std::optional<ExchangeFormat> detect;
    QByteArray tenLines;
    for (int i = 1; i <= 10; ++i)
        tenLines += i == 3
                        ? QByteArray(R"({"path":"k3","value":tru})")
                        : QByteArray(R"({"path":"k)" + QByteArray::number(i) + R"(","value":1})");
    tenLines.replace("}{", "}\n{");
    QTest::newRow("ndjson bad JSON at line 3 of 10")
        << tenLines << detect << 3 << 22 << u"invalid JSON"_s;
    QTest::newRow("ndjson invalid path") << QByteArray(R"({"path":"a","value":1})"
                                                       "\n"
                                                       R"({"path":"a//b","value":1})")
                                         << detect << 2 << 9 << u"invalid path \"a//b\""_s;
    QTest::newRow("ndjson invalid escape") << QByteArray(R"({"path":"a","value":1})"
                                                         "\n"
                                                         R"({"value":1, "path":"a~2"})")
                                           << detect << 2 << 20 << u"invalid path \"a~2\""_s;
    QTest::newRow("ndjson line not an object")
        << QByteArray(R"({"path":"a","value":1})"
                      "\n[1]\n")
        << detect << 2 << 1 << u"wrong shape: each line must be an object"_s;
    QTest::newRow("ndjson no value") << QByteArray(R"({"path":"a","value":1})"
                                                   "\n"
                                                   R"({"path":"b"})")
                                     << detect << 2 << 1 << u"wrong shape: \"value\" is missing"_s;
    QTest::newRow("ndjson late header") << QByteArray(R"({"path":"a","value":1})"
                                                      "\n"
                                                      R"({"_header":true})")
                                        << detect << 2 << 1 << u"wrong shape: a _header line"_s;
    QTest::newRow("ndjson plain object value")
        << QByteArray(R"({"path":"a","value":{"x":1}})") << std::optional(ExchangeFormat::Ndjson)
        << 1 << 13 << u"wrong shape: the value of a leaf"_s;
    QTest::newRow("nested structural error deep inside")
        << QByteArray("{\n  \"a\": {\n    \"b\": [1, 2,]\n  }\n}\n") << detect << 3 << 15
        << u"invalid JSON"_s;
    QTest::newRow("nested unclosed")
        << QByteArray("{\"a\": {\"b\": 1}\n") << detect << 2 << 1 << u"invalid JSON"_s;
    QTest::newRow("nested empty key")
        << QByteArray("{\"a\": {\"\": 1}}") << detect << 1 << 8 << u"invalid path"_s;
    QTest::newRow("flat invalid path")
        << QByteArray("{\"ok/x\": 1,\n \"bad//x\": 2}") << std::optional(ExchangeFormat::Flat) << 2
        << 2 << u"invalid path \"bad//x\""_s;
    QTest::newRow("flat wrong shape") << QByteArray("[1, 2]") << std::optional(ExchangeFormat::Flat)
                                      << 1 << 1 << u"wrong shape: flat JSON"_s;
    QTest::newRow("flat object value")
        << QByteArray(R"({"a/b":{"c":1}})") << std::optional(ExchangeFormat::Flat) << 1 << 2
        << u"wrong shape: the value of \"a/b\""_s;
    QTest::newRow("empty") << QByteArray("\n") << detect << 1 << 1 << u"the file is empty"_s;
    QTest::newRow("csv") << QByteArray("path,type\n") << std::optional(ExchangeFormat::Csv) << 0
                         << 0 << u"CSV cannot be imported"_s;
}

void TestImportReader::refuses()
{
    QFETCH(QByteArray, text);
    QFETCH(std::optional<ExchangeFormat>, given);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, reason);
    const auto data = read(text, given);
    QVERIFY(!data);
    QCOMPARE(data.error().line, line);
    QCOMPARE(data.error().column, column);
    QVERIFY2(data.error().reason.startsWith(reason), qPrintable(data.error().reason));
    if (line > 0)
        QVERIFY2(data.error().text().startsWith(u"line %1"_s.arg(line)),
                 qPrintable(data.error().text()));
}

void TestImportReader::readsStdinLikeDevicesInPieces()
{
    // More than one read's worth (1 MiB) of NDJSON: lines split across reads join up.
    QByteArray text;
    for (int i = 0; i < 30000; ++i)
        text += R"({"path":"items/item)" + QByteArray::number(i) +
                R"(","value":"xxxxxxxxxxxxxxxxxxxxxxxx","type":"string"})"
                "\n";
    QVERIFY(text.size() > (1 << 21));
    const auto data = read(text, std::nullopt);
    QVERIFY2(data, qPrintable(data ? QString() : data.error().text()));
    QCOMPARE(data->leaves.size(), 30000);
    QCOMPARE(data->leaves.last().path.rendered(), u"items/item29999"_s);
    QCOMPARE(data->leaves.last().line, 30000);
}

QTEST_GUILESS_MAIN(TestImportReader)
#include "tst_importreader.moc"
