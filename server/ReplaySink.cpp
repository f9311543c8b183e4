#include "ReplaySink.h"

namespace dust::lite {

ReplaySink::ReplaySink(const ReplayScope &scope)
    : m_scope(scope)
{}

std::optional<LeafRow> ReplaySink::leaf(const QString &path)
{
    const auto it = state.find(path);
    if (it == state.end())
        return std::nullopt;
    return it->second;
}

void ReplaySink::upsert(const QString &path, const QJsonValue &value, const QString &type,
                        qint64 seq)
{
    if (!m_scope.contains(path))
        return;
    note(path);
    state[path] = LeafRow{value, type, seq};
}

void ReplaySink::removeExact(const QString &path)
{
    const auto it = state.find(path);
    if (it == state.end())
        return;
    note(path);
    state.erase(it);
}

void ReplaySink::removeDescendants(const QString &path)
{
    const QString prefix = path + QLatin1Char('/');
    auto it = state.lower_bound(prefix);
    while (it != state.end() && it->first.startsWith(prefix)) {
        note(it->first);
        it = state.erase(it);
    }
}

void ReplaySink::note(const QString &path)
{
    if (!journaling || journal.count(path))
        return;
    const auto it = state.find(path);
    journal.emplace(path, it == state.end() ? std::nullopt : std::optional<LeafRow>(it->second));
}

} // namespace dust::lite
