#include "edit/SubtreeListing.h"

#include "protocol/Listing.h"

#include <QCoreApplication>
#include <QPointer>
#include <QPromise>

#include <algorithm>
#include <memory>

namespace dust {

namespace {

struct ListState
{
    QPointer<Transport> transport;
    QString store;
    QList<Path> nodes; // still to list, front first
    QList<Entry> leaves;
    qint64 maxLeaves = 0;
    QString after;
    QPromise<Result<QList<Entry>>> promise;
};

void finish(const std::shared_ptr<ListState> &state, Result<QList<Entry>> result)
{
    state->promise.addResult(std::move(result));
    state->promise.finish();
}

void nextPage(const std::shared_ptr<ListState> &state)
{
    if (state->nodes.isEmpty())
        return finish(state, std::move(state->leaves));
    if (!state->transport)
        return finish(state, Result<QList<Entry>>::failure(Error(Error::Kind::Cancelled)));
    const Path node = state->nodes.first();
    auto upper = Path::parse(QString(node.rendered() + QLatin1Char('0')));
    if (!upper)
        return finish(state,
                      Result<QList<Entry>>::failure(Error::protocol(
                          QStringLiteral("cannot bound a listing after %1").arg(node.rendered()))));
    ListQuery query;
    query.from = node;
    query.to = std::move(upper).value();
    query.limit = kMaxListLimit;
    query.after = state->after;
    state->transport->list(state->store, query)
        .then(state->transport.data(),
              [state, node](const Result<ListPage> &page) {
                  if (!page)
                      return finish(state, Result<QList<Entry>>::failure(page.error()));
                  for (const Entry &entry : page->entries) {
                      if (entry.path == node || node.isAncestorOf(entry.path))
                          state->leaves.append(entry);
                  }
                  if (state->maxLeaves > 0 && state->leaves.size() > state->maxLeaves)
                      return finish(state,
                                    Result<QList<Entry>>::failure(Error::invalidParams(
                                        QCoreApplication::translate("dust::SubtreeListing",
                                                                    "more than %1 leaves under %2")
                                            .arg(state->maxLeaves)
                                            .arg(node.rendered()))));
                  if (page->nextCursor.isEmpty()) {
                      state->nodes.removeFirst();
                      state->after.clear();
                  } else {
                      state->after = page->nextCursor;
                  }
                  nextPage(state);
              })
        .onCanceled(state->transport.data(), [state] {
            finish(state, Result<QList<Entry>>::failure(Error(Error::Kind::Cancelled)));
        });
}

} // namespace

QList<Path> SubtreeListing::topmost(QList<Path> nodes)
{
    std::sort(nodes.begin(), nodes.end());
    QList<Path> kept;
    for (const Path &node : std::as_const(nodes)) {
        if (!node.isValid())
            continue;
        const bool covered = std::any_of(kept.cbegin(), kept.cend(), [&node](const Path &top) {
            return top.isSelfOrAncestorOf(node);
        });
        if (!covered)
            kept.append(node);
    }
    return kept;
}

QFuture<Result<QList<Entry>>> SubtreeListing::list(Transport *transport, const QString &store,
                                                   const Path &node, qint64 maxLeaves)
{
    return listAll(transport, store, {node}, maxLeaves);
}

QFuture<Result<QList<Entry>>> SubtreeListing::listAll(Transport *transport, const QString &store,
                                                      const QList<Path> &nodes, qint64 maxLeaves)
{
    auto state = std::make_shared<ListState>();
    state->transport = transport;
    state->store = store;
    state->nodes = topmost(nodes);
    state->maxLeaves = maxLeaves;
    state->promise.start();
    QFuture<Result<QList<Entry>>> future = state->promise.future();
    nextPage(state);
    return future;
}

} // namespace dust
