#pragma once

#include <QJsonValue>
#include <QString>

#include <optional>

namespace dust::lite {

// One materialized leaf: its unwrapped value, type and revision.
struct LeafRow
{
    QJsonValue value;
    QString type;
    qint64 seq = 0;
};

// The leaves an op reads and changes, keyed by rendered path: the database, or an in-memory
// replay of the op log.
class LeafSink
{
public:
    virtual ~LeafSink() = default;
    virtual std::optional<LeafRow> leaf(const QString &path) = 0;
    virtual void upsert(const QString &path, const QJsonValue &value, const QString &type,
                        qint64 seq) = 0;
    virtual void removeExact(const QString &path) = 0;
    // Removes every leaf strictly under `path`.
    virtual void removeDescendants(const QString &path) = 0;
};

} // namespace dust::lite
