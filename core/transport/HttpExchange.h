#pragma once

#include "HttpRequest.h"
#include "HttpResponse.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkRequest;

namespace dust {

class HttpStream;

// Sends HttpRequests with QNetworkAccessManager and reports each outcome once, as an
// HttpResponse, on the exchange's thread. It adds `Authorization: Bearer <token>` and
// `Accept: application/json`, never uses the HTTP cache, applies the transfer timeout and
// the response size limit, and aborts a request whose `cancelWith` future is cancelled.
//
// Nothing is retried, and a write (Route::Write) reaches the server at most once: Qt on its
// own re-sends a request whose connection closes before any answer, so writes go out on a
// manager of their own, each on a fresh connection, with a body Qt cannot rewind; such a
// close then ends with QNetworkReply::ContentReSendError instead of a second send. Reads
// share pooled connections and may be re-sent by Qt; they are safe.
class HttpExchange : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(const HttpResponse &)>;

    explicit HttpExchange(QObject *parent = nullptr);
    // Finishes every pending request as closing (closeAll()).
    ~HttpExchange() override;

    void setToken(const QString &token);

    // A request that sends or receives nothing for this long fails. 0 = never.
    void setTransferTimeout(std::chrono::milliseconds timeout) { m_transferTimeout = timeout; }
    std::chrono::milliseconds transferTimeout() const { return m_transferTimeout; }
    // A response body larger than this is cut off (HttpResponse::tooLarge). Error bodies are
    // cut off at 64 KiB already.
    void setMaxResponseBytes(qint64 bytes) { m_maxResponseBytes = bytes; }
    qint64 maxResponseBytes() const { return m_maxResponseBytes; }

    // Sends `request` and calls `onDone` once with what came back.
    void send(const HttpRequest &request, Handler onDone);
    // Sends the GET `request` and hands its answer's body over as it arrives (HttpStream),
    // without the response size limit: for bodies of any length read piece by piece.
    std::unique_ptr<HttpStream> stream(const HttpRequest &request);
    // Aborts every running request; each reports HttpResponse::closing.
    void closeAll();

private:
    QNetworkRequest networkRequest(const HttpRequest &request) const;

    QNetworkAccessManager *m_nam;      // reads
    QNetworkAccessManager *m_writeNam; // writes: one fresh connection each
    QByteArray m_authorization;
    std::chrono::milliseconds m_transferTimeout{0};
    qint64 m_maxResponseBytes = 0;
};

} // namespace dust
