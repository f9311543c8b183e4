#pragma once

#include "HttpResponse.h"
#include "protocol/Error.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>

#include <optional>

class QNetworkReply;

namespace dust {

// One GET whose successful answer is read as it arrives instead of being buffered whole
// (HttpTransport::exportStream): the reader takes the body in pieces with read() whenever
// readyRead() says bytes wait, and may leave them waiting for a while. Qt then stops reading
// the socket once its buffer (kBufferBytes) is full, so the server is held back and memory
// stays bounded however long the body is.
//
// An answer other than 2xx is never handed out: its body (at most 64 KiB) is kept and read
// as HttpTransport reads any refusal (error() then says 404 NotImplemented for a missing
// route, 403 Forbidden, ...). The transfer timeout of the transport applies; the transport's
// closing aborts the request (error() Cancelled).
//
// Lives on the transport's thread. Destroying it aborts the request.
class HttpStream : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 kBufferBytes = 1024 * 1024;

    // `reply` is a running GET; `base` describes it for error messages. Takes the reply.
    HttpStream(QNetworkReply *reply, HttpResponse base, QObject *parent = nullptr);
    ~HttpStream() override;

    // The HTTP status once the answer's head arrived (0 before, and when none came).
    int status() const { return m_status; }
    // Whether the answer is a 2xx, whose body readyRead() announces.
    bool isSuccess() const { return m_status >= 200 && m_status < 300; }
    bool isFinished() const { return m_finished; }
    // Body bytes of a 2xx answer received and not read yet.
    qint64 bytesAvailable() const;
    // At most `maxBytes` of them.
    QByteArray read(qint64 maxBytes);
    // After finished(): why the request failed (no 2xx answer, or the body broke off), or
    // nothing when the whole body arrived.
    const std::optional<Error> &error() const { return m_error; }
    // Stops the request; finished() follows with error() Cancelled.
    void abort();

signals:
    // Body bytes of a 2xx answer arrived.
    void readyRead();
    // Exactly once, when the request ended; bytes may still wait to be read.
    void finished();

private:
    void onMetaData();
    void onReadyRead();
    void onFinished();

    QPointer<QNetworkReply> m_reply;
    HttpResponse m_base;
    QByteArray m_errorBody;
    std::optional<Error> m_error;
    int m_status = 0;
    bool m_cancelled = false;
    bool m_finished = false;
};

} // namespace dust
