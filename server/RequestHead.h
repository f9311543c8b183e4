#pragma once

#include "HttpExchange.h"

#include "protocol/Expected.h"

#include <QByteArray>
#include <QList>

#include <optional>
#include <utility>

namespace dust::lite {

// One request head (request line and header fields), read strictly (RFC 9112) as its bytes
// arrive, so that dustlite and Qt's HTTP parser can never disagree on where a request ends:
// lines end in CRLF, no control characters, no folded lines, no space before a colon, at
// most so many bytes and header lines. What it refuses is answered by the connection's guard.
class RequestHead
{
public:
    enum class Progress { NeedMore, Complete, Invalid };

    // How a request's body is delimited, from its Content-Length / Transfer-Encoding.
    struct Framing
    {
        enum class Kind { None, Length, Chunked };
        Kind kind = Kind::None;
        qint64 length = 0; // for Kind::Length
        bool hasBody() const { return kind == Kind::Chunked || length > 0; }
    };

    RequestHead(qsizetype maxBytes, int maxFields);

    // Reads on: `received` is everything that has arrived of this request so far (the same
    // bytes as last time, and more). Complete once the empty line is seen; Invalid with
    // problem() as soon as a byte shows the head cannot be read.
    Progress feed(QByteArrayView received);

    // The answer to an invalid head (400, 431, 505), JSON error body.
    const HttpResponse &problem() const { return m_problem; }
    // Bytes from the start of the request to the end of the empty line (once Complete).
    qsizetype size() const { return m_pos; }

    const QByteArray &method() const { return m_method; }
    const QByteArray &target() const { return m_target; } // as sent, still percent-encoded
    // The first value of a header field (name case-insensitive); nullopt when absent.
    std::optional<QByteArray> field(QByteArrayView name) const;
    QList<QByteArray> fields(QByteArrayView name) const;
    bool isWebSocketUpgrade() const;

    // The body's delimitation, or the 400 answer when it is ambiguous (a Content-Length that
    // is not one plain decimal number, two different ones, one beside Transfer-Encoding, a
    // transfer coding other than chunked).
    Expected<Framing, HttpResponse> framing() const;

private:
    Progress fail(int status, const QString &detail);
    Progress endOfLine(QByteArrayView line);
    Progress readRequestLine(QByteArrayView line);
    Progress checkByte(char c);

    qsizetype m_maxBytes;
    int m_maxFields;
    qsizetype m_pos = 0;       // bytes read so far
    qsizetype m_lineStart = 0; // where the current line starts
    bool m_inRequestLine = true;
    bool m_sawColon = false; // in the current header line
    bool m_sawCr = false;
    Progress m_progress = Progress::NeedMore;
    HttpResponse m_problem;

    QByteArray m_method;
    QByteArray m_target;
    QList<std::pair<QByteArray, QByteArray>> m_fields; // names in lower case
};

} // namespace dust::lite
