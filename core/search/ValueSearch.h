#pragma once

#include "LeafSlice.h"
#include "SearchQuery.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace dust {

class MirrorChangeBatch;
class SdkTransport;
class SearchResultsModel;
struct SliceMatches;

// A search inside the values of one store's live mirror (SdkTransport), its results going
// into a SearchResultsModel (not owned; it must outlive the search).
//
// The scan reads the mirror in slices on the sync thread (LeafSlice: a few tens of
// thousands of leaves copied out per withMirror() call, resuming after the last path read;
// about 16 slices for a big store), and matches each slice on a pool thread of its own
// (ValueMatcher over the JSON bytes) while the next one is read; at most two slices wait
// to be matched. Hits go into the model one batch per 8,192 leaves matched, in path order,
// at most model->maxRows() listed (the rest are counted).
//
// Each read starts right after the last path read and stops when its slice is full
// (Mirror::forEachLeafFrom, through LeafSlice), so it costs only its own leaves.
//
// The results stay current: the leaf changes of every applied event of the store (the
// transport's storeChanged()) are read again from the mirror and matched, a listed path's
// row is updated or removed, and a leaf that newly matches in the scope is added (a few
// tens of milliseconds after the event, batched). A reset of the store (storeReset())
// runs the search again.
//
// Without a live transport (a store open over REST only) nothing can be searched: start()
// says so. Everything runs on the GUI thread but the reads (sync thread) and the matching
// (the search's own pool thread).
class ValueSearch : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Running, Finished, Cancelled, Failed };
    Q_ENUM(State)

    explicit ValueSearch(SearchResultsModel *model, QObject *parent = nullptr);
    ~ValueSearch() override;

    SearchResultsModel *model() const { return m_model; }

    // The store searched; a null transport (REST only) makes search unavailable. Cancels a
    // running search and clears the results.
    void setSource(SdkTransport *transport, const QString &store);
    bool isAvailable() const { return !m_transport.isNull(); }
    const QString &store() const { return m_store; }

    // Starts a search (cancelling a running one and clearing the results). False, with the
    // reason in errorString(), when the query is not valid (regular expression, glob) or the
    // store has no live mirror.
    bool start(const SearchQuery &query);
    // Stops the scan; what was found stays listed (and kept current).
    void cancel();

    bool isRunning() const { return m_scanning; }
    // Idle before the first search (and after setSource()); then how the last scan ended.
    State state() const { return m_state; }
    const SearchQuery &query() const { return m_query; }
    QString errorString() const { return m_error; }
    // Values of the scope searched so far, the matches among them (listed or not), the time
    // the scan has taken (until now while it runs).
    qint64 valuesSearched() const { return m_searched; }
    qint64 matchCount() const;
    qint64 elapsedMs() const;

    // Leaves visited per slice read (0: chosen from the store's size: at least 32,768, about
    // a sixteenth of the store). A slice's hits are shown every 8,192 leaves matched.
    void setSliceBudget(qsizetype leaves) { m_sliceBudget = leaves; }
    // How long live changes are gathered before they are read again (default 30 ms).
    void setRecheckDelay(int ms) { m_recheckTimer.setInterval(ms); }

signals:
    void started();
    // After each batch of the scan, and after live changes changed the results.
    void progress(qint64 valuesSearched, qint64 matches);
    void finished();
    void cancelled();
    // The store could not be read (the transport closed, the store refused …).
    void failed(const QString &reason);

private:
    struct Run;
    void readNext();
    void onRead(const std::shared_ptr<Run> &run, const std::shared_ptr<const LeafSlice> &slice,
                bool recheck);
    void onMatched(const std::shared_ptr<Run> &run, SliceMatches &matches);
    void onStoreChanged(const QString &store, const MirrorChangeBatch &batch);
    void onStoreReset(const QString &store);
    void recheck();
    void fail(const QString &reason);
    void stopScan(State state);

    SearchResultsModel *m_model;
    QPointer<SdkTransport> m_transport;
    QString m_store;
    QList<QMetaObject::Connection> m_connections;

    SearchQuery m_query;
    SliceRequest m_request;
    std::shared_ptr<Run> m_run; // the current search; null before the first
    bool m_scanning = false;
    State m_state = State::Idle;
    bool m_readPending = false;
    bool m_more = false;
    int m_matchPending = 0;
    QByteArray m_after;
    qsizetype m_sliceBudget = 0;

    qint64 m_searched = 0;
    qint64 m_unlisted = 0; // matches not listed (maxRows)
    QElapsedTimer m_clock;
    qint64 m_elapsedMs = 0;
    QString m_error;

    QSet<QByteArray> m_changed; // paths changed since the last re-check
    QTimer m_recheckTimer;

    QThreadPool m_pool; // one thread: slices are matched in the order they were read
};

} // namespace dust
