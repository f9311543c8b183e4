// StoreTreeModel's lazy (HTTP) loading against a scripted Transport, for what a real server
// does not do on demand: refusing a cursor it did not make, answering with garbage,
// never answering, going away mid-request. Also very deep paths, which must not recurse.

#include "StoreTreeTestUtil.h"

#include "model/StoreTreeModel.h"
#include "transport/Transport.h"

#include <QAbstractItemModelTester>
#include <QPromise>
#include <QSignalSpy>
#include <QTest>

#include <map>
#include <memory>

using namespace dust;
using namespace dust::test;

namespace {

// A store behind the Transport contract with the real server's listing rules (§4.3):
// byte-wise order, prefixes de-duplicated per page only, the cursor being the last entry
// read. Answers asynchronously (next event loop turn) unless told otherwise.
class ScriptedTransport : public Transport
{
public:
    enum class Mode { Normal, RejectForeignCursors, Garbage, Silent, Cancel };

    std::map<QByteArray, Entry> leaves; // rendered UTF-8 -> entry
    Mode mode = Mode::Normal;
    QStringList afters; // every `after` received
    int calls = 0;

    void add(const QString &rendered, const QJsonValue &value)
    {
        Entry e;
        e.path = mkpath(rendered);
        e.value = value;
        e.type = value.isString() ? QStringLiteral("string") : QStringLiteral("integer");
        e.revision = qint64(leaves.size()) + 1;
        leaves[rendered.toUtf8()] = e;
    }

    QFuture<Result<ListPage>> list(const QString &, const ListQuery &options) override
    {
        ++calls;
        afters.append(options.after);
        if (mode == Mode::Silent) {
            auto promise = std::make_shared<QPromise<Result<ListPage>>>();
            promise->start();
            m_silent.push_back(promise); // finished never; cancelled when we are destroyed
            return promise->future();
        }
        if (mode == Mode::Cancel) {
            QPromise<Result<ListPage>> promise;
            promise.start();
            promise.future().cancel();
            promise.finish();
            return promise.future();
        }
        Result<ListPage> result = answer(options.pattern, options);
        auto promise = std::make_shared<QPromise<Result<ListPage>>>();
        promise->start();
        QFuture<Result<ListPage>> future = promise->future();
        QMetaObject::invokeMethod(
            this,
            [promise, result] {
                promise->addResult(result);
                promise->finish();
            },
            Qt::QueuedConnection);
        return future;
    }

    QFuture<Result<Entry>> get(const QString &, const Path &) override
    {
        return failed<Entry>(Error::notSupported(QStringLiteral("scripted")));
    }
    QFuture<Result<bool>> exists(const QString &, const Path &) override
    {
        return failed<bool>(Error::notSupported(QStringLiteral("scripted")));
    }
    QFuture<Result<WriteResult>> put(const QString &, const Path &, const QJsonValue &,
                                     const WriteOptions &) override
    {
        return failed<WriteResult>(Error::notSupported(QStringLiteral("scripted")));
    }
    QFuture<Result<WriteResult>> remove(const QString &, const Path &,
                                        const WriteOptions &) override
    {
        return failed<WriteResult>(Error::notSupported(QStringLiteral("scripted")));
    }
    QFuture<Result<BatchWriteResult>> batchWrite(const QString &, const QList<BatchOp> &) override
    {
        return failed<BatchWriteResult>(Error::notSupported(QStringLiteral("scripted")));
    }
    Result<std::shared_ptr<Subscription>> subscribe(const QString &, const QString &,
                                                    const SubscribeOptions &) override
    {
        return Result<std::shared_ptr<Subscription>>::failure(
            Error::notSupported(QStringLiteral("scripted")));
    }
    void unsubscribe(const std::shared_ptr<Subscription> &) override {}

private:
    Result<ListPage> answer(const QString &pattern, const ListQuery &options)
    {
        if (mode == Mode::RejectForeignCursors && !options.after.isEmpty() &&
            !m_cursorsGiven.contains(options.after))
            return Result<ListPage>::failure(Error::invalidParams(QStringLiteral("bad cursor"))
                                                 .setReason(QStringLiteral("invalid_params")));
        ListPage page;
        if (mode == Mode::Garbage) {
            page.paths = {QStringLiteral("//"), QStringLiteral("elsewhere/x"), QString(),
                          QStringLiteral("a~2")};
            Entry e;
            e.path = mkpath(QStringLiteral("far/away/deep"));
            page.entries.append(e);
            return page;
        }
        const Glob glob = Glob::compile(pattern).value();
        const QStringList literal = glob.literalPrefix();
        const qsizetype prefixDepth = literal.size() + 1;
        QSet<QString> seenOnPage;
        int rows = 0;
        QString last;
        bool more = false;
        for (auto it = options.after.isEmpty() ? leaves.begin()
                                               : leaves.upper_bound(options.after.toUtf8());
             it != leaves.end(); ++it) {
            const Entry &e = it->second;
            if (!glob.matches(e.path))
                continue;
            if (rows == options.limit) {
                more = true;
                break;
            }
            ++rows;
            last = e.path.rendered();
            switch (options.select) {
            case ListQuery::Select::Entries:
                page.entries.append(e);
                break;
            case ListQuery::Select::Keys:
                page.paths.append(e.path.rendered());
                break;
            case ListQuery::Select::Prefixes: {
                const QString prefix =
                    e.path.rendered().section(QLatin1Char('/'), 0, int(prefixDepth) - 1);
                if (!seenOnPage.contains(prefix)) {
                    seenOnPage.insert(prefix);
                    page.paths.append(prefix);
                }
                break;
            }
            }
        }
        if (more) {
            page.nextCursor = last;
            m_cursorsGiven.insert(last);
        }
        return page;
    }

