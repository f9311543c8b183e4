#include "MirrorCacheHeader.h"

#include "protocol/JsonBytes.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <optional>

namespace dust {

namespace {

QString typesToText(const QStringList &types)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(types)).toJson(QJsonDocument::Compact));
}

std::optional<QStringList> typesFromText(const QString &text)
{
    const QJsonDocument doc = jsonbytes::parseDocument(text.toUtf8());
    if (!doc.isArray())
        return std::nullopt;
    QStringList types;
    for (const QJsonValue &v : doc.array()) {
        if (!v.isString() || v.toString().isEmpty())
            return std::nullopt;
        types.append(v.toString());
    }
    if (types.size() > 0xffff)
        return std::nullopt;
    return types;
}

} // namespace

quint64 MirrorCacheHeader::checksumWith(const cachechunk::Index &chunks) const
{
    using cachechunk::appendLe;
    QByteArray bytes;
    appendLe(bytes, qint32(FormatVersion));
    bytes.append(server.toUtf8()).append('\n');
    bytes.append(store.toUtf8()).append('\n');
    appendLe(bytes, lastSeq);
    appendLe(bytes, leafCount);
    bytes.append(typesToText(types).toUtf8()).append('\n');
    for (const auto &[firstPath, info] : chunks) {
        appendLe(bytes, quint32(firstPath.size()));
        bytes.append(firstPath);
        appendLe(bytes, info.leafCount);
        appendLe(bytes, info.checksum);
    }
    return cachechunk::checksum(bytes);
}

QList<std::pair<QString, QVariant>> MirrorCacheHeader::metaRows() const
{
    return {{QStringLiteral("format"), FormatVersion},
            {QStringLiteral("server"), server},
            {QStringLiteral("store"), store},
            {QStringLiteral("last_store_seq"), lastSeq},
            {QStringLiteral("leaf_count"), leafCount},
            {QStringLiteral("types"), typesToText(types)},
            {QStringLiteral("checksum"), qint64(checksum)}};
}

Expected<MirrorCacheHeader, QString>
MirrorCacheHeader::fromMeta(const QHash<QString, QVariant> &meta, const QString &server,
                            const QString &store)
{
    using Result = Expected<MirrorCacheHeader, QString>;
    bool ok = false;
    const int format = meta.value(QStringLiteral("format")).toInt(&ok);
    if (!ok || format != FormatVersion)
        return Result::failure(QStringLiteral("format version %1, expected %2")
                                   .arg(meta.value(QStringLiteral("format")).toString())
                                   .arg(FormatVersion));
    if (meta.value(QStringLiteral("server")).toString() != server)
        return Result::failure(QStringLiteral("the cache belongs to another server"));
    if (meta.value(QStringLiteral("store")).toString() != store)
        return Result::failure(QStringLiteral("the cache belongs to another store"));
    MirrorCacheHeader header;
    header.server = server;
    header.store = store;
    bool seqOk = false;
    bool countOk = false;
    bool sumOk = false;
    header.lastSeq = meta.value(QStringLiteral("last_store_seq")).toLongLong(&seqOk);
    header.leafCount = meta.value(QStringLiteral("leaf_count")).toLongLong(&countOk);
    header.checksum = quint64(meta.value(QStringLiteral("checksum")).toLongLong(&sumOk));
    if (!seqOk || !countOk || !sumOk || header.lastSeq < 0 || header.leafCount < 0)
        return Result::failure(QStringLiteral("damaged header"));
    const auto types = typesFromText(meta.value(QStringLiteral("types")).toString());
    if (!types)
        return Result::failure(QStringLiteral("damaged type list"));
    header.types = *types;
    return header;
}

} // namespace dust
