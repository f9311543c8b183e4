#pragma once

// Uploads a file to a running dustlite the way clients do: the WebSocket `put_file` event
// (dust-protocol.md §5.5) on a joined store channel, over a real socket. There is no REST
// upload, and the SDK transport has no put_file, so suites that need a file entry use this.

#include "protocol/PhoenixMessage.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QTest>
#include <QUrl>
#include <QWebSocket>

#include <optional>

namespace dust::test {

struct UploadedFile
{
    QString error;  // empty when the upload was accepted
    QString hash;   // "sha256:…" from the reply
    qint64 seq = 0; // the put_file's store_seq
};

// Joins `store` on the server at `wsUrl` (InProcessDustlite::wsUrl()) and uploads `content` to
// `path` (rendered) with `filename` and `contentType`.
inline UploadedFile uploadFile(const QUrl &wsUrl, const QString &store, const QString &path,
                               const QByteArray &content, const QString &filename,
                               const QString &contentType,
                               const QString &token = QStringLiteral("dust_tok_dev"))
{
    UploadedFile out;
    QWebSocket socket;
    QList<PhoenixMessage> received;
    QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket,
                     [&received](const QString &text) {
                         if (auto message = PhoenixMessage::decode(text.toUtf8()))
                             received.append(*message);
                     });
    QUrl url = wsUrl;
    url.setPath(url.path() + QStringLiteral("/websocket"));
    url.setQuery(QStringLiteral("token=%1&device_id=dev_upload&capver=3&vsn=2.0.0").arg(token));
    socket.open(url);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; },
                         10000)) {
        out.error = QStringLiteral("the WebSocket did not connect: ") + socket.errorString();
        return out;
    }
    const QString topic = QStringLiteral("store:") + store;
    const auto call = [&](const QString &ref, const QString &event,
                          const QJsonObject &payload) -> std::optional<PhoenixMessage> {
        socket.sendTextMessage(QString::fromUtf8(
            PhoenixMessage{QStringLiteral("1"), ref, topic, event, payload}.encode()));
        std::optional<PhoenixMessage> reply;
        (void)QTest::qWaitFor(
            [&] {
                for (const PhoenixMessage &m : received) {
                    if (m.isReply() && m.ref == ref) {
                        reply = m;
                        return true;
                    }
                }
                return false;
            },
            30000);
        return reply;
    };
    const auto joined = call(QStringLiteral("1"), QStringLiteral("phx_join"),
                             QJsonObject{{QStringLiteral("last_store_seq"), 0}});
    if (!joined || joined->replyStatus() != QLatin1String("ok")) {
        out.error = QStringLiteral("the join was refused");
        return out;
    }
    const QJsonObject payload{
        {QStringLiteral("path"), path},
        {QStringLiteral("content"), QString::fromLatin1(content.toBase64())},
        {QStringLiteral("filename"), filename},
        {QStringLiteral("content_type"), contentType},
        {QStringLiteral("client_op_id"), QString(QStringLiteral("op_upload_") + path)},
    };
    const auto reply = call(QStringLiteral("2"), QStringLiteral("put_file"), payload);
    if (!reply) {
        out.error = QStringLiteral("no reply to put_file");
        return out;
    }
    const QJsonObject response = reply->replyResponse().toObject();
    if (reply->replyStatus() != QLatin1String("ok")) {
        out.error = QStringLiteral("put_file refused: ") +
                    response.value(QStringLiteral("reason")).toString();
        return out;
    }
    out.hash = response.value(QStringLiteral("hash")).toString();
    out.seq = response.value(QStringLiteral("store_seq")).toInteger();
    return out;
}

} // namespace dust::test
