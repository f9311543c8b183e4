#include "exchange/RestExportReader.h"

#include "transport/Transport.h"

namespace dust {

RestExportReader::RestExportReader(Transport *transport, QString store, ExportScope scope,
                                   ListQuery::Select select, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_store(std::move(store))
    , m_scope(std::move(scope))
    , m_select(select)
{
    ListQuery base;
    base.limit = kPageSize;
    base.select = select;
    if (m_scope.isWholeStore() || m_scope.interleaves()) {
        m_steps.append(base.matching(QStringLiteral("**")));
        return;
    }
    for (const Path &path : m_scope.paths()) {
        ListQuery range = base;
        range.from = path;
        // "a/b0" is the first path after every "a/b/…" (and '0' follows '/').
        QStringList segments = path.segments();
        segments.last() += u'0';
        if (auto end = Path::fromSegments(segments))
            range.to = std::move(end).value();
        m_steps.append(range);
    }
}

void RestExportReader::start()
{
    fetch();
}

void RestExportReader::cancel()
{
    m_finished = true;
}

void RestExportReader::pageConsumed()
{
    --m_waiting;
    if (!m_fetching && !m_finished)
        fetch();
}

void RestExportReader::fetch()
{
    if (m_finished || m_fetching || m_waiting >= kWindow)
        return;
    if (m_step >= m_steps.size()) {
        if (m_waiting == 0) {
            m_finished = true;
            emit done();
        }
        return;
    }
    if (!m_transport) {
        m_finished = true;
        emit failed(Error(Error::Kind::Cancelled, tr("the connection was closed")));
        return;
    }
    ListQuery query = m_steps[m_step];
    query.after = m_cursor;
    m_fetching = true;
    m_transport->list(m_store, query).then(this, [this](const Result<ListPage> &result) {
        m_fetching = false;
        if (m_finished)
            return;
        if (!result) {
            m_finished = true;
            emit failed(result.error());
            return;
        }
        onPage(result.value());
    });
}

void RestExportReader::onPage(const ListPage &listed)
{
    if (listed.nextCursor.isEmpty()) {
        ++m_step;
        m_cursor.clear();
    } else {
        m_cursor = listed.nextCursor;
    }
    QList<Entry> entries;
    QStringList paths;
    const bool filter = !m_scope.isWholeStore();
    if (m_select == ListQuery::Select::Entries) {
        entries.reserve(listed.entries.size());
        for (const Entry &entry : listed.entries) {
            if (!filter || m_scope.contains(entry.path.rendered().toUtf8().toStdString()))
                entries.append(entry);
        }
    } else {
        for (const QString &path : listed.paths) {
            if (!filter || m_scope.contains(path.toUtf8().toStdString()))
                paths.append(path);
        }
    }
    ++m_waiting;
    fetch(); // the next page travels while this one is written
    emit page(entries, paths);
}

} // namespace dust
