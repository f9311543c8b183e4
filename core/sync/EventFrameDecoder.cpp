#include "EventFrameDecoder.h"

#include "protocol/JsonBytes.h"
#include "protocol/RawPath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringEncoder>

#include <cmath>
#include <cstring>
#include <limits>

#ifdef DUST_HAVE_SIMDJSON
#include <simdjson.h>
#endif

namespace dust {

namespace {

QByteArrayView qv(std::string_view s)
{
    return QByteArrayView(s.data(), qsizetype(s.size()));
}

std::string_view sv(QByteArrayView v)
{
    return {v.data(), size_t(v.size())};
}

using Result = Expected<DecodedFrame, QString>;

Result failure(const QString &message)
{
    return Result::failure(message);
}

Result failure(const char *message)
{
    return Result::failure(QString::fromLatin1(message));
}

DecodedFrame::Kind kindForEvent(std::string_view event)
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

constexpr qsizetype Padding = 64; // simdjson reads up to this many bytes past the end

} // namespace

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

// ---------------------------------------------------------------------------------------
// QJsonDocument backend

namespace {

// A positive (or, with allowZero, non-negative) integer held by a JSON number.
std::optional<qint64> qjsonSeq(const QJsonValue &v, bool allowZero)
{
    if (!v.isDouble())
        return std::nullopt;
    const QVariant variant = v.toVariant();
    qint64 n = 0;
    if (variant.typeId() == QMetaType::LongLong) {
        n = variant.toLongLong();
    } else {
        const double d = v.toDouble();
        if (!std::isfinite(d) || std::floor(d) != d || std::abs(d) > 9.0e15)
            return std::nullopt;
        n = qint64(d);
    }
    if (n < 0 || (n == 0 && !allowZero))
        return std::nullopt;
    return n;
}

} // namespace

Result EventFrameDecoder::Impl::decodeQJson(QByteArrayView frameBytes)
{
    owned.clear();
    // QJsonDocument forgives a few things JSON forbids (unknown escapes like "\q"): check
    // the grammar first so that both backends accept exactly the same frames.
    if (!jsonbytes::isValid(sv(frameBytes)))
        return failure("frame is not valid JSON");
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(frameBytes.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return failure(QStringLiteral("frame is not valid JSON: ") + parseError.errorString());
    if (!doc.isArray())
        return failure("frame is not a JSON array");
    const QJsonArray a = doc.array();
    if (a.size() > 5)
        return failure("frame has more than 5 elements");
    if (a.size() < 5)
        return failure("frame must have 5 elements");

    DecodedFrame frame;
    for (int i = 0; i < 2; ++i) {
        const QJsonValue v = a.at(i);
        std::optional<QByteArrayView> &slot = i == 0 ? frame.joinRef : frame.ref;
        if (v.isNull())
            slot.reset();
        else if (v.isString())
            slot = keep(v.toString().toUtf8());
        else
            return failure("join_ref and ref must be strings or null");
    }
    if (!a.at(2).isString())
        return failure("topic must be a string");
    frame.topic = keep(a.at(2).toString().toUtf8());
    if (!a.at(3).isString())
        return failure("event must be a string");
    frame.event = keep(a.at(3).toString().toUtf8());
    frame.kind = kindForEvent(sv(frame.event));
    const QJsonValue payload = a.at(4);

    switch (frame.kind) {
    case DecodedFrame::Kind::Event: {
        if (!payload.isObject())
            return failure("the payload of an event must be an object");
        const QJsonObject o = payload.toObject();
        EventView &e = frame.change;
        const auto seq = qjsonSeq(o.value(QLatin1String("store_seq")), false);
        if (!o.contains(QLatin1String("store_seq")))
            return failure("event lacks store_seq");
        if (!seq)
            return failure("event store_seq must be a positive integer");
        e.storeSeq = *seq;
        const QJsonValue op = o.value(QLatin1String("op"));
        if (!op.isString())
            return failure(op.isUndefined() ? "event lacks op" : "event op must be a string");
        e.opText = keep(op.toString().toUtf8());
        e.op = opFromBytes(e.opText);

        const QJsonValue segments = o.value(QLatin1String("path_segments"));
        const QJsonValue path = o.value(QLatin1String("path"));
        if (!segments.isUndefined() && !segments.isNull()) {
            if (!segments.isArray())
                return failure("event path_segments must be an array of strings");
            const QJsonArray list = segments.toArray();
            if (list.isEmpty())
                return failure("event path_segments is empty");
            QByteArray rendered;
            for (qsizetype i = 0; i < list.size(); ++i) {
                if (!list.at(i).isString())
                    return failure("event path_segments must be an array of strings");
                const QByteArray segment = list.at(i).toString().toUtf8();
                if (segment.isEmpty())
                    return failure("event path_segments holds an empty segment");
                if (i > 0)
                    rendered.append('/');
                rawpath::appendEscaped(rendered, rawpath::view(segment));
            }
            e.path = keep(std::move(rendered));
        } else if (path.isString()) {
            const QByteArray rendered = path.toString().toUtf8();
            if (!rawpath::isValid(rawpath::view(rendered)))
                return failure(QStringLiteral("event path is not a valid path: ") +
                               path.toString());
            e.path = keep(rendered);
        } else if (path.isUndefined() || path.isNull()) {
            return failure("event lacks path and path_segments");
        } else {
            return failure("event path must be a string");
        }
        e.value = keep(jsonbytes::fromJsonValue(o.value(QLatin1String("value"))));
        e.checked = true; // a rendered (checked) path and compact JSON from Qt
        for (const auto &[key, slot] : {std::pair{QLatin1String("device_id"), &e.deviceId},
                                        std::pair{QLatin1String("client_op_id"), &e.clientOpId}}) {
            const QJsonValue v = o.value(key);
            if (v.isString())
                *slot = keep(v.toString().toUtf8());
            else if (!v.isUndefined() && !v.isNull())
                return failure(QStringLiteral("event %1 must be a string").arg(key));
        }
        break;
    }
    case DecodedFrame::Kind::CatchUpComplete: {
        if (!payload.isObject())
            return failure("the payload of catch_up_complete must be an object");
        const auto seq = qjsonSeq(payload.toObject().value(QLatin1String("through_seq")), true);
        if (!seq)
            return failure("catch_up_complete through_seq must be a non-negative integer");
        frame.throughSeq = *seq;
        break;
    }
    case DecodedFrame::Kind::Snapshot: {
        if (!payload.isObject())
            return failure("the payload of a snapshot must be an object");
        const QJsonObject o = payload.toObject();
        const auto seq = qjsonSeq(o.value(QLatin1String("snapshot_seq")), true);
        if (!seq)
            return failure("snapshot snapshot_seq must be a non-negative integer");
        frame.snapshot.snapshotSeq = *seq;
        const QJsonValue entries = o.value(QLatin1String("entries"));
        if (!entries.isObject())
            return failure("snapshot entries must be an object");
        const QJsonObject map = entries.toObject();
        frame.snapshot.entries.reserve(size_t(map.size()));
        owned.reserve(size_t(map.size()) * 3 + 8);
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QByteArray path = it.key().toUtf8();
            if (!rawpath::isValid(rawpath::view(path)))
                return failure(
                    QStringLiteral("snapshot entry '%1' has an invalid path").arg(it.key()));
            if (!it.value().isObject())
                return failure(
                    QStringLiteral("snapshot entry '%1' is not an object").arg(it.key()));
            const QJsonObject entry = it.value().toObject();
            SnapshotEntryView view;
            view.path = keep(path);
            QByteArray value = jsonbytes::fromJsonValue(entry.value(QLatin1String("value")));
            if (auto inner = jsonbytes::scalarWrapperInner(jsonbytes::view(value)))
                value = QByteArray(inner->data(), qsizetype(inner->size()));
            view.value = keep(std::move(value));
            const QJsonValue type = entry.value(QLatin1String("type"));
            if (type.isString())
                view.type = keep(type.toString().toUtf8());
            else if (!type.isUndefined() && !type.isNull())
                return failure(
                    QStringLiteral("snapshot entry '%1' has a non-string type").arg(it.key()));
            frame.snapshot.entries.push_back(view);
        }
        break;
    }
    case DecodedFrame::Kind::Reply: {
        if (!payload.isObject())
            return failure("the payload of a reply must be an object");
        const QJsonObject o = payload.toObject();
        if (!o.value(QLatin1String("status")).isString())
            return failure("reply status must be a string");
        frame.replyStatus = keep(o.value(QLatin1String("status")).toString().toUtf8());
        frame.payload = keep(jsonbytes::fromJsonValue(o.value(QLatin1String("response"))));
        break;
    }
    case DecodedFrame::Kind::Other:
        frame.payload = keep(jsonbytes::fromJsonValue(payload));
        break;
    }
    return frame;
}

// ---------------------------------------------------------------------------------------
// simdjson on-demand backend: error codes only, nothing here throws.

#ifdef DUST_HAVE_SIMDJSON

namespace {

namespace od = simdjson::ondemand;

Result simdFailure(const char *what, simdjson::error_code error)
{
    return failure(QString::fromLatin1(what) + QStringLiteral(" (") +
                   QString::fromLatin1(simdjson::error_message(error)) + QLatin1Char(')'));
}

bool rawValue(od::value &v, std::string_view &out)
{
    if (simdjson::to_json_string(v).get(out))
        return false;
    return jsonbytes::isValid(out);
}

std::optional<qint64> simdSeq(od::value &v, bool allowZero)
{
    int64_t n = 0;
    if (v.get_int64().get(n))
        return std::nullopt;
    if (n < 0 || (n == 0 && !allowZero))
        return std::nullopt;
    return qint64(n);
}

// True if a string body holds a backslash or a control byte (word-at-a-time test).
bool hasEscapeOrControl(std::string_view s)
{
    constexpr quint64 ones = 0x0101010101010101ull;
    constexpr quint64 highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        quint64 w;
        std::memcpy(&w, s.data() + i, 8);
        const quint64 b = w ^ (ones * '\\');
        const quint64 hits = ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
        if (hits & highs)
            return true;
    }
    for (; i < s.size(); ++i)
        if (s[i] == '\\' || static_cast<unsigned char>(s[i]) < 0x20)
            return true;
    return false;
}

// A string value read straight from the input when it has no escapes (the usual case),
// unescaped by simdjson otherwise. Returns false if the value is not a string.
bool fastString(od::value &v, std::string_view &out)
{
    std::string_view token = v.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                              token.back() == '\t'))
        token.remove_suffix(1);
    if (token.size() < 2 || token.front() != '"' || token.back() != '"')
        return false;
    const std::string_view inner = token.substr(1, token.size() - 2);
    if (hasEscapeOrControl(inner))
        return !v.get_string().get(out); // escapes (or invalid control bytes): unescape
    out = inner;
    return true;
}

