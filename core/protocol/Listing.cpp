#include "Listing.h"

#include "Glob.h"

#include <limits>

namespace dust {

namespace {

Error refusal(const char *reason, const QString &detail)
{
    return Error::invalidParams(detail).setReason(QString::fromLatin1(reason));
}

Error invalidParams(const QString &detail)
{
    return refusal("invalid_params", detail);
}

QString limitRule()
{
    return QStringLiteral("limit must be 1..%1").arg(kMaxListLimit);
}

// A decimal number of digits only ("7", "1000"), as the server reads counts; nothing for a
// sign, a space, an exponent or a value beyond int.
std::optional<int> count(QStringView text)
{
    if (text.isEmpty() || text.size() > 10)
        return std::nullopt;
    qint64 n = 0;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        n = n * 10 + (c.unicode() - u'0');
    }
    if (n > std::numeric_limits<int>::max())
        return std::nullopt;
    return int(n);
}

const QString *find(const QueryItems &items, QLatin1StringView name)
{
    for (const auto &[key, value] : items) {
        if (key == name)
            return &value;
    }
    return nullptr;
}

} // namespace

QString ListQuery::effectivePattern() const
{
    return pattern.isEmpty() ? QStringLiteral("**") : pattern;
}

std::optional<Error> validateListQuery(const ListQuery &query)
{
    if (query.isRange()) {
        if (!query.pattern.isEmpty())
            return refusal("conflicting_params",
                           QStringLiteral("use either pattern or from/to, not both"));
        if (!query.to)
            return invalidParams(QStringLiteral("from requires to"));
        if (!query.from)
            return invalidParams(QStringLiteral("to requires from"));
        if (!query.from->isValid())
            return invalidParams(QStringLiteral("from must be a valid path"));
        if (!query.to->isValid())
            return invalidParams(QStringLiteral("to must be a valid path"));
    } else {
        // The hosted server says this for every way a glob can be wrong (§4.3).
        const auto glob = Glob::compile(query.effectivePattern());
        if (!glob)
            return invalidParams(QStringLiteral("pattern has empty segments"));
    }
    if (query.limit < 1 || query.limit > kMaxListLimit)
        return invalidParams(limitRule());
    if (query.select == ListQuery::Select::Prefixes) {
        if (query.isRange())
            return refusal("unsupported_select",
                           QStringLiteral("select=prefixes not supported for range"));
        if (!Glob::compile(query.effectivePattern())->isPrefixPattern())
            return refusal("invalid_pattern_for_prefixes",
                           QStringLiteral("select=prefixes needs the pattern ** or <base>/**"));
    }
    return std::nullopt;
}

std::optional<Error> validateAuditQuery(const AuditQuery &query)
{
    if (!query.path.isEmpty() && !Glob::compile(query.path))
        return invalidParams(QStringLiteral("path must be a valid path or pattern"));
    if (query.limit < 1 || query.limit > kMaxListLimit)
        return invalidParams(limitRule());
    if (query.page < 1)
        return invalidParams(QStringLiteral("page must be a positive integer"));
    return std::nullopt;
}

QueryItems listQueryItems(const ListQuery &query)
{
    QueryItems items;
    if (query.isRange()) {
        items.append({QStringLiteral("from"), query.from ? query.from->rendered() : QString()});
        items.append({QStringLiteral("to"), query.to ? query.to->rendered() : QString()});
    } else if (!query.pattern.isEmpty()) {
        items.append({QStringLiteral("pattern"), query.pattern});
    }
    items.append({QStringLiteral("limit"), QString::number(query.limit)});
    items.append({QStringLiteral("order"),
                  query.descending() ? QStringLiteral("desc") : QStringLiteral("asc")});
    switch (query.select) {
    case ListQuery::Select::Entries:
        items.append({QStringLiteral("select"), QStringLiteral("entries")});
        break;
    case ListQuery::Select::Keys:
        items.append({QStringLiteral("select"), QStringLiteral("keys")});
        break;
    case ListQuery::Select::Prefixes:
        items.append({QStringLiteral("select"), QStringLiteral("prefixes")});
        break;
    }
    if (!query.after.isEmpty())
        items.append({QStringLiteral("after"), query.after});
    return items;
}

