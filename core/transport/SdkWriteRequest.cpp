#include "SdkWriteRequest.h"

#include <QLatin1String>

namespace dust {

QJsonObject SdkWriteRequest::payload(const QString &clientOpId) const
{
    QJsonObject payload = extra;
    if (event == QLatin1String("put_file")) {
        // The put_file handler reads only the path string (dust-protocol.md §5.5).
        payload.insert(QStringLiteral("path"), path.rendered());
        payload.insert(QStringLiteral("client_op_id"), clientOpId);
        return payload;
    }
    payload.insert(QStringLiteral("op"), op);
    payload.insert(QStringLiteral("path"), path.rendered());
    payload.insert(QStringLiteral("path_segments"), path.segmentsJson());
    if (!value.isUndefined())
        payload.insert(QStringLiteral("value"), value);
    if (ifMatch)
        payload.insert(QStringLiteral("if_match"), *ifMatch);
    if (ifAbsent)
        payload.insert(QStringLiteral("if_absent"), true);
    payload.insert(QStringLiteral("client_op_id"), clientOpId);
    return payload;
}

bool SdkWriteRequest::safeToRepeat() const
{
    if (ifMatch || ifAbsent)
        return true;
    for (QLatin1String idempotent :
         {QLatin1String("set"), QLatin1String("delete"), QLatin1String("merge"),
          QLatin1String("add"), QLatin1String("remove"), QLatin1String("put_file")}) {
        if (op == idempotent)
            return true;
    }
    return false;
}

} // namespace dust