    QSet<QString> m_cursorsGiven;
    std::vector<std::shared_ptr<QPromise<Result<ListPage>>>> m_silent;
};

} // namespace

class TestStoreTreeModelLazy : public QObject
{
    Q_OBJECT

private slots:
    void foreignCursorRefusedFallsBack();
    void skipCursorsSaveRequests();
    void garbageFromServerIsIgnored();
    void cancelledListingIsAnError();
    void transportGoneWhileLoading();
    void noTransportIsAnError();
    void veryDeepPathDoesNotRecurse();
};

void TestStoreTreeModelLazy::foreignCursorRefusedFallsBack()
{
    ScriptedTransport transport;
    for (int c = 0; c < 4; ++c)
        for (int k = 0; k < 5; ++k)
            transport.add(QStringLiteral("c%1/k%2").arg(c).arg(k), k);
    transport.mode = ScriptedTransport::Mode::RejectForeignCursors;
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPageLimit(3);
    model.setHttpSource(&transport, QStringLiteral("o/s"));
    model.fetchMore({});
    QTRY_VERIFY(!model.isLoading());
    QCOMPARE(model.errorText(), QString());
    QCOMPARE(childNames(model), (QStringList{QStringLiteral("c0"), QStringLiteral("c1"),
                                             QStringLiteral("c2"), QStringLiteral("c3")}));
}

void TestStoreTreeModelLazy::skipCursorsSaveRequests()
{
    auto load = [](bool skip, int *requests) {
        ScriptedTransport transport;
        for (int c = 0; c < 5; ++c)
            for (int k = 0; k < 40; ++k)
                transport.add(QStringLiteral("c%1/k%2").arg(c).arg(k), k);
        StoreTreeModel model;
        model.setPageLimit(10);
        model.setSkipListedSubtrees(skip);
        model.setHttpSource(&transport, QStringLiteral("o/s"));
        model.fetchMore({});
        QTRY_VERIFY(!model.isLoading());
        *requests = transport.calls;
        QCOMPARE(model.rowCount(), 5);
    };
    int plain = 0;
    int skipping = 0;
    load(false, &plain);
    load(true, &skipping);
    QVERIFY2(skipping * 2 < plain, qPrintable(QStringLiteral("%1 vs %2").arg(skipping).arg(plain)));
}

