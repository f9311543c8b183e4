// FuzzyMatcher, the command palette's subsequence scorer, case by case: what matches, what
// does not, which of two candidates ranks first, and which characters were matched. Then
// PathCollector, the bounded breadth-first walk over a tree model that feeds it paths.

#include "palette/FuzzyMatcher.h"
#include "palette/PathCollector.h"

#include <QStandardItemModel>
#include <QTest>

using namespace dust;
using namespace Qt::StringLiterals;

class TestFuzzyMatcher : public QObject
{
    Q_OBJECT

private slots:
    void matches_data();
    void matches();
    void ranking_data();
    void ranking();
    void positions_data();
    void positions();
    void collectorIsBreadthFirstAndBounded();
};

void TestFuzzyMatcher::matches_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("candidate");
    QTest::addColumn<bool>("match");

    QTest::newRow("empty pattern") << u""_s << u"anything"_s << true;
    QTest::newRow("exact") << u"Copy Path"_s << u"Copy Path"_s << true;
    QTest::newRow("subsequence") << u"cpth"_s << u"Copy Path"_s << true;
    QTest::newRow("case-insensitive") << u"COPY"_s << u"copy path"_s << true;
    QTest::newRow("blanks ignored") << u"co pa"_s << u"Copy Path"_s << true;
    QTest::newRow("out of order") << u"htap"_s << u"Copy Path"_s << false;
    QTest::newRow("missing letter") << u"copz"_s << u"Copy Path"_s << false;
    QTest::newRow("longer than candidate") << u"abcdef"_s << u"abc"_s << false;
    QTest::newRow("across segments") << u"usalem"_s << u"users/alice/email"_s << true;
    QTest::newRow("escaped segment") << u"img~1"_s << u"files/img~1logo"_s << true;
    QTest::newRow("unicode") << u"čaj"_s << u"nápoje/čaj"_s << true;
    QTest::newRow("repeated letter needs two") << u"ll"_s << u"label"_s << true;
    QTest::newRow("repeated letter only one") << u"lll"_s << u"label"_s << false;
}

void TestFuzzyMatcher::matches()
{
    QFETCH(QString, pattern);
    QFETCH(QString, candidate);
    QFETCH(bool, match);
    QCOMPARE(FuzzyMatcher(pattern).score(candidate).has_value(), match);
}

void TestFuzzyMatcher::ranking_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("better");
    QTest::addColumn<QString>("worse");

    QTest::newRow("prefix beats middle") << u"co"_s << u"Copy Path"_s << u"Collapse Subtree Deco"_s;
    QTest::newRow("word starts beat scattered") << u"cp"_s << u"Copy Path"_s << u"Accept"_s;
    QTest::newRow("consecutive beats spread") << u"path"_s << u"Copy Path"_s << u"Paste as Theme"_s;
    QTest::newRow("segment start beats inside")
        << u"al"_s << u"users/alice"_s << u"users/malware"_s;
    QTest::newRow("shorter wins a tie") << u"email"_s << u"users/email"_s << u"users/alice/email"_s;
    QTest::newRow("exact case a little better") << u"Go"_s << u"Go Up"_s << u"go up"_s;
    QTest::newRow("later word start preferred")
        << u"ua"_s << u"users/alice/age"_s << u"usage/plan"_s;
}

void TestFuzzyMatcher::ranking()
{
    QFETCH(QString, pattern);
    QFETCH(QString, better);
    QFETCH(QString, worse);
    const FuzzyMatcher matcher(pattern);
    const auto a = matcher.score(better);
    const auto b = matcher.score(worse);
    QVERIFY(a.has_value());
    QVERIFY(b.has_value());
    QVERIFY2(*a > *b,
             qPrintable(QStringLiteral("%1: %2 vs %3: %4").arg(better).arg(*a).arg(worse).arg(*b)));
}

void TestFuzzyMatcher::positions_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("candidate");
    QTest::addColumn<QList<qsizetype>>("expected");

    QTest::newRow("word starts") << u"cp"_s << u"Copy Path"_s << QList<qsizetype>{0, 5};
    QTest::newRow("consecutive") << u"opy"_s << u"Copy Path"_s << QList<qsizetype>{1, 2, 3};
    QTest::newRow("segment start over inner letter")
        << u"ua"_s << u"users/alice"_s << QList<qsizetype>{0, 6};
    QTest::newRow("look-ahead ignores case too")
        << u"uab"_s << u"usage/alpha/B"_s << QList<qsizetype>{0, 6, 12};
    QTest::newRow("inner letter when no start fits")
        << u"ue"_s << u"users"_s << QList<qsizetype>{0, 2};
}

void TestFuzzyMatcher::positions()
{
    QFETCH(QString, pattern);
    QFETCH(QString, candidate);
    QFETCH(QList<qsizetype>, expected);
    QList<qsizetype> got;
    QVERIFY(FuzzyMatcher(pattern).score(candidate, &got));
    QCOMPARE(got, expected);
}

void TestFuzzyMatcher::collectorIsBreadthFirstAndBounded()
{
    // a, b (top) ; a/x, a/y ; a/x/deep
    QStandardItemModel model;
    const int role = Qt::UserRole + 1;
    const auto item = [role](const QString &path) {
        auto *i = new QStandardItem(path.section(QLatin1Char('/'), -1));
        i->setData(path, role);
        return i;
    };
    QStandardItem *a = item(QStringLiteral("a"));
    QStandardItem *ax = item(QStringLiteral("a/x"));
    ax->appendRow(item(QStringLiteral("a/x/deep")));
    a->appendRow(ax);
    a->appendRow(item(QStringLiteral("a/y")));
    model.appendRow(a);
    model.appendRow(item(QStringLiteral("b")));

    QCOMPARE(PathCollector::collect(&model, role),
             (QStringList{u"a"_s, u"b"_s, u"a/x"_s, u"a/y"_s, u"a/x/deep"_s}));
    QCOMPARE(PathCollector::collect(&model, role, 3), (QStringList{u"a"_s, u"b"_s, u"a/x"_s}));
    QCOMPARE(PathCollector::collect(&model, role, 0), QStringList());
    QCOMPARE(PathCollector::collect(nullptr, role), QStringList());
}

QTEST_MAIN(TestFuzzyMatcher)
#include "tst_fuzzymatcher.moc"
