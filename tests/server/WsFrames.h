#pragma once

// What the WebSocket suites say about Phoenix frames: the tokens and store they use, write
// payloads, the seqs frames carry, and replies read as status and response.

#include "protocol/PhoenixMessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace wstest {

using dust::PhoenixMessage;

inline constexpr QLatin1String kToken("dust_tok_full");
inline constexpr QLatin1String kReadOnlyToken("dust_tok_readonly");
inline constexpr QLatin1String kOtherOrgToken("dust_tok_other");
inline constexpr QLatin1String kNoReadToken("dust_tok_noread");
inline constexpr QLatin1String kStore("acme/site");

inline QString topicOf(const QString &store = QString(kStore))
{
    return QStringLiteral("store:") + store;
}

// The payload of a `write` push; `value` is left out when undefined.
inline QJsonObject writePayload(const QString &op, const QString &where, const QJsonValue &value,
                                const QString &opId, const QJsonObject &extra = {})
{
    QJsonObject payload = extra;
    payload.insert(QStringLiteral("op"), op);
    payload.insert(QStringLiteral("path"), where);
    if (!value.isUndefined())
        payload.insert(QStringLiteral("value"), value);
    payload.insert(QStringLiteral("client_op_id"), opId);
    return payload;
}

inline bool isEventFor(const PhoenixMessage &m, const QString &opId)
{
    return m.event == QLatin1String("event") &&
           m.payload.toObject().value(QLatin1String("client_op_id")).toString() == opId;
}

// The store_seq of an event frame, the through_seq of a catch_up_complete frame.
inline qint64 storeSeqOf(const PhoenixMessage &m)
{
    return m.payload.toObject().value(QLatin1String("store_seq")).toInteger();
}
inline qint64 throughSeqOf(const PhoenixMessage &m)
{
    return m.payload.toObject().value(QLatin1String("through_seq")).toInteger();
}

// The store_seq of each frame, in order; and the seqs first..last, to compare them with.
inline QList<qint64> storeSeqs(const QList<PhoenixMessage> &frames)
{
    QList<qint64> seqs;
    seqs.reserve(frames.size());
    for (const PhoenixMessage &m : frames)
        seqs.append(storeSeqOf(m));
    return seqs;
}
inline QList<qint64> seqRange(qint64 first, qint64 last)
{
    QList<qint64> seqs;
    for (qint64 seq = first; seq <= last; ++seq)
        seqs.append(seq);
    return seqs;
}

inline QJsonObject response(const std::optional<PhoenixMessage> &reply)
{
    return reply ? reply->replyResponse().toObject() : QJsonObject();
}
inline QString replyStatus(const std::optional<PhoenixMessage> &reply)
{
    return reply ? reply->replyStatus() : QStringLiteral("<no reply>");
}

// Compact JSON text of an object, an array, or any other value (as a one-element array).
inline QByteArray json(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
}

} // namespace wstest
