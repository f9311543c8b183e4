// The search dock driven with QTest (offscreen) on a real dustlite over a real WebSocket:
// type, Enter, the results and the count appear; the match is painted highlighted; Cancel
// stops a long search; clicking a result or Enter on it emits its path; the selected node
// as the scope; problems in words; over REST only it says that search needs the live mirror.

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "TestSdkOptions.h"
#include "search/SearchDock.h"
#include "search/SearchResultsModel.h"
#include "search/TypeFilterButton.h"
#include "search/ValueSearch.h"
#include "sync/Mirror.h"
#include "transport/SdkTransport.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace dust;
using namespace dust::test;

namespace {

const QString kStore = QStringLiteral("local/demo");

QStringList listed(const SearchResultsModel *model)
{
    QStringList out;
    for (int row = 0; row < model->rowCount(); ++row)
        out.append(model->index(row).data().toString());
    return out;
}

} // namespace

class TestSearchDock : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();

    void typeAndEnterShowsResults();
    void matchIsPaintedHighlighted();
    void activatingAResultEmitsItsPath();
    void selectedNodeIsTheScope();
    void typesLimitTheSearch();
    void problemsAreSaidInWords_data();
    void problemsAreSaidInWords();
    void cancelStopsALongSearch();
    void restOnlySaysItNeedsTheLiveMirror();

private:
    void search(const QString &text);

    InProcessDustlite m_dustlite;
    std::unique_ptr<SdkTransport> m_live;
    std::unique_ptr<SearchDock> m_dock;
};

void TestSearchDock::initTestCase()
{
    m_dustlite.config().seed = QStringLiteral("demo");
    QVERIFY2(m_dustlite.start(), qPrintable(m_dustlite.errorString()));
    // Enough values that a search in small slices takes many reads (for Cancel).
    QList<std::pair<Path, QJsonValue>> many;
    for (int i = 0; i < 20000; ++i)
        many.append({path(QStringLiteral("bulk/n%1").arg(i, 5, 10, QLatin1Char('0'))),
                     QStringLiteral("value %1").arg(i)});
    QVERIFY(m_dustlite.store()->bulkSet(many, QStringLiteral("test")) > 0);
    m_live = std::make_unique<SdkTransport>(sdkOptions(m_dustlite.wsUrl()));
    const auto count =
        await(m_live->withMirror(kStore, [](const Mirror &m) { return m.leafCount(); }));
    QVERIFY(count && *count > 20000);
}

void TestSearchDock::cleanupTestCase()
{
    m_live.reset();
}

void TestSearchDock::init()
{
    m_dock = std::make_unique<SearchDock>();
    m_dock->resize(700, 500);
    m_dock->setSource(m_live.get(), kStore);
    m_dock->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_dock.get()));
}

void TestSearchDock::cleanup()
{
    m_dock.reset();
}

void TestSearchDock::search(const QString &text)
{
    m_dock->focusQuery();
    QTRY_VERIFY(m_dock->queryEdit()->hasFocus());
    QTest::keyClicks(m_dock->queryEdit(), text);
    QTest::keyClick(m_dock->queryEdit(), Qt::Key_Return);
}

void TestSearchDock::typeAndEnterShowsResults()
{
    search(QStringLiteral("example.com"));
    QTRY_COMPARE_WITH_TIMEOUT(m_dock->search()->state(), ValueSearch::State::Finished, 30000);
    // alice's email, domains/example.com/owner is a path not a value, settings' origins.
    QCOMPARE(listed(m_dock->results()), QStringList({QStringLiteral("settings/allowed_origins"),
                                                     QStringLiteral("users/alice/email")}));
    QVERIFY2(m_dock->statusText().startsWith(QLatin1String("2 matches in ")),
             qPrintable(m_dock->statusText()));
    QVERIFY2(m_dock->statusText().contains(QLatin1String(" s")), qPrintable(m_dock->statusText()));
    QVERIFY(!m_dock->cancelButton()->isEnabled());
    // The match is marked in the excerpt.
    const QModelIndex first = m_dock->results()->index(1);
    const QList<int> spans = first.data(SearchResultsModel::MatchSpansRole).value<QList<int>>();
    QCOMPARE(first.data(SearchResultsModel::ExcerptRole).toString().mid(spans[0], spans[1]),
             QStringLiteral("example.com"));
}

