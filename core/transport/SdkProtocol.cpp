#include "SdkProtocol.h"

#include "protocol/Values.h"

#include <QByteArray>
#include <QJsonValue>
#include <QRandomGenerator>

namespace dust::sdk {

namespace {

QString randomBase64Url(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (int i = 0; i < bytes; ++i)
        raw[i] = static_cast<char>(QRandomGenerator::global()->bounded(256));
    return QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

bool oneOf(QStringView reason, std::initializer_list<QLatin1String> names)
{
    for (QLatin1String name : names) {
        if (reason == name)
            return true;
    }
    return false;
}

} // namespace

QString makeDeviceId()
{
    return QStringLiteral("dev_") + randomBase64Url(8);
}

QString makeClientOpId()
{
    return QStringLiteral("op_") + randomBase64Url(12);
}

QUrl socketUrl(const QUrl &url, const QString &token, const QString &deviceId)
{
    if (!url.isValid() || url.host().isEmpty())
        return {};
    QUrl result = url;
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("http"))
        result.setScheme(QStringLiteral("ws"));
    else if (scheme == QLatin1String("https"))
        result.setScheme(QStringLiteral("wss"));
    else if (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))
        return {};

    QString path = result.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    if (path.isEmpty())
        path = QStringLiteral("/ws/sync");
    if (!path.endsWith(QLatin1String("/websocket")))
        path += QLatin1String("/websocket");
    result.setPath(path);

    const auto encode = [](const QString &text) {
        return QString::fromLatin1(QUrl::toPercentEncoding(text));
    };
    result.setQuery(QStringLiteral("token=%1&device_id=%2&capver=3&vsn=2.0.0")
                        .arg(encode(token), encode(deviceId)),
                    QUrl::TolerantMode);
    result.setFragment({});
    return result;
}

QUrl httpBaseUrl(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        return {};
    QUrl result = url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo);
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("ws"))
        result.setScheme(QStringLiteral("http"));
    else if (scheme == QLatin1String("wss"))
        result.setScheme(QStringLiteral("https"));
    else if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return {};

    QString path = result.path();
    const auto chopTrailing = [&path](QLatin1String tail) {
        while (path.endsWith(QLatin1Char('/')))
            path.chop(1);
        if (path.endsWith(tail))
            path.chop(tail.size());
    };
    chopTrailing(QLatin1String("/websocket"));
    chopTrailing(QLatin1String("/ws/sync"));
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    result.setPath(path);
    return result;
}

QString topicFor(const QString &store)
{
    return QStringLiteral("store:") + store;
}

bool isValidStoreName(QStringView store)
{
    const qsizetype slash = store.indexOf(QLatin1Char('/'));
    return slash > 0 && slash < store.size() - 1 && store.indexOf(QLatin1Char('/'), slash + 1) < 0;
}

Error invalidStoreName(const QString &store)
{
    return Error::invalidParams(QStringLiteral("not a store name (org/name): \"%1\"").arg(store));
}

QString secondsText(std::chrono::milliseconds ms)
{
    return QString::number(double(ms.count()) / 1000.0, 'g', 3) + QStringLiteral(" s");
}

