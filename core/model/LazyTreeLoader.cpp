#include "LazyTreeLoader.h"

#include "StoreTreeNode.h"
#include "protocol/Values.h"
#include "transport/Transport.h"

#include <QSet>

#include <algorithm>

namespace dust {

namespace {

constexpr int kMaxProbesInFlight = 4;

} // namespace

struct LazyTreeLoader::Listing
{
    enum class Phase { Entries, Prefixes };

    quint32 ticket = 0;
    Path base; // invalid for the root
    Phase phase = Phase::Entries;
    QString cursor;        // sent as `after`
    QString serverCursor;  // the server's own cursor of the last page
    QSet<QString> seen;    // prefixes listed so far: the server repeats them across pages
    bool skip = true;      // may continue after a listed child's subtree
    bool skipUsed = false; // the request in flight continues after such a subtree

    // Whether `p` is a child of the listed folder.
    bool holdsChild(const Path &p) const
    {
        return p.depth() == base.depth() + 1 && (!base.isValid() || base.isAncestorOf(p));
    }
};

LazyTreeLoader::LazyTreeLoader(QObject *parent)
    : QObject(parent)
    , m_probeTimer(this)
{
    m_probeTimer.setSingleShot(true);
    m_probeTimer.setInterval(0);
    connect(&m_probeTimer, &QTimer::timeout, this, &LazyTreeLoader::runProbes);
}

LazyTreeLoader::~LazyTreeLoader() = default;

void LazyTreeLoader::setSource(Transport *transport, const QString &store)
{
    ++m_sourceGeneration;
    m_transport = transport;
    m_store = store;
    m_listings.clear();
    m_probeQueue.clear();
    m_probesInFlight = 0;
    m_heldReports.clear();
}

void LazyTreeLoader::setPageLimit(int limit)
{
    m_pageLimit = std::clamp(limit, 1, 1000);
}

void LazyTreeLoader::list(quint32 ticket, const Path &base)
{
    auto listing = std::make_shared<Listing>();
    listing->ticket = ticket;
    listing->base = base;
    listing->skip = m_skipSubtrees;
    m_listings.insert(ticket, listing);
    requestPage(listing);
}

void LazyTreeLoader::cancel(quint32 ticket)
{
    m_listings.remove(ticket);
}

void LazyTreeLoader::setHeld(bool held)
{
    m_held = held;
    while (!m_held && !m_heldReports.empty()) {
        const std::function<void()> report = std::move(m_heldReports.front());
        m_heldReports.pop_front();
        report();
    }
}

void LazyTreeLoader::deliver(std::function<void()> report)
{
    if (m_held)
        m_heldReports.push_back(std::move(report));
    else
        report();
}

void LazyTreeLoader::requestPage(const std::shared_ptr<Listing> &listing)
{
    const quint32 ticket = listing->ticket;
    if (!m_transport) {
        const auto failure = Expected<ListPage, Error>::failure(
            Error::notSupported(tr("no connection to list the store with")));
        deliver([this, ticket, failure] { onPage(ticket, failure); });
        return;
    }
    ListQuery query;
    query.limit = m_pageLimit;
    query.after = listing->cursor;
    const QString base =
        listing->base.isValid() ? listing->base.rendered() + QLatin1Char('/') : QString();
    if (listing->phase == Listing::Phase::Entries) {
        query.select = ListQuery::Select::Entries;
        query.pattern = base + QLatin1Char('*');
    } else {
        query.select = ListQuery::Select::Prefixes;
        query.pattern = base + QStringLiteral("**");
    }
    ++m_requestCount;
    const quint64 generation = m_sourceGeneration;
    auto answer = [this, ticket, generation](const Result<ListPage> &result) {
        if (generation == m_sourceGeneration)
            deliver([this, ticket, result] { onPage(ticket, result); });
    };
    m_transport->list(m_store, query).then(this, answer).onCanceled(this, [answer] {
        answer(Result<ListPage>::failure(
            Error(Error::Kind::Cancelled, tr("the listing was cancelled"))));
    });
}

void LazyTreeLoader::onPage(quint32 ticket, const Result<ListPage> &result)
{
    const std::shared_ptr<Listing> listing = m_listings.value(ticket);
    if (!listing)
        return; // cancelled
    if (!result) {
        if (listing->skipUsed && result.error().kind() == Error::Kind::InvalidParams) {
            // The server does not take a cursor it did not make: page the plain way.
            listing->skip = false;
            listing->skipUsed = false;
            m_skipSubtrees = false;
            listing->cursor = listing->serverCursor;
            requestPage(listing);
            return;
        }
        m_listings.remove(ticket);
        emit listingFailed(ticket, listing->base, result.error());
        return;
    }
    const ListPage &page = result.value();
    emit childrenListed(ticket, listing->base, childrenOf(*listing, page));
    if (!m_listings.contains(ticket))
        return; // cancelled by the report's receiver
    if (page.nextCursor.isEmpty()) {
        if (listing->phase == Listing::Phase::Prefixes) {
            m_listings.remove(ticket);
            emit listingFinished(ticket, listing->base);
            return;
        }
        listing->phase = Listing::Phase::Prefixes;
        listing->cursor.clear();
        listing->serverCursor.clear();
        listing->skipUsed = false;
        requestPage(listing);
        return;
    }
    advance(*listing, page);
    if (m_listings.contains(ticket))
        requestPage(listing);
}

QList<ListedChild> LazyTreeLoader::childrenOf(Listing &listing, const ListPage &page) const
{
    QList<ListedChild> children;
    if (listing.phase == Listing::Phase::Entries) {
        for (const Entry &e : page.entries) {
            if (!listing.holdsChild(e.path))
                continue;
            children.append(ListedChild{e.path.lastSegment(), true, e.type,
                                        values::preview(e.value, tree::kPreviewChars), e.revision});
        }
        return children;
    }
    for (const QString &rendered : page.paths) {
        if (listing.seen.contains(rendered))
            continue;
        listing.seen.insert(rendered);
        const auto parsed = Path::parse(rendered);
        if (parsed && listing.holdsChild(*parsed)) {
            ListedChild child;
            child.name = parsed->lastSegment();
            children.append(std::move(child));
        }
    }
    return children;
}

void LazyTreeLoader::advance(Listing &listing, const ListPage &page)
{
    listing.cursor = page.nextCursor;
    listing.serverCursor = page.nextCursor;
    listing.skipUsed = false;
    if (listing.phase != Listing::Phase::Prefixes)
        return;
    // The server's cursor is the last entry it read: below a child, it shows that child
    // has descendants.
    const qsizetype baseDepth = listing.base.depth();
    const auto last = Path::parse(page.nextCursor);
    if (last && last->depth() > baseDepth + 1 &&
        (baseDepth == 0 || listing.base.isAncestorOf(*last))) {
        const quint32 ticket = listing.ticket;
        emit childHasDescendants(ticket, listing.base, last->segments().at(baseDepth));
        if (!m_listings.contains(ticket))
            return;
    }
    if (listing.skip && !page.paths.isEmpty()) {
        // Continue after everything under the last child listed instead of paging through
        // its descendants (a cursor is compared as a string by the server).
        const QString skip = page.paths.last() + QLatin1Char('/') + QChar(0xdbff) + QChar(0xdfff) +
                             QChar(0xdbff) + QChar(0xdfff);
        if (listing.cursor.toUtf8() < skip.toUtf8()) {
            listing.cursor = skip;
            listing.skipUsed = true;
        }
    }
}

void LazyTreeLoader::probe(const QString &renderedPath)
{
    m_probeQueue.append(renderedPath);
    if (!m_probeTimer.isActive())
        m_probeTimer.start();
}

void LazyTreeLoader::runProbes()
{
    while (m_probesInFlight < kMaxProbesInFlight && !m_probeQueue.isEmpty() && m_transport) {
        // Most recently asked first.
        const QString rendered = m_probeQueue.takeLast();
        ListQuery query;
        query.pattern = rendered + QStringLiteral("/**");
        query.limit = 1;
        query.select = ListQuery::Select::Keys;
        ++m_probesInFlight;
        ++m_requestCount;
        const quint64 generation = m_sourceGeneration;
        auto answer = [this, rendered, generation](bool hasDescendants) {
            if (generation != m_sourceGeneration)
                return;
            --m_probesInFlight;
            deliver([this, rendered, hasDescendants] { emit probed(rendered, hasDescendants); });
            runProbes();
        };
        m_transport->list(m_store, query)
            .then(this,
                  [answer](const Result<ListPage> &result) {
                      answer(result && !(result->paths.isEmpty() && result->entries.isEmpty()));
                  })
            .onCanceled(this, [answer] { answer(false); });
    }
}

} // namespace dust
