#pragma once

// Shared by the StoreTreeModel suites: a reference store (a plain map of leaves) that turns
// writes into the change batches the Mirror would emit, and a naive expected tree to
// compare a model against.

#include "model/NaturalSort.h"
#include "model/StoreTreeModel.h"
#include "model/StoreTreeSnapshot.h"
#include "model/TreeFilter.h"
#include "protocol/Path.h"
#include "sync/MirrorChangeBatch.h"

#include "TestSeed.h"

#include <QAbstractItemModel>
#include <QRandomGenerator>
#include <QStringList>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

namespace dust::test {

// The names of the rows under `parent`, in row order.
inline QStringList childNames(const QAbstractItemModel &m, const QModelIndex &parent = {})
{
    QStringList out;
    for (int r = 0; r < m.rowCount(parent); ++r)
        out.append(m.index(r, 0, parent).data(StoreTreeModel::NameRole).toString());
    return out;
}

inline Path mkpath(const QStringList &segments)
{
    auto p = Path::fromSegments(segments);
    if (!p)
        qFatal("bad test segments");
    return p.value();
}

inline Path mkpath(const QString &rendered)
{
    auto p = Path::parse(rendered);
    if (!p)
        qFatal("bad test path %s", qPrintable(rendered));
    return p.value();
}

struct RefLeaf
{
    QStringList segments;
    QString type;
    QString preview;
    qint64 revision = 0;
};

// The store as a map rendered path -> leaf; every write returns the batch a Mirror would
// emit for it (each leaf at most once, Added / Updated / Removed).
class RefStore
{
public:
    std::map<QString, RefLeaf> leaves;
    qint64 seq = 0;

    MirrorChangeBatch set(const Path &path, const QString &type, const QString &preview)
    {
        ++seq;
        QList<MirrorLeafChange> changes;
        removeUnder(path, changes);
        upsert(path, type, preview, changes);
        return MirrorChangeBatch(seq, seq, changes);
    }

    // An object write: clears the path and its subtree, then writes `children` under it.
    MirrorChangeBatch setObject(const Path &path,
                                const QList<std::pair<QStringList, QString>> &children)
    {
        ++seq;
        QList<MirrorLeafChange> changes;
        std::map<QString, MirrorLeafChange> byPath;
        QList<MirrorLeafChange> removed;
        removeUnder(path, removed);
        if (leaves.count(path.rendered())) {
            leaves.erase(path.rendered());
            MirrorLeafChange c;
            c.kind = MirrorLeafChange::Kind::Removed;
            c.path = path;
            removed.append(c);
        }
        for (const auto &c : removed)
            byPath[c.path.rendered()] = c;
        for (const auto &[tail, preview] : children) {
            const Path p = mkpath(path.segments() + tail);
            const bool existedBefore = byPath.count(p.rendered()) > 0;
            QList<MirrorLeafChange> one;
            upsert(p, QStringLiteral("string"), preview, one);
            MirrorLeafChange c = one.first();
            if (existedBefore)
                c.kind = MirrorLeafChange::Kind::Updated;
            byPath[p.rendered()] = c;
        }
        for (auto &[k, c] : byPath)
            changes.append(c);
        return MirrorChangeBatch(seq, seq, changes);
    }

    // A merge (dust-protocol.md §3.4): for each top-level key, an object value clears that
    // child's subtree and is written into it; a scalar is written at the child, leaving
    // what is below it. Unmentioned children stay. `children` holds (key + optional
    // second-level key, preview).
    MirrorChangeBatch merge(const Path &path,
                            const QList<std::pair<QStringList, QString>> &children)
    {
        ++seq;
        std::map<QString, MirrorLeafChange> byPath;
        auto note = [&](const MirrorLeafChange &c) {
            auto it = byPath.find(c.path.rendered());
            if (it == byPath.end()) {
                byPath[c.path.rendered()] = c;
            } else if (c.kind == MirrorLeafChange::Kind::Removed) {
                if (it->second.kind == MirrorLeafChange::Kind::Added)
                    byPath.erase(it); // written then removed by the same op: left out
                else
                    it->second = c;
            } else {
                const MirrorLeafChange::Kind before = it->second.kind;
                it->second = c;
                it->second.kind = before == MirrorLeafChange::Kind::Added
                                      ? MirrorLeafChange::Kind::Added
                                      : MirrorLeafChange::Kind::Updated;
            }
        };
        for (const auto &[tail, preview] : children) {
            const Path child = mkpath(path.segments() + QStringList{tail.first()});
            QList<MirrorLeafChange> changes;
            if (tail.size() > 1) {
                removeUnder(child, changes);
                if (leaves.count(child.rendered())) {
                    leaves.erase(child.rendered());
                    MirrorLeafChange c;
                    c.kind = MirrorLeafChange::Kind::Removed;
                    c.path = child;
                    changes.append(c);
                }
                for (const auto &c : changes)
                    note(c);
                changes.clear();
                upsert(mkpath(child.segments() + tail.mid(1)), QStringLiteral("string"), preview,
                       changes);
            } else {
                upsert(child, QStringLiteral("integer"), preview, changes);
            }
            for (const auto &c : changes)
                note(c);
        }
        QList<MirrorLeafChange> out;
        for (auto &[k, c] : byPath)
            out.append(c);
        return MirrorChangeBatch(seq, seq, out);
    }

