#pragma once

#include "protocol/Error.h"
#include "protocol/Expected.h"
#include "protocol/Path.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

namespace dust {

class Transport;
struct ListPage;

// One child of a folder, as a listing found it.
struct ListedChild
{
    QString name;          // the raw segment
    bool hasValue = false; // listed with its value (it may have descendants too)
    QString type;
    QString preview; // at most tree::kPreviewChars characters
    qint64 revision = 0;
};

// Loads a store tree lazily over REST for StoreTreeModel: lists the children of one folder
// at a time in pages through a Transport and reports "children listed under X", then
// "listing X finished" or "listing X failed". A listing asks for the children with values
// first (select=entries on `<base>/*`), then for every child (select=prefixes on
// `<base>/**`, de-duplicated across pages, since the server repeats a prefix on every page
// it reads below it). With skipListedSubtrees() (the default) a prefixes page continues
// after the subtree of the last child it listed instead of paging through that child's
// descendants; a server that refuses such a cursor gets its own cursor from then on.
//
// It also looks whether values have descendants (probe(): one key listed below them), at
// most four at a time, the most recently asked first.
//
// Listings are the caller's tickets; the next page of one is asked for only after the
// previous page was reported, and not at all once the listing is cancelled (a receiver
// may cancel from within a report). While held, answers wait and are reported in order
// once released. Lives on one thread; every call must be made there.
class LazyTreeLoader : public QObject
{
    Q_OBJECT
public:
    explicit LazyTreeLoader(QObject *parent = nullptr);
    ~LazyTreeLoader() override;

    // Lists from `store` ("org/name") through `transport` (not owned; it must stay on this
    // thread). Drops every listing and probe of the previous source.
    void setSource(Transport *transport, const QString &store);
    // Items asked per listing page (1..1000, default 1000).
    void setPageLimit(int limit);
    int pageLimit() const { return m_pageLimit; }
    void setSkipListedSubtrees(bool on) { m_skipSubtrees = on; }
    bool skipsListedSubtrees() const { return m_skipSubtrees; }
    // REST requests started so far (listings and probes).
    int requestCount() const { return m_requestCount; }

    // Starts listing the children of `base` (the invalid path: the root) as `ticket`.
    // Without a transport the listing fails at once.
    void list(quint32 ticket, const Path &base);
    // Stops listing `ticket`: nothing more of it is asked for or reported.
    void cancel(quint32 ticket);
    // Looks whether `renderedPath` has descendants; probed() answers.
    void probe(const QString &renderedPath);
    // Forgets the probes not started yet.
    void clearProbes() { m_probeQueue.clear(); }

    void setHeld(bool held);

signals:
    // One page of children under `base` (possibly none).
    void childrenListed(quint32 ticket, const dust::Path &base,
                        const QList<dust::ListedChild> &children);
    // The server read below the child `name` of `base`: that child has descendants.
    void childHasDescendants(quint32 ticket, const dust::Path &base, const QString &name);
    void listingFinished(quint32 ticket, const dust::Path &base);
    void listingFailed(quint32 ticket, const dust::Path &base, const dust::Error &error);
    // Whether `renderedPath` has descendants (false when the look failed).
    void probed(const QString &renderedPath, bool hasDescendants);

private:
    struct Listing;

    void requestPage(const std::shared_ptr<Listing> &listing);
    void onPage(quint32 ticket, const Expected<ListPage, Error> &result);
    QList<ListedChild> childrenOf(Listing &listing, const ListPage &page) const;
    // Continues `listing` after `page`, which was not its last.
    void advance(Listing &listing, const ListPage &page);
    void runProbes();
    // Runs `report` now, or once released while held.
    void deliver(std::function<void()> report);

    QPointer<Transport> m_transport;
    QString m_store;
    quint64 m_sourceGeneration = 0; // answers for an older source are dropped
    int m_pageLimit = 1000;
    bool m_skipSubtrees = true;
    int m_requestCount = 0;
    QHash<quint32, std::shared_ptr<Listing>> m_listings; // by ticket
    QStringList m_probeQueue;
    QTimer m_probeTimer;
    int m_probesInFlight = 0;
    bool m_held = false;
    std::deque<std::function<void()>> m_heldReports;
};

} // namespace dust
