// The demo store exported in every format (ExportJob, from the live mirror and over REST)
// comes back leaf by leaf: NDJSON re-imports into an empty store identical in path, value and
// type; nested and flat JSON in path and value, and in type for every leaf whose type plain
// JSON carries (what the export dialog says they lose); CSV holds every path, type and value.
#include "ImportTestSupport.h"
#include "Seeder.h"
#include "StoreDb.h"
#include "TestSdkOptions.h"
#include "exchange/ExportJob.h"
#include "exchange/ExportScope.h"
#include "transport/SdkTransport.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace importtest;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(dust::ExchangeFormat)

namespace {

// Types a plain JSON value gives back when written with set (dust-protocol.md §3.3).
bool plainJsonKeeps(const QJsonObject &leaf)
{
    const QString type = leaf.value(u"type"_s).toString();
    const QJsonValue value = leaf.value(u"value"_s);
    if (type == u"float"_s)
        return value.toDouble() != std::floor(value.toDouble()); // 2.0 reads back as 2
    return type == u"string"_s ? value.isString()
                               : type == u"integer"_s || type == u"boolean"_s || type == u"null"_s;
}

// RFC 4180 records (quoted fields may hold commas, quotes doubled, line breaks).
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            record << field;
            field.clear();
        } else if (c == u'\n' || c == u'\r') {
            if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n')
                ++i;
            record << field;
            field.clear();
            records << record;
            record.clear();
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !record.isEmpty())
        records << (record << field);
    return records;
}

} // namespace

class TestRoundTrip : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        QVERIFY(m_f.start());
        QVERIFY(lite::seedDemo(*m_f.server->store(kSource)) > 0);
        m_source = m_f.leavesOf(kSource);
        QVERIFY(m_source.size() > 40);
    }
    void cleanup() { m_f = Fixture(); }

    void reimports_data()
    {
        QTest::addColumn<ExchangeFormat>("format");
        QTest::addColumn<bool>("fromMirror");
        for (const bool mirror : {false, true}) {
            const char *from = mirror ? "mirror" : "rest";
            QTest::addRow("ndjson %s", from) << ExchangeFormat::Ndjson << mirror;
            QTest::addRow("nested %s", from) << ExchangeFormat::Nested << mirror;
            QTest::addRow("flat %s", from) << ExchangeFormat::Flat << mirror;
        }
    }
    void reimports()
    {
        QFETCH(ExchangeFormat, format);
        QFETCH(bool, fromMirror);
        const QByteArray file = exportDemo(format, fromMirror);
        QVERIFY(!file.isEmpty());

        const auto data = m_f.read(file, format);
        QVERIFY2(data, qPrintable(data ? QString() : data.error().text()));
        const auto plan = m_f.plan(data->leaves);
        QVERIFY2(plan, qPrintable(plan ? QString() : plan.error().message()));
        ImportJob job(m_f.transport.get(), kTarget, *plan);
        const auto [ok, words] = run(job);
        QVERIFY2(ok, qPrintable(words));

        const QList<QJsonObject> target = m_f.leavesOf(kTarget);
        if (format == ExchangeFormat::Ndjson) {
            QCOMPARE(target, m_source); // path, value and type, every leaf
            return;
        }
        // Nested JSON cannot hold a node that is a value and a folder at once: its folder wins
        // (as the server's assembled GET shows it), and the dialog says so.
        QList<QJsonObject> expected = m_source;
        if (format == ExchangeFormat::Nested) {
            expected.removeIf([this](const QJsonObject &leaf) {
                const QString prefix = leaf.value(u"path"_s).toString() + u'/';
                return std::any_of(m_source.cbegin(), m_source.cend(), [&](const QJsonObject &o) {
                    return o.value(u"path"_s).toString().startsWith(prefix);
                });
            });
            QVERIFY(expected.size() < m_source.size()); // the demo has such a node
        }
        QCOMPARE(target.size(), expected.size());
        int typed = 0;
        for (qsizetype i = 0; i < target.size(); ++i) {
            const QJsonObject &mine = target.at(i);
            const QJsonObject &theirs = expected.at(i);
            QCOMPARE(mine.value(u"path"_s), theirs.value(u"path"_s));
            QCOMPARE(mine.value(u"value"_s), theirs.value(u"value"_s));
            if (plainJsonKeeps(theirs)) {
                QCOMPARE(mine.value(u"type"_s), theirs.value(u"type"_s));
                ++typed;
            }
        }
        QVERIFY(typed > target.size() / 2);
    }

    void csvHoldsEveryLeaf()
    {
        const QByteArray file = exportDemo(ExchangeFormat::Csv, false);
        const QList<QStringList> records = parseCsv(QString::fromUtf8(file));
        QVERIFY(records.size() > 1);
        QCOMPARE(records.first(), (QStringList{u"path"_s, u"type"_s, u"revision"_s, u"value"_s}));
        QCOMPARE(records.size() - 1, m_source.size());
        for (qsizetype i = 0; i < m_source.size(); ++i) {
            const QStringList &r = records.at(i + 1);
            QCOMPARE(r.size(), 4);
            QCOMPARE(r.at(0), m_source.at(i).value(u"path"_s).toString());
            QCOMPARE(r.at(1), m_source.at(i).value(u"type"_s).toString());
            const QJsonValue value =
                QJsonDocument::fromJson("[" + r.at(3).toUtf8() + "]").array().at(0);
            QCOMPARE(value, m_source.at(i).value(u"value"_s));
        }
    }

private:
    QByteArray exportDemo(ExchangeFormat format, bool fromMirror)
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        ExportJob job(kSource, ExportScope(), format);
        job.setDevice(&buffer);
        QSignalSpy finished(&job, &ExportJob::finished);
        std::unique_ptr<SdkTransport> sdk;
        if (fromMirror) {
            sdk = std::make_unique<SdkTransport>(
                test::sdkOptions(m_f.server->wsUrl(), u"dust_tok_dev"_s));
            job.startFromMirror(sdk.get());
        } else {
            job.startFromRest(m_f.transport.get());
        }
        if (!finished.wait(60000) || !finished.first().at(0).toBool()) {
            qWarning() << "export failed:"
                       << (finished.isEmpty() ? QVariant() : finished.first().at(1));
            return {};
        }
        return buffer.data();
    }

    Fixture m_f;
    QList<QJsonObject> m_source;
};

QTEST_GUILESS_MAIN(TestRoundTrip)
#include "tst_roundtrip.moc"
