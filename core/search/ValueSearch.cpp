#include "ValueSearch.h"

#include "SearchResultsModel.h"
#include "ValueMatcher.h"
#include "sync/MirrorChangeBatch.h"
#include "transport/SdkTransport.h"

#include <QCoreApplication>

#include <algorithm>
#include <atomic>

namespace dust {

namespace {

constexpr size_t kMatchChunk = 8192; // leaves matched before their hits are shown
constexpr int kMaxWaitingSlices = 2; // read but not yet matched
constexpr int kDefaultRecheckDelayMs = 30;

QString words(const char *text)
{
    return QCoreApplication::translate("dust::ValueSearch", text);
}

} // namespace

// One search: its matcher and whether its scan was cancelled, shared with the pool thread.
struct ValueSearch::Run
{
    explicit Run(ValueMatcher m, qsizetype hits)
        : matcher(std::move(m))
        , hitBudget(hits)
    {}
    ValueMatcher matcher;    // used on the pool thread only
    qsizetype hitBudget = 0; // scan hits still to describe (pool thread only)
    std::atomic_bool scanCancelled{false};
    std::atomic_bool closed{false}; // the search was replaced or its owner is going away
};

// What matching one slice found.
struct SliceMatches
{
    QList<SearchHit> hits;
    qint64 matches = 0; // all matches, described in hits or not
    qint64 inScope = 0;
    bool recheck = false;
    bool endOfSlice = true;    // the last chunk of its slice
    QList<QByteArray> checked; // a re-check: the paths read again
};

namespace {

// Matches the leaves [from, to) of a slice.
SliceMatches matchSlice(ValueMatcher &matcher, qsizetype &hitBudget, const LeafSlice &slice,
                        size_t from, size_t to, bool recheck, const std::atomic_bool &stop)
{
    SliceMatches out;
    out.recheck = recheck;
    out.inScope = qint64(to - from); // a scan's slice holds only leaves of the scope
    out.endOfSlice = to == slice.leaves().size();
    if (recheck)
        out.checked = slice.checked();
    for (size_t i = from; i < to; ++i) {
        const LeafSlice::Leaf &leaf = slice.leaves()[i];
        if (stop.load(std::memory_order_relaxed))
            break;
        const std::string_view value = slice.value(leaf);
        if (!matcher.matches(value))
            continue;
        ++out.matches;
        if (!recheck) {
            if (hitBudget <= 0)
                continue;
            --hitBudget;
        }
        const std::string_view path = slice.path(leaf);
        out.hits.append(SearchHit{QByteArray(path.data(), qsizetype(path.size())), slice.type(leaf),
                                  leaf.revision, matcher.excerpt(value)});
    }
    return out;
}

} // namespace

ValueSearch::ValueSearch(SearchResultsModel *model, QObject *parent)
    : QObject(parent)
    , m_model(model)
{
    m_pool.setMaxThreadCount(1);
    m_pool.setObjectName(QStringLiteral("ValueSearch"));
    m_recheckTimer.setSingleShot(true);
    m_recheckTimer.setInterval(kDefaultRecheckDelayMs);
    connect(&m_recheckTimer, &QTimer::timeout, this, &ValueSearch::recheck);
}

ValueSearch::~ValueSearch()
{
    if (m_run) {
        m_run->scanCancelled = true;
        m_run->closed = true;
    }
    m_pool.waitForDone();
}

void ValueSearch::setSource(SdkTransport *transport, const QString &store)
{
    if (transport == m_transport && store == m_store)
        return;
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    if (m_run) {
        m_run->scanCancelled = true;
        m_run->closed = true;
    }
    m_run.reset();
    m_scanning = false;
    m_state = State::Idle;
    m_changed.clear();
    m_recheckTimer.stop();
    m_searched = 0;
    m_unlisted = 0;
    m_elapsedMs = 0;
    m_model->clear();
    m_transport = transport;
    m_store = store;
    if (transport) {
        m_connections = {
            connect(transport, &SdkTransport::storeChanged, this, &ValueSearch::onStoreChanged),
            connect(transport, &SdkTransport::storeReset, this, &ValueSearch::onStoreReset),
        };
    }
}

qint64 ValueSearch::matchCount() const
{
    return m_model->rowCount() + m_unlisted;
}

qint64 ValueSearch::elapsedMs() const
{
    return m_scanning ? m_clock.elapsed() : m_elapsedMs;
}

bool ValueSearch::start(const SearchQuery &query)
{
    m_error.clear();
    if (!m_transport) {
        m_error = words("Searching inside values needs the live mirror of the store, and this "
                        "store is open over REST only. Open it with a realtime (WebSocket) "
                        "connection to search its values.");
        return false;
    }
    auto matcher = ValueMatcher::compile(query);
    if (!matcher) {
        m_error = matcher.error();
        return false;
    }
    SliceRequest request;
    if (!SliceRequest::forQuery(query, request, m_error))
        return false;

    if (m_run) {
        m_run->scanCancelled = true;
        m_run->closed = true;
    }
    m_query = query;
    m_request = request;
    m_run = std::make_shared<Run>(std::move(matcher).value(), m_model->maxRows());
    m_scanning = true;
    m_state = State::Running;
    m_readPending = false;
    m_more = true;
    m_matchPending = 0;
    m_after.clear();
    m_searched = 0;
    m_unlisted = 0;
    m_elapsedMs = 0;
    m_changed.clear();
    m_recheckTimer.stop();
    m_model->clear();
    m_clock.start();
    emit started();
    readNext();
    return true;
}

void ValueSearch::cancel()
{
    if (!m_scanning)
        return;
    m_run->scanCancelled = true;
    stopScan(State::Cancelled);
    emit cancelled();
}

void ValueSearch::stopScan(State state)
{
    m_scanning = false;
    m_state = state;
    m_elapsedMs = m_clock.elapsed();
}

void ValueSearch::fail(const QString &reason)
{
    m_error = reason;
    if (m_run)
        m_run->scanCancelled = true;
    stopScan(State::Failed);
    emit failed(reason);
}

void ValueSearch::readNext()
{
    if (!m_scanning || !m_more || m_readPending || m_matchPending >= kMaxWaitingSlices ||
        !m_transport)
        return;
    SliceRequest request = m_request;
    request.after = m_after;
    request.budget = m_sliceBudget;
    m_readPending = true;
    const std::shared_ptr<Run> run = m_run;
    m_transport
        ->withMirror(m_store,
                     [request](const Mirror &mirror) {
                         return std::make_shared<const LeafSlice>(LeafSlice::read(mirror, request));
                     })
        .then(this, [this, run](const Result<std::shared_ptr<const LeafSlice>> &slice) {
            if (run != m_run || !m_scanning)
                return;
            m_readPending = false;
            if (!slice) {
                fail(words("The search could not read the store: %1").arg(slice.error().message()));
                return;
            }
            onRead(run, slice.value(), false);
        });
}

void ValueSearch::onRead(const std::shared_ptr<Run> &run,
                         const std::shared_ptr<const LeafSlice> &slice, bool recheck)
{
    if (!recheck) {
        m_after = slice->last();
        m_more = slice->hasMore();
        ++m_matchPending;
    }
    m_pool.start([this, run, slice, recheck] {
        if (run->closed)
            return;
        const std::atomic_bool &stop = recheck ? run->closed : run->scanCancelled;
        // A scan's slice is matched and shown in chunks, so the first hits show at once.
        const size_t count = slice->leaves().size();
        size_t from = 0;
        do {
            const size_t to = recheck ? count : std::min(count, from + kMatchChunk);
            SliceMatches matches =
                matchSlice(run->matcher, run->hitBudget, *slice, from, to, recheck, stop);
            // Queued to this object: the destructor waits for the pool, so it is alive here.
            QMetaObject::invokeMethod(
                this,
                [this, run, matches = std::move(matches)]() mutable { onMatched(run, matches); },
                Qt::QueuedConnection);
            from = to;
        } while (from < count && !stop.load(std::memory_order_relaxed));
    });
    readNext();
}

void ValueSearch::onMatched(const std::shared_ptr<Run> &run, SliceMatches &matches)
{
    if (run != m_run)
        return;
    if (matches.recheck) {
        QSet<QByteArray> found;
        for (const SearchHit &hit : std::as_const(matches.hits))
            found.insert(hit.path);
        QList<QByteArray> gone;
        for (const QByteArray &path : std::as_const(matches.checked))
            if (!found.contains(path))
                gone.append(path);
        m_model->remove(gone);
        m_unlisted += m_model->upsert(std::move(matches.hits));
        emit progress(m_searched, matchCount());
        return;
    }
    if (matches.endOfSlice)
        --m_matchPending;
    if (!m_scanning)
        return;
    m_searched += matches.inScope;
    m_unlisted += matches.matches - matches.hits.size();
    m_unlisted += m_model->upsert(std::move(matches.hits));
    emit progress(m_searched, matchCount());
    if (!matches.endOfSlice)
        return;
    if (!m_more && !m_readPending && m_matchPending == 0) {
        stopScan(State::Finished);
        emit finished();
        return;
    }
    readNext();
}

void ValueSearch::onStoreChanged(const QString &store, const MirrorChangeBatch &batch)
{
    if (store != m_store || !m_run)
        return;
    for (const MirrorLeafChange &change : batch.changes())
        m_changed.insert(change.path.rendered().toUtf8());
    if (!m_changed.isEmpty() && !m_recheckTimer.isActive())
        m_recheckTimer.start();
}

void ValueSearch::onStoreReset(const QString &store)
{
    if (store != m_store || !m_run)
        return;
    // The whole state was replaced: what was found may be gone. Search again.
    start(m_query);
}

void ValueSearch::recheck()
{
    if (!m_run || !m_transport || m_changed.isEmpty())
        return;
    SliceRequest request = m_request;
    request.paths = QList<QByteArray>(m_changed.begin(), m_changed.end());
    std::sort(request.paths.begin(), request.paths.end());
    m_changed.clear();
    const std::shared_ptr<Run> run = m_run;
    m_transport
        ->withMirror(m_store,
                     [request](const Mirror &mirror) {
                         return std::make_shared<const LeafSlice>(LeafSlice::read(mirror, request));
                     })
        .then(this, [this, run](const Result<std::shared_ptr<const LeafSlice>> &slice) {
            if (run != m_run || !slice)
                return;
            onRead(run, slice.value(), true);
        });
}

} // namespace dust
