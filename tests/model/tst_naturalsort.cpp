// dust::naturalCompare and naturalLess: the order of sibling names in the tree (numbers by
// value, letters without case, then ties broken so the order is total).

#include "TestSeed.h"
#include "model/NaturalSort.h"

#include <QRandomGenerator>
#include <QStringList>
#include <QTest>

#include <algorithm>

using namespace dust;
using dust::test::testSeed;

class TestNaturalSort : public QObject
{
    Q_OBJECT

private slots:
    void naturalOrder();
    void naturalOrderIsTotal();
};

void TestNaturalSort::naturalOrder()
{
    const QStringList expected = {
        QStringLiteral("1"),      QStringLiteral("2"),       QStringLiteral("02"),
        QStringLiteral("10"),     QStringLiteral("a"),       QStringLiteral("A1"),
        QStringLiteral("a1"),     QStringLiteral("a2"),      QStringLiteral("a10"),
        QStringLiteral("a10b"),   QStringLiteral("a11"),     QStringLiteral("B"),
        QStringLiteral("b"),      QStringLiteral("item2"),   QStringLiteral("Item10"),
        QStringLiteral("item10"), QStringLiteral("item100"), QStringLiteral("x.y"),
        QStringLiteral("x1"),     QStringLiteral("z"),       QStringLiteral("\u00e9"),
    };
    QStringList shuffled = expected;
    QRandomGenerator rng(testSeed());
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    std::sort(shuffled.begin(), shuffled.end(),
              [](const QString &a, const QString &b) { return naturalLess(a, b); });
    QCOMPARE(shuffled, expected);

    QVERIFY(naturalLess(u"item2", u"item10"));
    QVERIFY(naturalLess(u"v1.9", u"v1.10"));
    QVERIFY(naturalLess(u"file99999999999999999999", u"file100000000000000000000"));
    QCOMPARE(naturalCompare(u"same", u"same"), 0);
    QVERIFY(naturalCompare(u"Same", u"same") != 0);
}

void TestNaturalSort::naturalOrderIsTotal()
{
    // Antisymmetric, zero only for equal strings, transitive: checked over random strings
    // made of the characters that matter (digits, zeros, case, punctuation).
    const QString alphabet = QStringLiteral("0012a9AbB-._/~\u00e9\u00c9");
    QRandomGenerator rng(4711);
    QStringList words;
    for (int i = 0; i < 300; ++i) {
        QString w;
        const int len = 1 + int(rng.bounded(5));
        for (int k = 0; k < len; ++k)
            w += alphabet.at(rng.bounded(alphabet.size()));
        words.append(w);
    }
    for (const QString &a : words) {
        for (const QString &b : words) {
            const int ab = naturalCompare(a, b);
            const int ba = naturalCompare(b, a);
            QCOMPARE(ab<0, ba> 0);
            QCOMPARE(ab == 0, a == b);
        }
    }
    QStringList sorted = words;
    std::sort(sorted.begin(), sorted.end(),
              [](const QString &a, const QString &b) { return naturalLess(a, b); });
    for (qsizetype i = 0; i + 1 < sorted.size(); ++i)
        QVERIFY(naturalCompare(sorted[i], sorted[i + 1]) <= 0);
    for (int t = 0; t < 20000; ++t) {
        const QString &a = words[rng.bounded(words.size())];
        const QString &b = words[rng.bounded(words.size())];
        const QString &c = words[rng.bounded(words.size())];
        if (naturalLess(a, b) && naturalLess(b, c))
            QVERIFY2(naturalLess(a, c),
                     qPrintable(a + QLatin1Char(' ') + b + QLatin1Char(' ') + c));
    }
}

QTEST_GUILESS_MAIN(TestNaturalSort)
#include "tst_naturalsort.moc"
