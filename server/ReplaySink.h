#pragma once

#include "LeafSink.h"
#include "PathOrder.h"
#include "ReplayScope.h"

#include <map>

namespace dust::lite {

// The leaves of a replayed store, limited to a scope, in path order, with an optional journal
// of the value every leaf had before it was first touched once journaling is on.
class ReplaySink final : public LeafSink
{
public:
    using State = std::map<QString, LeafRow, PathOrder::Less>;
    using Journal = std::map<QString, std::optional<LeafRow>, PathOrder::Less>;

    // `scope` must outlive the sink.
    explicit ReplaySink(const ReplayScope &scope);

    State state;
    Journal journal;
    bool journaling = false;

    std::optional<LeafRow> leaf(const QString &path) override;
    void upsert(const QString &path, const QJsonValue &value, const QString &type,
                qint64 seq) override;
    void removeExact(const QString &path) override;
    void removeDescendants(const QString &path) override;

private:
    void note(const QString &path);

    const ReplayScope &m_scope;
};

} // namespace dust::lite
