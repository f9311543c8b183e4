#include "StoreTreeSnapshot.h"

#include "protocol/JsonBytes.h"
#include "sync/Mirror.h"

#include <algorithm>
#include <limits>

namespace dust {

namespace {
constexpr int kPreviewChars = 80;
}

StoreTreeSnapshot::StoreTreeSnapshot()
    : d(std::make_shared<Data>())
{}

void StoreTreeSnapshot::detach()
{
    if (d.use_count() > 1)
        d = std::make_shared<Data>(*d);
}

void StoreTreeSnapshot::setSeq(qint64 seq)
{
    detach();
    d->seq = seq;
}

void StoreTreeSnapshot::setResetEpoch(quint64 epoch)
{
    detach();
    d->resetEpoch = epoch;
}

void StoreTreeSnapshot::reserve(qsizetype leaves, qsizetype pathBytes)
{
    detach();
    d->leaves.reserve(size_t(leaves));
    if (pathBytes > 0)
        d->paths.reserve(pathBytes);
}

quint16 StoreTreeSnapshot::typeId(QStringView type)
{
    // Stores have a handful of types: look at the first few before hashing.
    const qsizetype scan = std::min<qsizetype>(d->typeNames.size(), 16);
    for (qsizetype k = 0; k < scan; ++k) {
        if (d->typeNames.at(k) == type)
            return quint16(k);
    }
    const QString typeName = type.toString();
    const auto it = d->typeIds.constFind(typeName);
    if (it != d->typeIds.constEnd())
        return it.value();
    if (d->typeNames.size() >= std::numeric_limits<quint16>::max())
        return quint16(d->typeNames.size() - 1); // absurdly many types: the last one
    const auto id = quint16(d->typeNames.size());
    d->typeNames.append(typeName);
    d->typeIds.insert(typeName, id);
    return id;
}

void StoreTreeSnapshot::append(QByteArrayView renderedPath, QStringView type,
                               const QString &preview, qint64 revision)
{
    const QByteArray previewUtf8 =
        (preview.size() > kPreviewChars ? preview.left(kPreviewChars - 1) + QChar(0x2026) : preview)
            .toUtf8();
    appendUtf8(renderedPath, type, previewUtf8, revision);
}

void StoreTreeSnapshot::appendUtf8(QByteArrayView renderedPath, QStringView type,
                                   QByteArrayView previewUtf8, qint64 revision)
{
    detach();
    // A path longer than 4 GiB cannot come from a server; keep it as an (invalid) empty path.
    const bool tooLong = renderedPath.size() > qsizetype(std::numeric_limits<quint32>::max());
    const qsizetype previewBytes =
        std::min<qsizetype>(previewUtf8.size(), std::numeric_limits<quint16>::max());
    Leaf leaf;
    leaf.pathOffset = d->paths.size();
    leaf.pathLength = tooLong ? 0 : quint32(renderedPath.size());
    leaf.previewLength = quint16(previewBytes);
    leaf.revision = revision;
    leaf.type = typeId(type);
    if (!tooLong)
        d->paths.append(renderedPath);
    d->paths.append(previewUtf8.first(previewBytes));
    d->leaves.push_back(leaf);
}

void StoreTreeSnapshot::append(const QString &renderedPath, QStringView type,
                               const QString &preview, qint64 revision)
{
    append(QByteArrayView(renderedPath.toUtf8()), type, preview, revision);
}

StoreTreeSnapshot StoreTreeSnapshot::fromMirror(const Mirror &mirror, int previewChars)
{
    StoreTreeSnapshot snapshot;
    snapshot.reserve(mirror.leafCount(), mirror.leafCount() * 48);
    const int chars = std::clamp(previewChars, 1, kPreviewChars);
    mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
        snapshot.appendUtf8(
            leaf.path, leaf.type,
            jsonbytes::previewUtf8(std::string_view(leaf.value.data(), size_t(leaf.value.size())),
                                   chars),
            leaf.revision);
    });
    snapshot.setSeq(mirror.lastSeq());
    snapshot.setResetEpoch(mirror.resetEpoch());
    return snapshot;
}

} // namespace dust
