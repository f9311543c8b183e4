#pragma once

#include "Expected.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace dust {

// One Phoenix Channels V2 JSON frame: [join_ref, ref, topic, event, payload]
// (dust-protocol.md §5.1). join_ref and ref may be null.
struct PhoenixMessage
{
    std::optional<QString> joinRef;
    std::optional<QString> ref;
    QString topic;
    QString event;
    QJsonValue payload; // an object for every event Dust uses

    // Decodes a text frame. Anything that is not a 5-element array with string-or-null refs,
    // string topic and event yields a message saying what is wrong; never throws or crashes.
    static Expected<PhoenixMessage, QString> decode(QByteArrayView frame);
    QByteArray encode() const;
    // The text of a frame up to its payload: `[join_ref,ref,"topic","event",`. Appending a
    // payload's compact JSON and "]" gives what encode() gives for that payload, for senders
    // that hold payloads as JSON text already.
    static QByteArray encodeHead(const std::optional<QString> &joinRef,
                                 const std::optional<QString> &ref, const QString &topic,
                                 const QString &event);

    // A reply to this message: same join_ref, ref and topic, event "phx_reply",
    // payload {"status": status, "response": response}.
    PhoenixMessage reply(QStringView status, const QJsonValue &response) const;

    bool isReply() const { return event == QLatin1String("phx_reply"); }
    // For a phx_reply: "ok" / "error" and the response object.
    QString replyStatus() const;
    QJsonValue replyResponse() const;

    friend bool operator==(const PhoenixMessage &, const PhoenixMessage &) = default;
};

} // namespace dust