// Like fastString, also accepting null (out = nullopt).
bool fastStringOrNull(od::value &v, std::optional<std::string_view> &out)
{
    std::string_view s;
    if (fastString(v, s)) {
        out = s;
        return true;
    }
    bool isNull = false;
    if (v.is_null().get(isNull) || !isNull)
        return false;
    out.reset();
    return true;
}

// Decodes an `event` payload into `e`; returns why it is malformed, or nullptr.
const char *decodeEventPayload(od::object &object, EventView &e, std::string &pathBuffer)
{
    using namespace std::string_view_literals;
    bool haveSeq = false;
    bool haveOp = false;
    bool haveSegments = false;
    bool pathMistyped = false;
    std::optional<std::string_view> path;
    std::string_view value = "null"sv;
    const char *badPath = nullptr;
    for (auto fieldResult : object) {
        od::raw_json_string rawKey;
        od::value fv;
        if (fieldResult.key().get(rawKey))
            return "event payload is not valid JSON";
        // Keys are compared in place unless they hold an escape (servers never escape
        // these plain names, but a key like "v\u0061lue" is still "value").
        std::string_view key;
        const char *k = rawKey.raw();
        while (*k != '"' && *k != '\\')
            ++k;
        if (*k == '"') {
            key = std::string_view(rawKey.raw(), size_t(k - rawKey.raw()));
        } else if (fieldResult.unescaped_key().get(key)) {
            return "event payload is not valid JSON";
        }
        if (fieldResult.value().get(fv))
            return "event payload is not valid JSON";
        if (key == "store_seq"sv) {
            int64_t n = 0;
            if (fv.get_int64().get(n) || n < 1)
                return "event store_seq must be a positive integer";
            e.storeSeq = n;
            haveSeq = true;
        } else if (key == "op"sv) {
            std::string_view op;
            if (!fastString(fv, op))
                return "event op must be a string";
            e.opText = qv(op);
            haveOp = true;
        } else if (key == "path"sv) {
            // Only an error if path_segments is absent (it wins when present).
            pathMistyped = !fastStringOrNull(fv, path);
            if (pathMistyped)
                path.reset();
        } else if (key == "path_segments"sv) {
            bool isNull = false;
            if (!fv.is_null().get(isNull) && isNull) {
                haveSegments = false;
                continue;
            }
            od::array segments;
            if (fv.get_array().get(segments))
                return "event path_segments must be an array of strings";
            pathBuffer.clear();
            bool first = true;
            badPath = nullptr;
            for (auto segmentResult : segments) {
                od::value segmentValue;
                std::string_view segment;
                if (segmentResult.get(segmentValue) || !fastString(segmentValue, segment))
                    return "event path_segments must be an array of strings";
                if (segment.empty())
                    badPath = "event path_segments holds an empty segment";
                if (!first)
                    pathBuffer.push_back('/');
                first = false;
                rawpath::appendEscaped(pathBuffer, segment);
            }
            if (first)
                badPath = "event path_segments is empty";
            haveSegments = true;
        } else if (key == "value"sv) {
            if (!rawValue(fv, value))
                return "event value is not valid JSON";
        } else if (key == "device_id"sv) {
            std::optional<std::string_view> s;
            if (!fastStringOrNull(fv, s))
                return "event device_id must be a string";
            e.deviceId = s ? qv(*s) : QByteArrayView();
        } else if (key == "client_op_id"sv) {
            std::optional<std::string_view> s;
            if (!fastStringOrNull(fv, s))
                return "event client_op_id must be a string";
            e.clientOpId = s ? qv(*s) : QByteArrayView();
        }
    }
    if (!haveSeq)
        return "event lacks store_seq";
    if (!haveOp)
        return "event lacks op";
    if (haveSegments) {
        if (badPath)
            return badPath;
        e.path = qv(pathBuffer);
    } else if (pathMistyped) {
        return "event path must be a string";
    } else if (path) {
        if (!rawpath::isValid(*path))
            return "event path is not a valid path";
        e.path = qv(*path);
    } else {
        return "event lacks path and path_segments";
    }
    e.op = opFromBytes(e.opText);
    e.value = qv(value);
    e.checked = true;
    return nullptr;
}

} // namespace

