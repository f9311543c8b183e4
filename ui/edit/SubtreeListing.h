#pragma once

#include "protocol/Entry.h"
#include "protocol/Path.h"
#include "transport/Transport.h"

#include <QFuture>
#include <QList>
#include <QString>

namespace dust {

// Every leaf at or under a node, read over a Transport with paged range listings.
//
// A `node/**` pattern lists descendants only and an exact pattern lists nothing
// (dust-protocol.md §4.3), so this lists the range [r, r + "0") of rendered paths: '0' is the
// byte right after '/', so the leaf at r and every r/… lie in it. Siblings such as "r-x" can
// lie in it too and are dropped. Entries come back in the server's byte order of rendered
// paths, so a node always comes before its descendants.
class SubtreeListing
{
public:
    // At most `maxLeaves` leaves are collected (0 = no limit); more fail with InvalidParams
    // saying how many there were at least, so a caller can refuse before reading a million.
    static QFuture<Result<QList<Entry>>> list(Transport *transport, const QString &store,
                                              const Path &node, qint64 maxLeaves = 0);
    // The leaves at or under any of `nodes`, each listed once (a node under another selected
    // node is listed with it), in path order.
    static QFuture<Result<QList<Entry>>> listAll(Transport *transport, const QString &store,
                                                 const QList<Path> &nodes, qint64 maxLeaves = 0);
    // `nodes` without those that lie under another of them, and without duplicates.
    static QList<Path> topmost(QList<Path> nodes);
};

} // namespace dust
