// LineDiff: the LCS line diff behind the conflict dialog's marks, as a table of cases: which
// old lines are removed, which new lines added, and that the diff rebuilds both texts.

#include "edit/LineDiff.h"

#include <QTest>

using namespace dust;

class TestLineDiff : public QObject
{
    Q_OBJECT

private slots:
    void diff_data();
    void diff();
};

void TestLineDiff::diff_data()
{
    QTest::addColumn<QStringList>("oldLines");
    QTest::addColumn<QStringList>("newLines");
    QTest::addColumn<qsizetype>("maxCells");
    QTest::addColumn<QList<int>>("removed");
    QTest::addColumn<QList<int>>("added");

    const qsizetype big = 4'000'000;
    const QStringList abc{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    QTest::newRow("both empty") << QStringList() << QStringList() << big << QList<int>()
                                << QList<int>();
    QTest::newRow("same") << abc << abc << big << QList<int>() << QList<int>();
    QTest::newRow("all new") << QStringList() << abc << big << QList<int>() << QList<int>{0, 1, 2};
    QTest::newRow("all gone") << abc << QStringList() << big << QList<int>{0, 1, 2} << QList<int>();
    QTest::newRow("middle changed")
        << abc << QStringList{QStringLiteral("a"), QStringLiteral("B"), QStringLiteral("c")} << big
        << QList<int>{1} << QList<int>{1};
    QTest::newRow("inserted") << abc
                              << QStringList{QStringLiteral("a"), QStringLiteral("x"),
                                             QStringLiteral("b"), QStringLiteral("c")}
                              << big << QList<int>() << QList<int>{1};
    QTest::newRow("deleted") << abc << QStringList{QStringLiteral("a"), QStringLiteral("c")} << big
                             << QList<int>{1} << QList<int>();
    QTest::newRow("moved to the end")
        << abc << QStringList{QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("a")} << big
        << QList<int>{0} << QList<int>{2};
    QTest::newRow("json field changed")
        << QStringList{QStringLiteral("{"), QStringLiteral("    \"age\": 30,"),
                       QStringLiteral("    \"name\": \"Alice\""), QStringLiteral("}")}
        << QStringList{QStringLiteral("{"), QStringLiteral("    \"age\": 31,"),
                       QStringLiteral("    \"name\": \"Alice\""), QStringLiteral("}")}
        << big << QList<int>{1} << QList<int>{1};
    QTest::newRow("repeated lines")
        << QStringList{QStringLiteral("x"), QStringLiteral("x"), QStringLiteral("y")}
        << QStringList{QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("y")} << big
        << QList<int>{1} << QList<int>{1};
    // Past the cell budget the middle is all removed then all added; head and tail still match.
    QTest::newRow("over the budget") << QStringList{QStringLiteral("h"), QStringLiteral("1"),
                                                    QStringLiteral("2"), QStringLiteral("t")}
                                     << QStringList{QStringLiteral("h"), QStringLiteral("2"),
                                                    QStringLiteral("3"), QStringLiteral("t")}
                                     << qsizetype(3) << QList<int>{1, 2} << QList<int>{1, 2};
    QTest::newRow("within the budget") << QStringList{QStringLiteral("h"), QStringLiteral("1"),
                                                      QStringLiteral("2"), QStringLiteral("t")}
                                       << QStringList{QStringLiteral("h"), QStringLiteral("2"),
                                                      QStringLiteral("3"), QStringLiteral("t")}
                                       << qsizetype(4) << QList<int>{1} << QList<int>{2};
}

void TestLineDiff::diff()
{
    QFETCH(QStringList, oldLines);
    QFETCH(QStringList, newLines);
    QFETCH(qsizetype, maxCells);
    QFETCH(QList<int>, removed);
    QFETCH(QList<int>, added);

    const QList<LineDiff::Line> diff = LineDiff::compute(oldLines, newLines, maxCells);
    QCOMPARE(LineDiff::removedLines(diff), removed);
    QCOMPARE(LineDiff::addedLines(diff), added);

    // Every line of both texts appears once, in order, and kept lines are equal.
    QStringList rebuiltOld;
    QStringList rebuiltNew;
    for (const LineDiff::Line &line : diff) {
        if (line.kind != LineDiff::Kind::Added)
            rebuiltOld.append(oldLines.at(line.oldIndex));
        if (line.kind != LineDiff::Kind::Removed)
            rebuiltNew.append(newLines.at(line.newIndex));
        if (line.kind == LineDiff::Kind::Same)
            QCOMPARE(oldLines.at(line.oldIndex), newLines.at(line.newIndex));
    }
    QCOMPARE(rebuiltOld, oldLines);
    QCOMPARE(rebuiltNew, newLines);
}

QTEST_GUILESS_MAIN(TestLineDiff)
#include "tst_linediff.moc"
