#include "EventFrameDecoder.h"

#include "EventFrameDecoderImpl.h"
#include "protocol/JsonBytes.h"
#include "protocol/RawPath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringEncoder>

#include <cmath>
#include <cstring>
#include <limits>

namespace dust {

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
    // Not QJsonDocument::fromJson: it drops a leading U+FEFF of a string, as the simdjson
    // backend does not ("\ufeffbom/x" is not "bom/x").
    const QJsonDocument doc = jsonbytes::parseDocument(frameBytes, &parseError);
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
