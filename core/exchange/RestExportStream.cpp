#include "exchange/RestExportStream.h"

#include "transport/HttpStream.h"

namespace dust {

RestExportStream::RestExportStream(std::unique_ptr<HttpStream> stream, QObject *parent)
    : QObject(parent)
    , m_stream(std::move(stream))
{
    connect(m_stream.get(), &HttpStream::readyRead, this, &RestExportStream::pump);
    connect(m_stream.get(), &HttpStream::finished, this, &RestExportStream::pump);
}

RestExportStream::~RestExportStream() = default;

void RestExportStream::pieceConsumed()
{
    --m_waiting;
    pump();
}

void RestExportStream::cancel()
{
    if (m_over)
        return;
    m_over = true;
    m_stream->disconnect(this);
    m_stream->abort();
}

void RestExportStream::pump()
{
    while (!m_over && m_waiting < kWindow && m_stream->bytesAvailable() > 0) {
        const QByteArray bytes = m_stream->read(kPieceBytes);
        m_bytesRead += bytes.size();
        ++m_waiting;
        emit piece(bytes);
    }
    if (m_over || !m_stream->isFinished() || m_stream->bytesAvailable() > 0 || m_waiting > 0)
        return;
    m_over = true;
    if (!m_stream->error())
        emit done();
    else if (m_stream->status() > 0 && !m_stream->isSuccess())
        emit refused(*m_stream->error());
    else
        emit failed(*m_stream->error());
}

} // namespace dust