QueryItems auditQueryItems(const AuditQuery &query)
{
    QueryItems items;
    auto optional = [&items](const char *name, const QString &value) {
        if (!value.isEmpty())
            items.append({QString::fromLatin1(name), value});
    };
    optional("path", query.path);
    optional("device_id", query.deviceId);
    optional("op", query.op);
    optional("since", query.since);
    items.append({QStringLiteral("limit"), QString::number(query.limit)});
    items.append({QStringLiteral("page"), QString::number(query.page)});
    return items;
}

Expected<ListQuery, Error> parseListQuery(const QueryItems &items)
{
    using Failed = Expected<ListQuery, Error>;
    ListQuery query;
    const QString *pattern = find(items, QLatin1StringView("pattern"));
    const QString *from = find(items, QLatin1StringView("from"));
    const QString *to = find(items, QLatin1StringView("to"));
    if (pattern && (from || to))
        return Failed::failure(refusal("conflicting_params",
                                       QStringLiteral("use either pattern or from/to, not both")));
    if (from && !to)
        return Failed::failure(invalidParams(QStringLiteral("from requires to")));
    if (to && !from)
        return Failed::failure(invalidParams(QStringLiteral("to requires from")));
    if (from) {
        auto fromPath = Path::parse(*from);
        if (!fromPath)
            return Failed::failure(invalidParams(QStringLiteral("from must be a valid path: ") +
                                                 pathErrorDetail(fromPath.error())));
        auto toPath = Path::parse(*to);
        if (!toPath)
            return Failed::failure(invalidParams(QStringLiteral("to must be a valid path: ") +
                                                 pathErrorDetail(toPath.error())));
        query.from = std::move(fromPath).value();
        query.to = std::move(toPath).value();
    } else if (pattern) {
        if (pattern->isEmpty())
            return Failed::failure(
                invalidParams(QStringLiteral("pattern must be a non-empty string")));
        query.pattern = *pattern;
    }
    if (const QString *limit = find(items, QLatin1StringView("limit"))) {
        const auto n = count(*limit);
        if (!n)
            return Failed::failure(invalidParams(limitRule()));
        query.limit = *n;
    }
    if (const QString *order = find(items, QLatin1StringView("order"))) {
        if (*order == QLatin1StringView("desc"))
            query.order = ListQuery::Order::Desc;
        else if (*order != QLatin1StringView("asc"))
            return Failed::failure(invalidParams(QStringLiteral("order must be asc or desc")));
    }
    if (const QString *select = find(items, QLatin1StringView("select"))) {
        if (*select == QLatin1StringView("keys"))
            query.select = ListQuery::Select::Keys;
        else if (*select == QLatin1StringView("prefixes"))
            query.select = ListQuery::Select::Prefixes;
        else if (*select != QLatin1StringView("entries"))
            return Failed::failure(
                invalidParams(QStringLiteral("select must be entries, keys or prefixes")));
    }
    if (const QString *after = find(items, QLatin1StringView("after")))
        query.after = *after;
    if (auto error = validateListQuery(query))
        return Failed::failure(std::move(*error));
    return query;
}

Expected<AuditQuery, Error> parseAuditQuery(const QueryItems &items)
{
    using Failed = Expected<AuditQuery, Error>;
    AuditQuery query;
    auto text = [&items](const char *name) {
        const QString *value = find(items, QLatin1StringView(name));
        return value ? *value : QString();
    };
    query.path = text("path");
    query.deviceId = text("device_id");
    query.op = text("op");
    query.since = text("since");
    if (const QString *limit = find(items, QLatin1StringView("limit"))) {
        const auto n = count(*limit);
        if (!n)
            return Failed::failure(invalidParams(limitRule()));
        query.limit = *n;
    }
    if (const QString *page = find(items, QLatin1StringView("page"))) {
        const auto n = count(*page);
        if (!n)
            return Failed::failure(
                invalidParams(QStringLiteral("page must be a positive integer")));
        query.page = *n;
    }
    if (auto error = validateAuditQuery(query))
        return Failed::failure(std::move(*error));
    return query;
}

} // namespace dust
