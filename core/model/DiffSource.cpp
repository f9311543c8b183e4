#include "model/DiffSource.h"

#include "model/NullSideResolver.h"

#include <QCoreApplication>

#include <algorithm>

namespace dust {

namespace {
QString trText(const char *text)
{
    return QCoreApplication::translate("dust::DiffSource", text);
}
} // namespace

DiffSource::DiffSource(Transport *rest, Transport *live, QString store)
    : m_rest(rest)
    , m_live(live)
    , m_store(std::move(store))
{}

bool DiffSource::inScope(const Path &node, const QString &leaf)
{
    if (!node.isValid())
        return true;
    const QString &root = node.rendered();
    return leaf == root || leaf.startsWith(node.descendantPrefix());
}

void DiffSource::currentSeq(QObject *context,
                            std::function<void(const Result<qint64> &)> done) const
{
    const auto fromLog = [rest = m_rest, store = m_store, context, done]() {
        if (!rest) {
            done(Result<qint64>::failure(
                Error::notSupported(trText("The connection to the store was closed."))));
            return;
        }
        AuditQuery query;
        query.limit = 1;
        rest->auditLog(store, query).then(context, [done](const Result<AuditPage> &page) {
            if (!page)
                return done(Result<qint64>::failure(page.error()));
            if (page->ops.isEmpty())
                return done(Result<qint64>::failure(Error::notSupported(
                    trText("The store's seq is not known over REST: its op log is empty. Open "
                           "the store live (WebSocket) to see it."))));
            done(Result<qint64>(page->ops.first().storeSeq));
        });
    };
    if (!m_live)
        return fromLog();
    m_live->status(m_store).then(context, [done, fromLog](const Result<StoreStatus> &status) {
        if (status)
            return done(Result<qint64>(status->currentSeq));
        fromLog();
    });
}

void DiffSource::diff(qint64 fromSeq, qint64 toSeq, const Path &node, QObject *context,
                      std::function<void(const Result<QList<DiffChange>> &)> done) const
{
    if (!m_rest) {
        done(Result<QList<DiffChange>>::failure(
            Error::notSupported(trText("The connection to the store was closed."))));
        return;
    }
    m_rest->diff(m_store, fromSeq, toSeq)
        .then(context, [rest = m_rest, store = m_store, fromSeq, toSeq, node, context,
                        done](const Result<QList<DiffChange>> &changes) {
            if (!changes)
                return done(changes);
            QList<DiffChange> kept;
            for (const DiffChange &change : *changes) {
                if (inScope(node, change.path))
                    kept.append(change);
            }
            std::sort(kept.begin(), kept.end(),
                      [](const DiffChange &a, const DiffChange &b) { return a.path < b.path; });
            // Null on the wire is "no leaf" or a leaf holding null: the log tells which.
            auto *resolver = new NullSideResolver(rest, store, context);
            resolver->resolve(fromSeq, toSeq, std::move(kept), done);
        });
}

} // namespace dust
