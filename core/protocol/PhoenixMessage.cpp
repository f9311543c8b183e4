#include "PhoenixMessage.h"

#include "JsonBytes.h"

#include "Values.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace dust {

namespace {

using DecodeResult = Expected<PhoenixMessage, QString>;

DecodeResult frameError(const QString &what)
{
    return DecodeResult::failure(QStringLiteral("malformed Phoenix frame: ") + what);
}

// A ref is a string or null.
bool decodeRef(const QJsonValue &v, std::optional<QString> *out)
{
    if (v.isNull()) {
        out->reset();
        return true;
    }
    if (!v.isString())
        return false;
    *out = v.toString();
    return true;
}

QJsonValue refJson(const std::optional<QString> &ref)
{
    return ref ? QJsonValue(*ref) : QJsonValue(QJsonValue::Null);
}

} // namespace

Expected<PhoenixMessage, QString> PhoenixMessage::decode(QByteArrayView frame)
{
    if (frame.isEmpty())
        return frameError(QStringLiteral("empty frame"));
    // The parser reads the bytes in place; it rejects nesting deeper than its own limit with
    // an error instead of recursing further.
    QJsonParseError parseError;
    const QJsonDocument doc = jsonbytes::parseDocument(frame, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return frameError(QStringLiteral("not JSON (") + parseError.errorString() +
                          QStringLiteral(" at offset ") + QString::number(parseError.offset) +
                          QLatin1Char(')'));
    if (!doc.isArray())
        return frameError(doc.isObject() ? QStringLiteral("expected a JSON array, got an object")
                                         : QStringLiteral("expected a JSON array"));
    const QJsonArray array = doc.array();
    if (array.size() != 5)
        return frameError(QStringLiteral("expected 5 elements, got ") +
                          QString::number(array.size()));

    PhoenixMessage message;
    if (!decodeRef(array.at(0), &message.joinRef))
        return frameError(QStringLiteral("join_ref must be a string or null, got ") +
                          values::jsonTypeName(array.at(0)));
    if (!decodeRef(array.at(1), &message.ref))
        return frameError(QStringLiteral("ref must be a string or null, got ") +
                          values::jsonTypeName(array.at(1)));
    const QJsonValue topic = array.at(2);
    if (!topic.isString())
        return frameError(QStringLiteral("topic must be a string, got ") +
                          values::jsonTypeName(topic));
    const QJsonValue event = array.at(3);
    if (!event.isString())
        return frameError(QStringLiteral("event must be a string, got ") +
                          values::jsonTypeName(event));
    message.topic = topic.toString();
    message.event = event.toString();
    message.payload = array.at(4);
    return message;
}

QByteArray PhoenixMessage::encode() const
{
    const QJsonArray array{
        refJson(joinRef),
        refJson(ref),
        topic,
        event,
        payload.isUndefined() ? QJsonValue(QJsonValue::Null) : payload,
    };
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

QByteArray PhoenixMessage::encodeHead(const std::optional<QString> &joinRef,
                                      const std::optional<QString> &ref, const QString &topic,
                                      const QString &event)
{
    // Encoding with a null payload and cutting off "null]" keeps the escaping in one place.
    QByteArray text = QJsonDocument(QJsonArray{refJson(joinRef), refJson(ref), topic, event,
                                               QJsonValue(QJsonValue::Null)})
                          .toJson(QJsonDocument::Compact);
    text.chop(5);
    return text;
}

PhoenixMessage PhoenixMessage::reply(QStringView status, const QJsonValue &response) const
{
    PhoenixMessage m;
    m.joinRef = joinRef;
    m.ref = ref;
    m.topic = topic;
    m.event = QStringLiteral("phx_reply");
    QJsonObject body;
    body.insert(QLatin1String("status"), status.toString());
    body.insert(QLatin1String("response"),
                response.isUndefined() ? QJsonValue(QJsonObject()) : response);
    m.payload = body;
    return m;
}

QString PhoenixMessage::replyStatus() const
{
    const QJsonValue status = payload.toObject().value(QLatin1String("status"));
    return status.isString() ? status.toString() : QString();
}

// The response of a reply; an empty object when the payload has none.
QJsonValue PhoenixMessage::replyResponse() const
{
    const QJsonValue response = payload.toObject().value(QLatin1String("response"));
    return response.isUndefined() ? QJsonValue(QJsonObject()) : response;
}

} // namespace dust