void TestSearchDock::matchIsPaintedHighlighted()
{
    search(QStringLiteral("Paris"));
    QTRY_COMPARE_WITH_TIMEOUT(m_dock->search()->state(), ValueSearch::State::Finished, 30000);
    QVERIFY(m_dock->results()->rowCount() > 0);
    // The highlight's colour is painted on the excerpt line of the first row, and only there.
    QListView *view = m_dock->resultsView();
    view->clearSelection();
    view->setCurrentIndex(QModelIndex());
    const QRect rect = view->visualRect(m_dock->results()->index(0));
    const QImage image = view->viewport()->grab().toImage();
    const QColor highlight = view->palette().color(QPalette::Highlight);
    const auto tinted = [&](int top, int bottom) {
        int count = 0;
        for (int y = top; y < bottom; ++y)
            for (int x = rect.left(); x < rect.right(); ++x) {
                const QColor c = image.pixelColor(x, y);
                // The mark is the highlight colour at 35 % over the base: a hue shift.
                if (qAbs(c.hueF() - highlight.hueF()) < 0.05 && c.saturationF() > 0.1)
                    ++count;
            }
        return count;
    };
    const int middle = rect.top() + rect.height() / 2;
    QVERIFY2(tinted(middle, rect.bottom()) > 20, "no highlight on the excerpt line");
    QCOMPARE(tinted(rect.top(), middle - 2), 0);
}

void TestSearchDock::activatingAResultEmitsItsPath()
{
    search(QStringLiteral("Paris"));
    QTRY_COMPARE_WITH_TIMEOUT(m_dock->search()->state(), ValueSearch::State::Finished, 30000);
    QSignalSpy activated(m_dock.get(), &SearchDock::pathActivated);
    const QStringList rows = listed(m_dock->results());
    QVERIFY(rows.contains(QString::fromUtf8("cities/caf\xc3\xa9")));
    const int row = int(rows.indexOf(QString::fromUtf8("cities/caf\xc3\xa9")));
    QListView *view = m_dock->resultsView();
    const QModelIndex index = m_dock->results()->index(row);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().value<Path>(),
             path(QString::fromUtf8("cities/caf\xc3\xa9")));
    // The keyboard: Enter on the current result.
    view->setFocus();
    view->setCurrentIndex(index);
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(activated.count(), 2);
    QCOMPARE(activated.last().first().value<Path>(), path(QString::fromUtf8("cities/caf\xc3\xa9")));
}