Error errorFromReply(const QJsonObject &response)
{
    const QJsonValue reasonValue = response.value(QLatin1String("reason"));
    const QString reason = reasonValue.isString() ? reasonValue.toString() : QString();
    QString message = response.value(QLatin1String("message")).toString();
    if (message.isEmpty())
        message = response.value(QLatin1String("detail")).toString();

    if (reason.isEmpty()) {
        return Error::protocol(QStringLiteral("the server refused the request without a reason"))
            .setReason(QStringLiteral("unknown"));
    }
    const auto describe = [&](const QString &fallback) {
        return message.isEmpty() ? fallback : message;
    };

    if (oneOf(reason, {QLatin1String("missing_scope"), QLatin1String("store_not_allowed")})) {
        QString text = describe(reason);
        if (const QString scope = response.value(QLatin1String("scope")).toString();
            !scope.isEmpty() && message.isEmpty())
            text = QStringLiteral("the token lacks the %1 scope").arg(scope);
        return Error(Error::Kind::Forbidden, text).setReason(reason);
    }
    if (reason == QLatin1String("unauthorized"))
        return Error(Error::Kind::Unauthorized,
                     describe(QStringLiteral("the token is not valid for this store")))
            .setReason(reason);
    if (reason == QLatin1String("rate_limited")) {
        const auto ms = values::integerValue(response.value(QLatin1String("retry_after_ms")));
        return Error::rateLimited(std::chrono::milliseconds(ms.value_or(60000)))
            .setDetail(describe(QStringLiteral("too many writes; try again later")));
    }
    if (oneOf(reason,
              {QLatin1String("conflict"), QLatin1String("exists"), QLatin1String("held"),
               QLatin1String("occupied"), QLatin1String("not_held"), QLatin1String("fenced")})) {
        Error error = Error::conflict(std::nullopt, reason);
        error.setDetail(describe(reason));
        return error;
    }
    if (reason == QLatin1String("store_archived"))
        return Error::notFound(describe(QStringLiteral("the store is archived"))).setReason(reason);
    if (reason == QLatin1String("limit_exceeded")) {
        QString text = message;
        if (text.isEmpty()) {
            const QString dimension = response.value(QLatin1String("dimension")).toString();
            text = dimension.isEmpty()
                       ? QStringLiteral("a plan limit was reached")
                       : QStringLiteral("the plan's %1 limit was reached").arg(dimension);
            const auto current = values::integerValue(response.value(QLatin1String("current")));
            const auto limit = values::integerValue(response.value(QLatin1String("limit")));
            if (current && limit)
                text += QStringLiteral(" (%1 of %2)").arg(*current).arg(*limit);
        }
        return Error(Error::Kind::Forbidden, text).setReason(reason);
    }
    if (oneOf(reason, {QLatin1String("missing_path"),
                       QLatin1String("empty_path"),
                       QLatin1String("empty_segment"),
                       QLatin1String("invalid_escape"),
                       QLatin1String("not_a_string"),
                       QLatin1String("not_a_list"),
                       QLatin1String("merge_requires_map_value"),
                       QLatin1String("increment_requires_number_value"),
                       QLatin1String("add_requires_value"),
                       QLatin1String("remove_requires_value"),
                       QLatin1String("invalid_precondition"),
                       QLatin1String("if_match_unsupported_op"),
                       QLatin1String("if_match_multi_leaf"),
                       QLatin1String("if_absent_unsupported_op"),
                       QLatin1String("if_absent_multi_leaf"),
                       QLatin1String("invalid op"),
                       QLatin1String("capver_mismatch"),
                       QLatin1String("invalid_base64"),
                       QLatin1String("beyond_retention"),
                       QLatin1String("no_ops")}) ||
        reason.startsWith(QLatin1String("invalid_"))) {
        return Error::invalidParams(describe(reason)).setReason(reason);
    }
    return Error::protocol(message.isEmpty() ? QStringLiteral("the server answered: %1").arg(reason)
                                             : reason + QStringLiteral(": ") + message)
        .setReason(reason);
}

WriteResult writeResultFromReply(const QJsonObject &response, qint64 fallbackSeq)
{
    WriteResult result;
    result.storeSeq =
        values::integerValue(response.value(QLatin1String("store_seq"))).value_or(fallbackSeq);
    result.extra = response;
    result.extra.remove(QLatin1String("store_seq"));
    return result;
}

StorePermissions permissionsFromJoinReply(const QJsonObject &response)
{
    StorePermissions permissions;
    const QJsonValue value = response.value(QLatin1String("permissions"));
    if (!value.isObject())
        return permissions;
    const QJsonObject object = value.toObject();
    permissions.reported = true;
    permissions.read = object.value(QLatin1String("read")).toBool(true);
    permissions.write = object.value(QLatin1String("write")).toBool(true);
    return permissions;
}

} // namespace dust::sdk
