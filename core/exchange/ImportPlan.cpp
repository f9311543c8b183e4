#include "exchange/ImportPlan.h"

#include "protocol/Values.h"

#include <QHash>
#include <QPointer>
#include <QPromise>
#include <QThreadPool>

#include <memory>
#include <utility>

namespace dust {

namespace {

bool isUnder(const Path &target, const Path &path)
{
    if (!target.isValid())
        return path.isValid();
    return path == target || path.rendered().startsWith(target.rendered() + QLatin1Char('/'));
}

// Pages a listing of the target's range and hands the leaves to compare().
struct Lister : std::enable_shared_from_this<Lister>
{
    QPointer<Transport> transport;
    QString store;
    Path target;
    QList<ImportLeaf> leaves;
    ImportMode mode = ImportMode::Merge;
    QPointer<QObject> context;
    QPromise<Result<ImportPlan>> promise;
    QList<Entry> current;

    void finish(Result<ImportPlan> result)
    {
        promise.addResult(std::move(result));
        promise.finish();
    }

    void next(const QString &after)
    {
        if (promise.isCanceled())
            return finish(Result<ImportPlan>::failure(Error(Error::Kind::Cancelled)));
        if (!transport || !context)
            return finish(Result<ImportPlan>::failure(
                Error(Error::Kind::Cancelled, QObject::tr("the connection was closed"))));
        ListQuery query;
        query.limit = kMaxListLimit;
        query.after = after;
        if (target.isValid()) {
            // [target, target + "0"): the leaf itself and every descendant ('0' follows '/'),
            // and siblings such as "target-x" that are filtered out. A range, not a glob, so a
            // segment "*" in the target is no wildcard.
            query.from = target;
            query.to = Path::parse(QString(target.rendered() + QLatin1Char('0'))).value();
        }
        auto self = shared_from_this();
        transport->list(store, query).then(context, [self](const Result<ListPage> &page) {
            if (!page)
                return self->finish(Result<ImportPlan>::failure(page.error()));
            for (const Entry &entry : page->entries) {
                if (isUnder(self->target, entry.path))
                    self->current.append(entry);
            }
            if (!page->nextCursor.isEmpty())
                return self->next(page->nextCursor);
            // A million leaves take about a second to compare: not on the caller's (GUI)
            // thread. The promise may finish on any thread.
            QThreadPool::globalInstance()->start([self] {
                self->finish(ImportPlan::compare(self->target, std::move(self->leaves),
                                                 self->current, self->mode));
            });
        });
    }
};

} // namespace

QString ImportPlan::summary() const
{
    QString text = QObject::tr("%n to create", nullptr, int(created.size())) +
                   QObject::tr(", %n to change", nullptr, int(changed.size()));
    if (mode == ImportMode::Replace)
        text += QObject::tr(", %n to remove", nullptr, int(removed.size()));
    return text + QObject::tr(", %n unchanged", nullptr, int(unchanged.size()));
}

ImportPlan ImportPlan::compare(const Path &target, QList<ImportLeaf> leaves,
                               const QList<Entry> &current, ImportMode mode)
{
    ImportPlan plan;
    plan.target = target;
    plan.mode = mode;
    QHash<QString, qsizetype> index; // rendered path -> position in `current`
    for (qsizetype i = 0; i < current.size(); ++i) {
        if (isUnder(target, current.at(i).path))
            index.insert(current.at(i).path.rendered(), i);
    }
    // The file's leaves by store path, the later of a duplicate winning, in file order.
    QHash<QString, qsizetype> fileIndex;
    QList<PlannedLeaf> wanted;
    wanted.reserve(leaves.size());
    fileIndex.reserve(leaves.size());
    for (ImportLeaf &leaf : leaves) {
        PlannedLeaf planned;
        planned.path = target.appended(leaf.path);
        leaf.path = Path();
        planned.value = std::exchange(leaf.value, QJsonValue());
        const QString derived = values::detectType(planned.value);
        planned.type = leaf.type.isEmpty() ? derived : std::exchange(leaf.type, QString());
        planned.typed = planned.type != derived;
        planned.line = leaf.line;
        const QString key = planned.path.rendered();
        if (const auto found = fileIndex.constFind(key); found != fileIndex.cend()) {
            wanted[*found] = std::move(planned);
        } else {
            fileIndex.insert(key, wanted.size());
            wanted.append(std::move(planned));
        }
    }
    leaves = QList<ImportLeaf>();
    for (PlannedLeaf &leaf : wanted) {
        const auto found = index.constFind(leaf.path.rendered());
        if (found == index.cend()) {
            plan.created.append(std::move(leaf));
            continue;
        }
        const Entry &entry = current.at(*found);
        leaf.revision = entry.revision;
        leaf.current = entry.value;
        leaf.currentType = entry.type;
        if (entry.value == leaf.value && entry.type == leaf.type)
            plan.unchanged.append(std::move(leaf));
        else
            plan.changed.append(std::move(leaf));
    }
    if (mode == ImportMode::Replace) {
        for (const Entry &entry : current) {
            if (!isUnder(target, entry.path) || fileIndex.contains(entry.path.rendered()))
                continue;
            PlannedLeaf leaf;
            leaf.path = entry.path;
            leaf.revision = entry.revision;
            leaf.current = entry.value;
            leaf.currentType = entry.type;
            leaf.type = entry.type;
            plan.removed.append(std::move(leaf));
        }
    }
    return plan;
}

QFuture<Result<ImportPlan>> ImportPlan::build(Transport *transport, const QString &store,
                                              const Path &target, QList<ImportLeaf> leaves,
                                              ImportMode mode, QObject *context)
{
    if (!target.isValid()) {
        for (const ImportLeaf &leaf : leaves) {
            if (!leaf.path.isValid())
                return Transport::failed<ImportPlan>(Error::invalidParams(
                    QObject::tr("the file holds a single value, not a folder: choose the path "
                                "to write it to")));
        }
    }
    auto lister = std::make_shared<Lister>();
    lister->transport = transport;
    lister->store = store;
    lister->target = target;
    lister->leaves = std::move(leaves);
    lister->mode = mode;
    lister->context = context;
    lister->promise.start();
    QFuture<Result<ImportPlan>> future = lister->promise.future();
    lister->next({});
    return future;
}

} // namespace dust