void TestSearchDock::selectedNodeIsTheScope()
{
    m_dock->setScope(path(QStringLiteral("users")));
    m_dock->scopeBox()->setCurrentIndex(SearchDock::SelectedNode);
    QCOMPARE(m_dock->scopeEdit()->text(), QStringLiteral("users"));
    // Selecting another node follows while "Selected node" is chosen.
    m_dock->setScope(path(QStringLiteral("users/alice")));
    QCOMPARE(m_dock->scopeEdit()->text(), QStringLiteral("users/alice"));
    search(QStringLiteral("a"));
    QTRY_COMPARE_WITH_TIMEOUT(m_dock->search()->state(), ValueSearch::State::Finished, 30000);
    const QStringList rows = listed(m_dock->results());
    QVERIFY(!rows.isEmpty());
    for (const QString &row : rows)
        QVERIFY2(row.startsWith(QLatin1String("users/alice/")), qPrintable(row));
    // Typing a glob in the field makes it the scope.
    m_dock->scopeEdit()->setFocus();
    m_dock->scopeEdit()->selectAll();
    QTest::keyClicks(m_dock->scopeEdit(), QStringLiteral("users/*/email"));
    QCOMPARE(m_dock->scopeBox()->currentIndex(), int(SearchDock::PathOrGlob));
    QTest::keyClick(m_dock->scopeEdit(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(m_dock->search()->state(), ValueSearch::State::Finished, 30000);
    QCOMPARE(listed(m_dock->results()),
             QStringList({QStringLiteral("users/alice/email"), QStringLiteral("users/bruno/email"),
                          QString::fromUtf8("users/chlo\xc3\xa9/email"),
                          QStringLiteral("users/jean luc/email")}));
}

void TestSearchDock::typesLimitTheSearch()
{
    m_dock->typeButton()->actionFor(QStringLiteral("counter"))->setChecked(true);
    QVERIFY(m_dock->typeButton()->text().contains(QLatin1String("counter")));
    search(QStringLiteral("1"));
    QTRY_COMPARE_WITH_TIMEOUT(m_dock->search()->state(), ValueSearch::State::Finished, 30000);
    for (int row = 0; row < m_dock->results()->rowCount(); ++row)
        QCOMPARE(m_dock->results()->index(row).data(SearchResultsModel::TypeRole).toString(),
                 QStringLiteral("counter"));
    QCOMPARE(listed(m_dock->results()), QStringList({QStringLiteral("stats/visits")}));
}

void TestSearchDock::problemsAreSaidInWords_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("regex");
    QTest::addColumn<QString>("scope");
    QTest::addColumn<QString>("problem");
    QTest::newRow("empty") << QString() << false << QString() << QStringLiteral("Type the text");
    QTest::newRow("regex") << QStringLiteral("a(b") << true << QString()
                           << QStringLiteral("regular expression is not valid");
    QTest::newRow("scope") << QStringLiteral("a") << false << QStringLiteral("users//x")
                           << QStringLiteral("is not a path or a glob");
}

void TestSearchDock::problemsAreSaidInWords()
{
    QFETCH(QString, text);
    QFETCH(bool, regex);
    QFETCH(QString, scope);
    QFETCH(QString, problem);
    m_dock->regexBox()->setChecked(regex);
    if (!scope.isEmpty()) {
        m_dock->scopeBox()->setCurrentIndex(SearchDock::PathOrGlob);
        m_dock->scopeEdit()->setText(scope);
    }
    search(text);
    QVERIFY2(m_dock->problemText().contains(problem), qPrintable(m_dock->problemText()));
    QVERIFY(!m_dock->search()->isRunning());
}

void TestSearchDock::cancelStopsALongSearch()
{
    m_dock->search()->setSliceBudget(50); // hundreds of reads
    QSignalSpy inserted(m_dock->results(), &QAbstractItemModel::rowsInserted);
    search(QStringLiteral("value"));
    QVERIFY(m_dock->search()->isRunning());
    QVERIFY(m_dock->cancelButton()->isEnabled());
    QVERIFY2(m_dock->statusText().startsWith(QLatin1String("Searching")),
             qPrintable(m_dock->statusText()));
    QVERIFY(inserted.wait(30000)); // the first results, from the first read
    QTest::mouseClick(m_dock->cancelButton(), Qt::LeftButton);
    QCOMPARE(m_dock->search()->state(), ValueSearch::State::Cancelled);
    QVERIFY(!m_dock->cancelButton()->isEnabled());
    QVERIFY2(m_dock->statusText().startsWith(QLatin1String("Cancelled: ")),
             qPrintable(m_dock->statusText()));
    QVERIFY(m_dock->search()->valuesSearched() < 20000);
    QVERIFY(m_dock->results()->rowCount() > 0); // what was found stays

    // Escape in the dock cancels too.
    QTest::keyClick(m_dock->queryEdit(), Qt::Key_Return);
    QVERIFY(m_dock->search()->isRunning());
    QTest::keyClick(m_dock->queryEdit(), Qt::Key_Escape);
    QCOMPARE(m_dock->search()->state(), ValueSearch::State::Cancelled);
}

void TestSearchDock::restOnlySaysItNeedsTheLiveMirror()
{
    m_dock->setSource(nullptr, kStore);
    QVERIFY2(m_dock->unavailableText().contains(QLatin1String("needs the live mirror")),
             qPrintable(m_dock->unavailableText()));
    QVERIFY(!m_dock->queryEdit()->isEnabled());
    QVERIFY(!m_dock->searchButton()->isEnabled());
    m_dock->focusQuery();
    m_dock->startSearch();
    QCOMPARE(m_dock->search()->state(), ValueSearch::State::Idle);
    QCOMPARE(m_dock->results()->rowCount(), 0);
    // Back on a live store, it searches again.
    m_dock->setSource(m_live.get(), kStore);
    QVERIFY(m_dock->unavailableText().isEmpty());
    QVERIFY(m_dock->queryEdit()->isEnabled());
}

QTEST_MAIN(TestSearchDock)
#include "tst_searchdock.moc"
