#include "exchange/ExchangeFormat.h"

#include <QTest>

using namespace dust;

class TestExchangeFormat : public QObject
{
    Q_OBJECT
private slots:
    void names_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("format");
        QTest::newRow("json") << "json" << int(ExchangeFormat::Nested);
        QTest::newRow("ndjson") << "ndjson" << int(ExchangeFormat::Ndjson);
        QTest::newRow("jsonl") << "JSONL" << int(ExchangeFormat::Ndjson);
        QTest::newRow("flat") << "Flat" << int(ExchangeFormat::Flat);
        QTest::newRow("csv") << "csv" << int(ExchangeFormat::Csv);
        QTest::newRow("unknown") << "xml" << -1;
        QTest::newRow("empty") << "" << -1;
    }
    void names()
    {
        QFETCH(QString, name);
        QFETCH(int, format);
        const auto parsed = exchangeFormatFromName(name);
        QCOMPARE(parsed ? int(*parsed) : -1, format);
        if (parsed)
            QCOMPARE(exchangeFormatFromName(exchangeFormatName(*parsed)), parsed);
    }
    void everyNameParses()
    {
        const QStringList names = exchangeFormatNames();
        QCOMPARE(names.size(), 4);
        for (const QString &name : names)
            QVERIFY2(exchangeFormatFromName(name), qPrintable(name));
    }
};

QTEST_GUILESS_MAIN(TestExchangeFormat)
#include "tst_exchangeformat.moc"