    MirrorChangeBatch remove(const Path &path)
    {
        ++seq;
        QList<MirrorLeafChange> changes;
        removeUnder(path, changes);
        if (leaves.count(path.rendered())) {
            leaves.erase(path.rendered());
            MirrorLeafChange c;
            c.kind = MirrorLeafChange::Kind::Removed;
            c.path = path;
            changes.append(c);
        }
        return MirrorChangeBatch(seq, seq, changes);
    }

    StoreTreeSnapshot snapshot(bool shuffled = false) const
    {
        std::vector<std::pair<QByteArray, const RefLeaf *>> order;
        for (const auto &[rendered, leaf] : leaves)
            order.emplace_back(rendered.toUtf8(), &leaf);
        // The Mirror's order: byte-wise by rendered UTF-8 path.
        std::sort(order.begin(), order.end(),
                  [](const auto &a, const auto &b) { return a.first < b.first; });
        if (shuffled) {
            QRandomGenerator rng(testSeed());
            std::shuffle(order.begin(), order.end(), rng);
        }
        StoreTreeSnapshot s;
        for (const auto &[rendered, leaf] : order)
            s.append(QByteArrayView(rendered), leaf->type, leaf->preview, leaf->revision);
        s.setSeq(seq);
        return s;
    }

private:
    void upsert(const Path &path, const QString &type, const QString &preview,
                QList<MirrorLeafChange> &changes)
    {
        const bool existed = leaves.count(path.rendered()) > 0;
        leaves[path.rendered()] = RefLeaf{path.segments(), type, preview, seq};
        MirrorLeafChange c;
        c.kind = existed ? MirrorLeafChange::Kind::Updated : MirrorLeafChange::Kind::Added;
        c.path = path;
        c.type = type;
        c.preview = preview;
        c.revision = seq;
        changes.append(c);
    }

    void removeUnder(const Path &path, QList<MirrorLeafChange> &changes)
    {
        // Descendants share the prefix "rendered/": one contiguous range of the map.
        const QString prefix = path.descendantPrefix();
        for (auto it = leaves.lower_bound(prefix);
             it != leaves.end() && it->first.startsWith(prefix);) {
            MirrorLeafChange c;
            c.kind = MirrorLeafChange::Kind::Removed;
            c.path = mkpath(it->second.segments);
            changes.append(c);
            it = leaves.erase(it);
        }
    }
};

// The tree a model should show, built the obvious way from the leaves.
struct ExpNode
{
    QString name;
    bool hasValue = false;
    QString type;
    QString preview;
    qint64 revision = 0;
    std::map<QString, std::unique_ptr<ExpNode>> kids;

