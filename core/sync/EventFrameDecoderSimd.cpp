#include "EventFrameDecoderImpl.h"

// The simdjson backend: event frames read in place from the padded input buffer.
#ifdef DUST_HAVE_SIMDJSON

#include "protocol/JsonBytes.h"
#include "protocol/RawPath.h"

#include <cmath>
#include <limits>

namespace dust {

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

} // namespace dust

#endif // DUST_HAVE_SIMDJSON
