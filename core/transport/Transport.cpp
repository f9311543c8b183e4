#include "Transport.h"

#include "protocol/Values.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

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

QFuture<Result<QByteArray>> Transport::fetchFile(const QString &)
{
    return unsupported<QByteArray>("downloading files");
}

QFuture<Result<QList<Entry>>> Transport::getLeaves(const QString &, const QList<Path> &)
{
    return unsupported<QList<Entry>>("reading several leaves at once");
}

QByteArray Transport::importLine(const Path &path, const QJsonValue &value, const QString &type)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("path"), path.rendered()},
                                     {QStringLiteral("value"), value},
                                     {QStringLiteral("type"), type}})
               .toJson(QJsonDocument::Compact) +
           '\n';
}

QFuture<Result<ImportReply>> Transport::importLines(const QString &, const QByteArray &)
{
    return unsupported<ImportReply>("importing JSONL");
}

QString unwritableValue(const QJsonValue &value)
{
    if (value.isUndefined())
        return QStringLiteral("the value is undefined (use null to store null)");
    if (value.isDouble() && !std::isfinite(value.toDouble()))
        return QStringLiteral("JSON cannot carry NaN or infinity");
    if (const auto error = values::validateKeys(value))
        return QStringLiteral("the value holds an object key that is empty (%1)")
            .arg(pathErrorName(*error));
    return {};
}

namespace {

std::optional<Error> ifMatchError(const WriteOptions &options)
{
    if (options.ifMatch && *options.ifMatch <= 0)
        return Error::invalidParams(
            QStringLiteral("ifMatch must be a positive revision (got %1)").arg(*options.ifMatch));
    return std::nullopt;
}

} // namespace

std::optional<Error> putError(const QJsonValue &value, const WriteOptions &options)
{
    if (const QString why = unwritableValue(value); !why.isEmpty())
        return Error::invalidParams(why);
    if (options.ifMatch && options.ifAbsent)
        return Error::invalidParams(QStringLiteral("ifMatch and ifAbsent cannot be combined"))
            .setReason(QStringLiteral("invalid_precondition"));
    return ifMatchError(options);
}

std::optional<Error> removeError(const WriteOptions &options)
{
    if (options.ifAbsent)
        return Error::invalidParams(QStringLiteral("ifAbsent applies to put only"))
            .setReason(QStringLiteral("if_absent_unsupported_op"));
    return ifMatchError(options);
}

} // namespace dust