Result EventFrameDecoder::Impl::decodeSimd(size_t length)
{
    od::document doc;
    auto error =
        parser.iterate(simdjson::padded_string_view(input.constData(), length, length + Padding))
            .get(doc);
    if (error)
        return simdFailure("frame is not valid JSON", error);
    od::array array;
    if ((error = doc.get_array().get(array)))
        return simdFailure("frame is not a JSON array", error);

    DecodedFrame frame;
    size_t index = 0;
    for (auto element : array) {
        od::value v;
        if ((error = element.get(v)))
            return simdFailure("frame is not valid JSON", error);
        switch (index) {
        case 0:
        case 1: {
            std::optional<std::string_view> s;
            if (!fastStringOrNull(v, s))
                return failure("join_ref and ref must be strings or null");
            (index == 0 ? frame.joinRef : frame.ref) =
                s ? std::optional<QByteArrayView>(qv(*s)) : std::nullopt;
            break;
        }
        case 2:
        case 3: {
            std::string_view s;
            if (!fastString(v, s))
                return failure(index == 2 ? "topic must be a string" : "event must be a string");
            (index == 2 ? frame.topic : frame.event) = qv(s);
            if (index == 3)
                frame.kind = kindForEvent(s);
            break;
        }
        case 4:
            switch (frame.kind) {
            case DecodedFrame::Kind::Event: {
                od::object object;
                if (v.get_object().get(object))
                    return failure("the payload of an event must be an object");
                if (const char *problem = decodeEventPayload(object, frame.change, pathBuffer))
                    return failure(problem);
                break;
            }
            case DecodedFrame::Kind::CatchUpComplete: {
                od::object object;
                if (v.get_object().get(object))
                    return failure("the payload of catch_up_complete must be an object");
                bool have = false;
                for (auto fieldResult : object) {
                    od::field field;
                    std::string_view key;
                    if (std::move(fieldResult).get(field) || field.unescaped_key().get(key))
                        return failure("catch_up_complete payload is not valid JSON");
                    if (key == "through_seq") {
                        const auto seq = simdSeq(field.value(), true);
                        if (!seq)
                            return failure(
                                "catch_up_complete through_seq must be a non-negative integer");
                        frame.throughSeq = *seq;
                        have = true;
                    }
                }
                if (!have)
                    return failure("catch_up_complete through_seq must be a non-negative integer");
                break;
            }
            case DecodedFrame::Kind::Snapshot: {
                od::object object;
                if (v.get_object().get(object))
                    return failure("the payload of a snapshot must be an object");
                bool haveSeq = false;
                bool haveEntries = false;
                for (auto fieldResult : object) {
                    od::field field;
                    std::string_view key;
                    if (std::move(fieldResult).get(field) || field.unescaped_key().get(key))
                        return failure("snapshot payload is not valid JSON");
                    if (key == "snapshot_seq") {
                        const auto seq = simdSeq(field.value(), true);
                        if (!seq)
                            return failure("snapshot snapshot_seq must be a non-negative integer");
                        frame.snapshot.snapshotSeq = *seq;
                        haveSeq = true;
                    } else if (key == "entries") {
                        od::object entries;
                        if (field.value().get_object().get(entries))
                            return failure("snapshot entries must be an object");
                        frame.snapshot.entries.clear();
                        for (auto entryResult : entries) {
                            od::field entryField;
                            std::string_view path;
                            if (std::move(entryResult).get(entryField) ||
                                entryField.unescaped_key().get(path))
                                return failure("snapshot entries are not valid JSON");
                            if (!rawpath::isValid(path))
                                return failure(
                                    QStringLiteral("snapshot entry '%1' has an invalid path")
                                        .arg(QString::fromUtf8(qv(path))));
                            od::object entry;
                            if (entryField.value().get_object().get(entry))
                                return failure(
                                    QStringLiteral("snapshot entry '%1' is not an object")
                                        .arg(QString::fromUtf8(qv(path))));
                            SnapshotEntryView view;
                            view.path = qv(path);
                            std::string_view value = "null";
                            for (auto partResult : entry) {
                                od::field part;
                                std::string_view partKey;
                                if (std::move(partResult).get(part) ||
                                    part.unescaped_key().get(partKey))
                                    return failure("snapshot entries are not valid JSON");
                                if (partKey == "value") {
                                    if (!rawValue(part.value(), value))
                                        return failure(
                                            QStringLiteral(
                                                "snapshot entry '%1' has an invalid value")
                                                .arg(QString::fromUtf8(qv(path))));
                                } else if (partKey == "type") {
                                    std::optional<std::string_view> type;
                                    if (!fastStringOrNull(part.value(), type))
                                        return failure(
                                            QStringLiteral(
                                                "snapshot entry '%1' has a non-string type")
                                                .arg(QString::fromUtf8(qv(path))));
                                    view.type = type ? qv(*type) : QByteArrayView();
                                }
                            }
                            if (auto inner = jsonbytes::scalarWrapperInner(value))
                                value = *inner;
                            view.value = qv(value);
                            frame.snapshot.entries.push_back(view);
                        }
                        haveEntries = true;
                    }
                }
                if (!haveSeq)
                    return failure("snapshot snapshot_seq must be a non-negative integer");
                if (!haveEntries)
                    return failure("snapshot entries must be an object");
                break;
            }
            case DecodedFrame::Kind::Reply: {
                od::object object;
                if (v.get_object().get(object))
                    return failure("the payload of a reply must be an object");
                std::optional<std::string_view> status;
                std::string_view response = "null";
                for (auto fieldResult : object) {
                    od::field field;
                    std::string_view key;
                    if (std::move(fieldResult).get(field) || field.unescaped_key().get(key))
                        return failure("reply payload is not valid JSON");
                    if (key == "status") {
                        std::string_view s;
                        if (field.value().get_string().get(s))
                            return failure("reply status must be a string");
                        status = s;
                    } else if (key == "response") {
                        if (!rawValue(field.value(), response))
                            return failure("reply response is not valid JSON");
                    }
                }
                if (!status)
                    return failure("reply status must be a string");
                frame.replyStatus = qv(*status);
                frame.payload = qv(response);
                break;
            }
            case DecodedFrame::Kind::Other: {
                std::string_view payload;
                if (!rawValue(v, payload))
                    return failure("payload is not valid JSON");
                frame.payload = qv(payload);
                break;
            }
            }
            break;
        default:
            return failure("frame has more than 5 elements");
        }
        ++index;
    }
    if (index != 5)
        return failure("frame must have 5 elements");
    const char *rest = nullptr;
    if (!doc.current_location().get(rest)) // OUT_OF_BOUNDS is the good case
        return failure("frame has content after its end");
    return frame;
}

