#pragma once

#include "protocol/JsonBytes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <memory>
#include <string_view>
#include <vector>

namespace dust {

class Mirror;

// Every leaf of a store as StoreTreeModel needs it to build its tree: rendered path, type,
// short value preview and revision, plus the store_seq the leaves stand at. Produced where
// the leaves live (the Mirror's thread, see fromMirror()) and handed to the model's thread
// through a queued signal: an implicitly shared value, cheap to copy; a copy that is
// appended to detaches. Paths and previews are kept as UTF-8 in one block, types as small
// ids, so a million leaves cost little more than their text. Previews are cut to 80
// characters.
//
// Leaves are expected in byte-wise order of their rendered UTF-8 paths (the Mirror's and the
// REST listing's order); other orders work too, at the price of one sort.
class StoreTreeSnapshot
{
public:
    StoreTreeSnapshot();

    // The store_seq the leaves reflect; change batches up to it are already included.
    qint64 seq() const { return d->seq; }
    void setSeq(qint64 seq);
    // The source's reset epoch when it was read (Mirror::resetEpoch()); 0 when unknown.
    quint64 resetEpoch() const { return d->resetEpoch; }
    void setResetEpoch(quint64 epoch);

    qsizetype size() const { return qsizetype(d->leaves.size()); }
    bool isEmpty() const { return d->leaves.empty(); }
    void reserve(qsizetype leaves, qsizetype pathBytes = 0);

    // Adds a leaf. `renderedPath` is the path's rendered form in UTF-8 ("users/alice~1x");
    // an invalid path is kept here and skipped (and counted) when the tree is built.
    void append(QByteArrayView renderedPath, QStringView type, const QString &preview,
                qint64 revision);
    void append(const QString &renderedPath, QStringView type, const QString &preview,
                qint64 revision);
    // With the preview as UTF-8, already at most 80 characters (jsonbytes::previewUtf8).
    void appendUtf8(QByteArrayView renderedPath, QStringView type, QByteArrayView previewUtf8,
                    qint64 revision);

    // Reads every leaf of `mirror` (on the mirror's thread) with previews of at most
    // `previewChars` characters, and its lastSeq().
    static StoreTreeSnapshot fromMirror(const Mirror &mirror, int previewChars = 80);

    // --- Reading (used by the tree builder) ----------------------------------------------
    std::string_view path(qsizetype i) const
    {
        const Leaf &l = d->leaves[size_t(i)];
        return {d->paths.constData() + l.pathOffset, size_t(l.pathLength)};
    }
    // Index into typeNames().
    quint16 typeIndex(qsizetype i) const { return d->leaves[size_t(i)].type; }
    // The preview as UTF-8.
    std::string_view previewUtf8(qsizetype i) const
    {
        const Leaf &l = d->leaves[size_t(i)];
        return {d->paths.constData() + l.pathOffset + l.pathLength, size_t(l.previewLength)};
    }
    QString preview(qsizetype i) const
    {
        const std::string_view v = previewUtf8(i);
        return jsonbytes::textFromUtf8(QByteArrayView(v.data(), qsizetype(v.size())));
    }
    qint64 revision(qsizetype i) const { return d->leaves[size_t(i)].revision; }
    const QStringList &typeNames() const { return d->typeNames; }

private:
    // A leaf's path and preview bytes sit back to back in `paths`.
    struct Leaf
    {
        qsizetype pathOffset = 0;
        qint64 revision = 0;
        quint32 pathLength = 0;
        quint16 previewLength = 0;
        quint16 type = 0;
    };
    struct Data
    {
        qint64 seq = 0;
        quint64 resetEpoch = 0;
        QByteArray paths;
        std::vector<Leaf> leaves;
        QStringList typeNames;
        QHash<QString, quint16> typeIds;
    };
    void detach();
    quint16 typeId(QStringView type);

    std::shared_ptr<Data> d;
};

} // namespace dust

Q_DECLARE_METATYPE(dust::StoreTreeSnapshot)