    std::vector<const ExpNode *> sortedKids() const
    {
        std::vector<const ExpNode *> out;
        for (const auto &[k, n] : kids)
            out.push_back(n.get());
        std::sort(out.begin(), out.end(),
                  [](const ExpNode *a, const ExpNode *b) { return naturalLess(a->name, b->name); });
        return out;
    }
};

inline std::unique_ptr<ExpNode> expectedTree(const RefStore &store)
{
    auto root = std::make_unique<ExpNode>();
    for (const auto &[k, leaf] : store.leaves) {
        ExpNode *n = root.get();
        for (const QString &s : leaf.segments) {
            auto &slot = n->kids[s];
            if (!slot) {
                slot = std::make_unique<ExpNode>();
                slot->name = s;
            }
            n = slot.get();
        }
        n->hasValue = true;
        n->type = leaf.type;
        n->preview = leaf.preview;
        n->revision = leaf.revision;
    }
    return root;
}

// Keeps what `filter` shows: nodes that match and their ancestors. Returns false when
// nothing in `node`'s subtree (itself excluded) is shown.
inline bool pruneForFilter(ExpNode &node, QStringList segments, const TreeFilter &filter)
{
    bool any = false;
    for (auto it = node.kids.begin(); it != node.kids.end();) {
        QStringList childSegments = segments;
        childSegments.append(it->first);
        const bool matches = filter.matchesPath(childSegments);
        const bool below = pruneForFilter(*it->second, childSegments, filter);
        if (matches || below) {
            any = true;
            ++it;
        } else {
            it = node.kids.erase(it);
        }
    }
    return any;
}

// The first difference between the model's rows under `parent` and `expected`, or "".
inline QString diffTree(const QAbstractItemModel &model, const QModelIndex &parent,
                        const ExpNode &expected, const QString &where = QStringLiteral("/"))
{
    const auto kids = expected.sortedKids();
    if (model.rowCount(parent) != int(kids.size()))
        return QStringLiteral("%1: %2 rows, expected %3")
            .arg(where)
            .arg(model.rowCount(parent))
            .arg(kids.size());
    for (int r = 0; r < int(kids.size()); ++r) {
        const ExpNode &e = *kids[size_t(r)];
        const QModelIndex i = model.index(r, 0, parent);
        const QString at = where + e.name + QLatin1Char('/');
        if (!i.isValid())
            return at + QStringLiteral(": invalid index");
        if (model.parent(i) != parent)
            return at + QStringLiteral(": wrong parent");
        const QString name = i.data(StoreTreeModel::NameRole).toString();
        if (name != e.name)
            return QStringLiteral("%1 row %2: name %3, expected %4")
                .arg(where)
                .arg(r)
                .arg(name, e.name);
        if (i.data(StoreTreeModel::HasValueRole).toBool() != e.hasValue)
            return at + QStringLiteral(": hasValue differs");
        if (e.hasValue) {
            if (i.data(StoreTreeModel::TypeRole).toString() != e.type)
                return at + QStringLiteral(": type %1, expected %2")
                                .arg(i.data(StoreTreeModel::TypeRole).toString(), e.type);
            if (i.data(StoreTreeModel::RevisionRole).toLongLong() != e.revision)
                return at + QStringLiteral(": revision %1, expected %2")
                                .arg(i.data(StoreTreeModel::RevisionRole).toLongLong())
                                .arg(e.revision);
            if (i.data(StoreTreeModel::PreviewRole).toString() != e.preview)
                return at + QStringLiteral(": preview differs");
        }
        const QString d = diffTree(model, i, e, at);
        if (!d.isEmpty())
            return d;
    }
    return {};
}

// The first difference between two models' trees (names, order, types, revisions), or "".
inline QString diffModels(const QAbstractItemModel &a, const QModelIndex &pa,
                          const QAbstractItemModel &b, const QModelIndex &pb,
                          const QString &where = QStringLiteral("/"))
{
    const int rows = a.rowCount(pa);
    if (rows != b.rowCount(pb))
        return QStringLiteral("%1: %2 rows vs %3").arg(where).arg(rows).arg(b.rowCount(pb));
    for (int r = 0; r < rows; ++r) {
        const QModelIndex ia = a.index(r, 0, pa);
        const QModelIndex ib = b.index(r, 0, pb);
        for (int role : {int(StoreTreeModel::NameRole), int(StoreTreeModel::TypeRole),
                         int(StoreTreeModel::RevisionRole), int(StoreTreeModel::HasValueRole),
                         int(StoreTreeModel::PreviewRole), int(StoreTreeModel::PathRole)}) {
            if (ia.data(role) != ib.data(role))
                return QStringLiteral("%1 row %2: role %3 differs (%4 vs %5)")
                    .arg(where)
                    .arg(r)
                    .arg(role)
                    .arg(ia.data(role).toString(), ib.data(role).toString());
        }
        const QString d = diffModels(
            a, ia, b, ib, where + ia.data(StoreTreeModel::NameRole).toString() + QLatin1Char('/'));
        if (!d.isEmpty())
            return d;
    }
    return {};
}

} // namespace dust::test
