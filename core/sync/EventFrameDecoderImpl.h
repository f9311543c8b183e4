#pragma once

// The decoder's state and the helpers its two backends share (QJsonDocument in
// EventFrameDecoder.cpp, simdjson in EventFrameDecoderSimd.cpp). Private to dust_sync.

#include "EventFrameDecoder.h"

#include <QByteArray>
#include <QStringEncoder>

#include <cstring>
#include <string>
#include <vector>

#ifdef DUST_HAVE_SIMDJSON
#include <simdjson.h>
#endif

namespace dust {

namespace framedecoding {

inline QByteArrayView qv(std::string_view s)
{
    return QByteArrayView(s.data(), qsizetype(s.size()));
}

inline std::string_view sv(QByteArrayView v)
{
    return {v.data(), size_t(v.size())};
}

using Result = Expected<DecodedFrame, QString>;

inline Result failure(const QString &message)
{
    return Result::failure(message);
}

inline Result failure(const char *message)
{
    return Result::failure(QString::fromLatin1(message));
}

inline DecodedFrame::Kind kindForEvent(std::string_view event)
{
    if (event == "event")
        return DecodedFrame::Kind::Event;
    if (event == "catch_up_complete")
        return DecodedFrame::Kind::CatchUpComplete;
    if (event == "snapshot")
        return DecodedFrame::Kind::Snapshot;
    if (event == "phx_reply")
        return DecodedFrame::Kind::Reply;
    return DecodedFrame::Kind::Other;
}

inline constexpr qsizetype Padding = 64; // simdjson reads up to this many bytes past the end

} // namespace framedecoding

using namespace framedecoding;

struct EventFrameDecoder::Impl
{
    Backend backend = Backend::QJsonDocument;
    QByteArray input;              // the frame followed by Padding zero bytes
    std::string pathBuffer;        // rendered path built from path_segments
    std::vector<QByteArray> owned; // QJsonDocument backend: every byte string handed out
    QStringEncoder encoder{QStringEncoder::Utf8};

    QByteArrayView keep(QByteArray bytes)
    {
        owned.push_back(std::move(bytes));
        return owned.back();
    }

    // Copies the frame into `input`, followed by Padding zero bytes.
    void setInput(QByteArrayView frame)
    {
        input.resize(frame.size() + Padding);
        if (!frame.isEmpty())
            std::memcpy(input.data(), frame.data(), size_t(frame.size()));
        std::memset(input.data() + frame.size(), 0, Padding);
    }

    // After a big frame (a snapshot of a large store) the buffers sized for it are given
    // back once a normal frame comes: the previous frame's views are dead by then.
    void releaseAfterBigFrame(qsizetype nextFrameSize)
    {
        constexpr qsizetype Big = qsizetype(16) << 20;
        const bool holdsBig = input.capacity() > Big || owned.capacity() > 65536;
        if (!holdsBig || nextFrameSize > Big / 4)
            return;
        input = QByteArray();
        owned = std::vector<QByteArray>();
#ifdef DUST_HAVE_SIMDJSON
        parser = simdjson::ondemand::parser();
#endif
    }

    Result decodeQJson(QByteArrayView frame);
#ifdef DUST_HAVE_SIMDJSON
    simdjson::ondemand::parser parser;
    Result decodeSimd(size_t length);
#endif
};

} // namespace dust
