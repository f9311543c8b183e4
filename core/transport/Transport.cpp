#include "Transport.h"

namespace dust {

Subscription::Subscription(QString store, Glob pattern, SubscribeOptions options, QObject *parent)
    : QObject(parent)
    , m_store(std::move(store))
    , m_pattern(std::move(pattern))
    , m_options(options)
{}

bool Subscription::accepts(const Path &path) const
{
    if (m_pattern.matches(path))
        return true;
    if (!m_options.includeAncestors)
        return false;
    // Is `path` a strict ancestor of some path the pattern matches? Every segment of `path`
    // must be accepted by the pattern segment at the same position, and the pattern must be
    // able to go deeper than `path`.
    const QStringList &segments = path.segments();
    const auto &globSegments = m_pattern.segments();
    for (qsizetype i = 0; i < segments.size(); ++i) {
        if (i >= globSegments.size())
            return false;
        const Glob::Segment &g = globSegments.at(i);
        if (g.kind == Glob::Kind::Many)
            return false; // `path` itself would match `**` here, handled above
        if (g.kind == Glob::Kind::Literal && g.literal != segments.at(i))
            return false;
    }
    return segments.size() < globSegments.size();
}

namespace {
template <typename T> QFuture<Result<T>> unsupported(const char *what)
{
    return Transport::failed<T>(Error::notSupported(
        QLatin1String(what) + QLatin1String(" is not supported by this transport")));
}
} // namespace

QFuture<Result<WriteResult>> Transport::merge(const QString &, const Path &, const QJsonObject &)
{
    return unsupported<WriteResult>("merge");
}

QFuture<Result<WriteResult>> Transport::increment(const QString &, const Path &, double)
{
    return unsupported<WriteResult>("increment");
}

QFuture<Result<WriteResult>> Transport::addMember(const QString &, const Path &, const QJsonValue &)
{
    return unsupported<WriteResult>("add");
}

QFuture<Result<WriteResult>> Transport::removeMember(const QString &, const Path &,
                                                     const QJsonValue &)
{
    return unsupported<WriteResult>("remove");
}

QFuture<Result<WriteResult>> Transport::rollback(const QString &, const Path &, qint64)
{
    return unsupported<WriteResult>("rollback");
}

QFuture<Result<StoreStatus>> Transport::status(const QString &)
{
    return unsupported<StoreStatus>("status");
}

QFuture<Result<AuditPage>> Transport::auditLog(const QString &, const AuditQuery &)
{
    return unsupported<AuditPage>("the audit log");
}

QFuture<Result<QList<DiffChange>>> Transport::diff(const QString &, qint64, qint64)
{
    return unsupported<QList<DiffChange>>("diff");
}

QFuture<Result<QList<StoreInfo>>> Transport::listStores()
{
    return unsupported<QList<StoreInfo>>("listing stores");
}

} // namespace dust