#endif // DUST_HAVE_SIMDJSON

// ---------------------------------------------------------------------------------------

EventFrameDecoder::EventFrameDecoder(Backend backend)
    : d(std::make_unique<Impl>())
{
    d->backend = (backend != Backend::QJsonDocument && simdjsonAvailable())
                     ? Backend::Simdjson
                     : Backend::QJsonDocument;
}

EventFrameDecoder::~EventFrameDecoder() = default;

bool EventFrameDecoder::simdjsonAvailable()
{
#ifdef DUST_HAVE_SIMDJSON
    return true;
#else
    return false;
#endif
}

EventFrameDecoder::Backend EventFrameDecoder::backend() const
{
    return d->backend;
}

Expected<DecodedFrame, QString> EventFrameDecoder::decode(QByteArrayView frame)
{
    d->releaseAfterBigFrame(frame.size());
#ifdef DUST_HAVE_SIMDJSON
    if (d->backend == Backend::Simdjson) {
        d->setInput(frame);
        return d->decodeSimd(size_t(frame.size()));
    }
#endif
    return d->decodeQJson(frame);
}

Expected<DecodedFrame, QString> EventFrameDecoder::decode(QStringView frame)
{
    d->releaseAfterBigFrame(frame.size() * 3);
    // UTF-16 to UTF-8 straight into the padded input buffer.
    d->input.resize(d->encoder.requiredSpace(frame.size()) + Padding);
    char *end = d->encoder.appendToBuffer(d->input.data(), frame);
    d->encoder.resetState();
    const qsizetype length = end - d->input.constData();
    std::memset(d->input.data() + length, 0, Padding);
#ifdef DUST_HAVE_SIMDJSON
    if (d->backend == Backend::Simdjson)
        return d->decodeSimd(size_t(length));
#endif
    return d->decodeQJson(QByteArrayView(d->input.constData(), length));
}

} // namespace dust
