#pragma once

#include "RawEvent.h"
#include "protocol/Expected.h"

#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <memory>
#include <optional>
#include <vector>

namespace dust {

// One leaf of a `snapshot` frame: rendered path, value with {"_scalar": v} already
// unwrapped (dust-protocol.md §5.7), and type.
struct SnapshotEntryView
{
    QByteArrayView path;
    QByteArrayView value;
    QByteArrayView type;
};

struct SnapshotView
{
    qint64 snapshotSeq = 0;
    std::vector<SnapshotEntryView> entries;
};

// A decoded Phoenix V2 text frame `[join_ref, ref, topic, event, payload]` (§5.1), with the
// fields the sync path needs. Every view points into the decoder that produced it and is
// valid until that decoder's next decode() call.
struct DecodedFrame
{
    enum class Kind {
        Event,           // `event`: `change` holds it
        CatchUpComplete, // `catch_up_complete`: `throughSeq`
        Snapshot,        // `snapshot`: `snapshot`
        Reply,           // `phx_reply`: `replyStatus`, and `payload` = the response
        Other,           // any other event: `payload` = the payload as JSON text
    };

    Kind kind = Kind::Other;
    std::optional<QByteArrayView> joinRef; // nullopt for JSON null
    std::optional<QByteArrayView> ref;
    QByteArrayView topic;
    QByteArrayView event;

    EventView change;
    qint64 throughSeq = 0;
    SnapshotView snapshot;
    QByteArrayView replyStatus;
    QByteArrayView payload;
};

// Decodes server frames for bulk ingest: with simdjson on-demand when the build has it
// (DUST_HAVE_SIMDJSON), otherwise with QJsonDocument; both give the same results. Values
// come out as JSON text (no QJsonValue). A malformed frame (not JSON, not a 5-element array,
// a missing or mistyped field, an invalid path, an invalid value) gives a readable error and
// never throws or crashes. Fields the sync path does not use are skipped; their content is
// only checked as far as the JSON structure goes. Not thread-safe; one decoder per thread.
class EventFrameDecoder
{
public:
    enum class Backend { Auto, Simdjson, QJsonDocument };

    // Backend::Simdjson falls back to QJsonDocument in builds without simdjson.
    explicit EventFrameDecoder(Backend backend = Backend::Auto);
    ~EventFrameDecoder();
    EventFrameDecoder(const EventFrameDecoder &) = delete;
    EventFrameDecoder &operator=(const EventFrameDecoder &) = delete;

    static bool simdjsonAvailable();
    Backend backend() const;

    // `frame` is UTF-8 text.
    Expected<DecodedFrame, QString> decode(QByteArrayView frame);
    // A text frame as QWebSocket delivers it.
    Expected<DecodedFrame, QString> decode(QStringView frame);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace dust