void TestStoreTreeModelLazy::garbageFromServerIsIgnored()
{
    ScriptedTransport transport;
    transport.mode = ScriptedTransport::Mode::Garbage;
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHttpSource(&transport, QStringLiteral("o/s"));
    model.fetchMore({});
    QTRY_VERIFY(!model.isLoading());
    // "elsewhere/x" is two levels down and "far/away/deep" three: neither is a child of the
    // root listing; the invalid ones are dropped.
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.errorText(), QString());
}

void TestStoreTreeModelLazy::cancelledListingIsAnError()
{
    ScriptedTransport transport;
    transport.add(QStringLiteral("a/b"), 1);
    transport.mode = ScriptedTransport::Mode::Cancel;
    StoreTreeModel model;
    QSignalSpy failed(&model, &StoreTreeModel::loadFailed);
    model.setHttpSource(&transport, QStringLiteral("o/s"));
    model.fetchMore({});
    QTRY_VERIFY(!model.isLoading());
    QCOMPARE(failed.count(), 1);
    QVERIFY(!model.errorText().isEmpty());
}

void TestStoreTreeModelLazy::transportGoneWhileLoading()
{
    auto transport = std::make_unique<ScriptedTransport>();
    transport->add(QStringLiteral("a/b"), 1);
    transport->mode = ScriptedTransport::Mode::Silent;
    StoreTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHttpSource(transport.get(), QStringLiteral("o/s"));
    model.fetchMore({});
    QTest::qWait(20);
    QVERIFY(model.isLoading());
    transport.reset(); // its unfinished promises are cancelled
    QTRY_VERIFY(!model.isLoading());
    QVERIFY(!model.errorText().isEmpty());
    model.reload(); // no transport any more: an error, not a crash
    QTRY_VERIFY(!model.isLoading());
    QVERIFY(!model.errorText().isEmpty());
}

void TestStoreTreeModelLazy::noTransportIsAnError()
{
    StoreTreeModel model;
    model.setHttpSource(nullptr, QStringLiteral("o/s"));
    QVERIFY(model.canFetchMore({}));
    model.fetchMore({});
    QVERIFY(!model.isLoading());
    QVERIFY(!model.errorText().isEmpty());
    QCOMPARE(model.rowCount(), 0);
}

void TestStoreTreeModelLazy::veryDeepPathDoesNotRecurse()
{
    // 50,000 segments: building, updating, filtering and destroying must not recurse.
    QStringList segments;
    for (int i = 0; i < 50000; ++i)
        segments.append(QStringLiteral("d%1").arg(i % 7));
    const Path deep = mkpath(segments);
    RefStore ref;
    ref.set(deep, QStringLiteral("string"), QStringLiteral("bottom"));
    auto model = std::make_unique<StoreTreeModel>();
    model->rebuildNow(ref.snapshot());
    QCOMPARE(model->nodeCount(), 50000);
    const QModelIndex bottom = model->index(deep);
    QVERIFY(bottom.isValid());
    QCOMPARE(model->pathOf(bottom), deep);

    QSignalSpy applied(model.get(), &StoreTreeModel::filterApplied);
    model->setFilter(TreeFilter::substring(QStringLiteral("d5"))); // the bottom is a "d5"
    QVERIFY(applied.wait(20000));
    QVERIFY(model->index(deep).isValid());

    QStringList sibling = segments;
    sibling.last() = QStringLiteral("other");
    model->applyBatch(ref.set(mkpath(sibling), QStringLiteral("string"), QStringLiteral("x")));
    model->flushPendingChanges();
    QCOMPARE(model->nodeCount(), 50001);
    model->applyBatch(ref.remove(deep));
    model->flushPendingChanges();
    QCOMPARE(model->nodeCount(), 50000);
    QVERIFY(!model->index(deep).isValid());
    model->clearFilter();
    model->applyBatch(ref.set(deep, QStringLiteral("string"), QStringLiteral("again")));
    model->flushPendingChanges();
    QCOMPARE(model->nodeCount(), 50001);
    model->applyBatch(ref.remove(mkpath(segments.mid(0, 3))));
    model->flushPendingChanges();
    QCOMPARE(model->nodeCount(), 0);
    model.reset(); // the destructor tears the chain down without recursing
}

QTEST_GUILESS_MAIN(TestStoreTreeModelLazy)
#include "tst_storetreemodel_lazy.moc"
