#pragma once

#include "protocol/Error.h"

#include <QByteArray>
#include <QObject>

#include <memory>

namespace dust {

class HttpStream;

// The server's GET …/export?format=jsonl (HttpTransport::exportStream) read on the thread it
// lives on and handed on in pieces of at most kPieceBytes as they arrive, with at most
// kWindow pieces waiting to be consumed (pieceConsumed()). While the window is full nothing
// is read: Qt's buffer fills, Qt stops reading the socket and the server waits, so memory
// stays bounded however big the store.
//
// It ends with exactly one of done() (the whole body was handed on and consumed), refused()
// (the server answered with a refusal, nothing was handed on: 404 or 405 of a server without
// the route, 403, ...), or failed() (no answer, or the body broke off).
class RestExportStream : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 kPieceBytes = 256 * 1024;
    static constexpr int kWindow = 2;

    explicit RestExportStream(std::unique_ptr<HttpStream> stream, QObject *parent = nullptr);
    ~RestExportStream() override;

    // The receiver finished with one piece: more may be read.
    void pieceConsumed();
    // Stops reading and aborts the request; nothing more is emitted.
    void cancel();
    // Body bytes handed on so far.
    qint64 bytesRead() const { return m_bytesRead; }

signals:
    void piece(const QByteArray &bytes);
    void done();
    void refused(const dust::Error &error);
    void failed(const dust::Error &error);

private:
    void pump();

    std::unique_ptr<HttpStream> m_stream;
    qint64 m_bytesRead = 0;
    int m_waiting = 0; // pieces handed on and not consumed yet
    bool m_over = false;
};

} // namespace dust
