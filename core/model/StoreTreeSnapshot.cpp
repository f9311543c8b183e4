#include "StoreTreeSnapshot.h"

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

void StoreTreeSnapshot::reserve(qsizetype leaves, qsizetype pathBytes)
{
    detach();
    d->leaves.reserve(size_t(leaves));
    if (pathBytes > 0)
        d->paths.reserve(pathBytes);
}

void StoreTreeSnapshot::append(QByteArrayView renderedPath, QStringView type,
                               const QString &preview, qint64 revision)
{
    detach();
    // Stores have a handful of types: look at the first few before hashing.
    qsizetype typeId = -1;
    const qsizetype scan = std::min<qsizetype>(d->typeNames.size(), 16);
    for (qsizetype k = 0; k < scan && typeId < 0; ++k) {
        if (d->typeNames.at(k) == type)
            typeId = k;
    }
    const QString typeName = typeId < 0 ? type.toString() : QString();
    if (typeId < 0) {
        const auto it = d->typeIds.constFind(typeName);
        if (it != d->typeIds.constEnd())
            typeId = it.value();
    }
    if (typeId < 0) {
        if (d->typeNames.size() < std::numeric_limits<quint16>::max()) {
            typeId = d->typeNames.size();
            d->typeNames.append(typeName);
            d->typeIds.insert(typeName, quint16(typeId));
        } else {
            typeId = d->typeNames.size() - 1; // absurdly many types: the last one
        }
    }
    // A path longer than 4 GiB cannot come from a server; keep it as an (invalid) empty path.
    const bool tooLong = renderedPath.size() > qsizetype(std::numeric_limits<quint32>::max());
    QByteArray previewUtf8 =
        (preview.size() > kPreviewChars ? preview.left(kPreviewChars - 1) + QChar(0x2026) : preview)
            .toUtf8();
    Leaf leaf;
    leaf.pathOffset = d->paths.size();
    leaf.pathLength = tooLong ? 0 : quint32(renderedPath.size());
    leaf.previewLength = quint16(previewUtf8.size()); // at most 80 * 4 bytes
    leaf.revision = revision;
    leaf.type = quint16(typeId);
    if (!tooLong)
        d->paths.append(renderedPath);
    d->paths.append(previewUtf8);
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
    mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
        snapshot.append(leaf.path, leaf.type, leaf.preview(previewChars), leaf.revision);
    });
    snapshot.setSeq(mirror.lastSeq());
    return snapshot;
}

} // namespace dust
