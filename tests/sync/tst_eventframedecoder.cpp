// Tests of dust::EventFrameDecoder: each frame kind, malformed frames, the simdjson and
// QJsonDocument backends agreeing on random frames, and thousands of mutated frames that
// must never crash. The randomized tests print their seed; set DUST_TEST_SEED to replay.

#include "protocol/Entry.h"
#include "protocol/JsonBytes.h"
#include "protocol/Path.h"
#include "protocol/RawPath.h"
#include "sync/EventFrameDecoder.h"
#include "sync/Mirror.h"

#include "TestSeed.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>

using namespace dust;
using dust::test::testSeed;

namespace {

using Backend = EventFrameDecoder::Backend;
using Field = QPair<QByteArray, QByteArray>;

std::string_view sv(QByteArrayView v)
{
    return {v.data(), size_t(v.size())};
}

QString text(QByteArrayView v)
{
    return QString::fromUtf8(v);
}

// JSON text in a canonical form (Qt's compact writer after parsing).
QString canonical(QByteArrayView json)
{
    return QString::fromUtf8(jsonbytes::fromJsonValue(jsonbytes::toJsonValue(sv(json))));
}

QString refText(const std::optional<QByteArrayView> &ref)
{
    return ref ? QStringLiteral("\"%1\"").arg(text(*ref)) : QStringLiteral("null");
}

// Everything a decoded frame says, as text that does not depend on the backend.
QString describe(const Expected<DecodedFrame, QString> &result)
{
    if (!result)
        return QStringLiteral("error");
    const DecodedFrame &f = *result;
    QStringList parts{QString::number(int(f.kind)), refText(f.joinRef), refText(f.ref),
                      text(f.topic), text(f.event)};
    switch (f.kind) {
    case DecodedFrame::Kind::Event: {
        const EventView &e = f.change;
        parts << QString::number(e.storeSeq) << QString::number(int(e.op)) << text(e.opText)
              << text(e.path) << canonical(e.value) << text(e.deviceId) << text(e.clientOpId)
              << (e.checked ? QStringLiteral("checked") : QStringLiteral("unchecked"));
        break;
    }
    case DecodedFrame::Kind::CatchUpComplete:
        parts << QString::number(f.throughSeq);
        break;
    case DecodedFrame::Kind::Snapshot: {
        parts << QString::number(f.snapshot.snapshotSeq);
        QStringList entries;
        for (const SnapshotEntryView &e : f.snapshot.entries)
            entries << text(e.path) + QLatin1Char('=') + canonical(e.value) + QLatin1Char(' ') +
                           text(e.type);
        entries.sort();
        parts << entries;
        break;
    }
    case DecodedFrame::Kind::Reply:
        parts << text(f.replyStatus) << canonical(f.payload);
        break;
    case DecodedFrame::Kind::Other:
        parts << canonical(f.payload);
        break;
    }
    return parts.join(QLatin1Char('|'));
}

QByteArray compact(const QJsonValue &v)
{
    return jsonbytes::fromJsonValue(v);
}

// Builds frames as text with fields in random order, random whitespace, and now and then
// JSON escapes where Qt would write plain characters.
class FrameMaker
{
public:
    explicit FrameMaker(quint32 seed)
        : rng(seed)
    {}
    QRandomGenerator rng;

    int below(int n) { return int(rng.bounded(n)); }
    bool chance(int percent) { return below(100) < percent; }

    QByteArray ws() { return chance(20) ? QByteArray(" \n\t\r").left(1 + below(4)) : QByteArray(); }

    // A JSON string literal, sometimes with needless escapes.
    QByteArray str(const QString &s)
    {
        QByteArray out = compact(QJsonValue(s));
        if (chance(30)) {
            out.replace("é", "\\u00e9");
            out.replace("/", "\\/");
            out.replace("a", "\\u0061");
        }
        return out;
    }

    QString segment()
    {
        static const QStringList segments = {
            QStringLiteral("users"),       QStringLiteral("a b"),    QStringLiteral("s/t"),
            QStringLiteral("x~y"),         QStringLiteral("é"),      QStringLiteral("😀"),
            QStringLiteral("*"),           QStringLiteral("~1"),     QStringLiteral("\"q\""),
            QStringLiteral("back\\slash"), QStringLiteral("tab\tx"), QStringLiteral("0")};
        return segments.at(below(int(segments.size())));
    }

    QJsonValue value(int depth = 2)
    {
        switch (below(depth > 0 ? 10 : 7)) {
        case 0:
            return QJsonValue(QJsonValue::Null);
        case 1:
            return QJsonValue(chance(50));
        case 2:
            return QJsonValue(qint64(below(1000000)) - 500000);
        case 3:
            return QJsonValue(below(1000) / 8.0 + 0.125);
        case 4:
        case 5:
            return QJsonValue(segment() + QStringLiteral(" \u00e9 \n end"));
        case 6:
            return QJsonValue(QStringLiteral("v%1").arg(below(100)));
        case 7: {
            QJsonArray a;
            for (int i = below(4); i > 0; --i)
                a.append(value(depth - 1));
            return a;
        }
        default: {
            QJsonObject o;
            for (int i = below(4); i > 0; --i)
                o.insert(segment(), value(depth - 1));
            return o;
        }
        }
    }

    QByteArray object(QList<QPair<QByteArray, QByteArray>> fields)
    {
        std::shuffle(fields.begin(), fields.end(), rng);
        QByteArray out = "{" + ws();
        for (qsizetype i = 0; i < fields.size(); ++i) {
            if (i > 0)
                out += "," + ws();
            out += str(QString::fromUtf8(fields[i].first)) + ws() + ":" + ws() + fields[i].second +
                   ws();
        }
        return out + "}";
    }

    QByteArray ref() { return chance(40) ? QByteArray("null") : str(QString::number(below(100))); }

    QByteArray frame(const QByteArray &event, const QByteArray &payload)
    {
        return ws() + "[" + ws() + ref() + "," + ws() + ref() + "," + ws() +
               str(QStringLiteral("store:acme/site")) + "," + ws() + str(QString::fromUtf8(event)) +
               "," + ws() + payload + ws() + "]" + ws();
    }

    // A valid event payload; with `breakIt`, one field is made invalid.
    QByteArray eventPayload(bool breakIt = false)
    {
        QList<QPair<QByteArray, QByteArray>> fields;
        QStringList segments;
        for (int i = 1 + below(3); i > 0; --i)
            segments.append(segment());
        const Path path = *Path::fromSegments(segments);
        static const char *ops[] = {"set",      "delete", "merge", "increment", "add",     "remove",
                                    "put_file", "lease",  "renew", "release",   "teleport"};
        fields.append(Field("store_seq", QByteArray::number(1 + below(100000))));
        fields.append(Field("op", str(QString::fromLatin1(ops[below(11)]))));
        const int pathForm = below(3);
        if (pathForm != 1)
            fields.append(Field("path", str(path.rendered())));
        if (pathForm != 2) {
            QByteArray list = "[";
            for (qsizetype i = 0; i < segments.size(); ++i)
                list += (i ? "," : "") + ws() + str(segments[i]);
            fields.append(Field("path_segments", list + "]"));
        }
        if (chance(85))
            fields.append(Field("value", compact(value())));
        fields.append(
            Field("device_id", chance(80) ? str(QStringLiteral("dev_1")) : QByteArray("null")));
        if (chance(90))
            fields.append(Field("client_op_id", str(QStringLiteral("op_%1").arg(below(1000)))));
        if (chance(30))
            fields.append(Field("extra", compact(value())));
        if (breakIt) {
            switch (below(8)) {
            case 0:
                fields[0].second = "\"12\"";
                break;
            case 1:
                fields[0].second = "0";
                break;
            case 2:
                fields.removeAt(0);
                break;
            case 3:
                fields[1].second = "7";
                break;
            case 4:
                fields.append(Field("path_segments", "[\"a\",5]"));
                fields.removeIf([](const auto &f) {
                    return f.first == "path_segments" && f.second != "[\"a\",5]";
                });
                break;
            case 5:
                fields.removeIf(
                    [](const auto &f) { return f.first == "path" || f.first == "path_segments"; });
                fields.append(Field("path", "\"a//b\""));
                break;
            case 6:
                fields.removeIf([](const auto &f) { return f.first == "client_op_id"; });
                fields.append(Field("client_op_id", "12"));
                break;
            default:
                fields.removeIf(
                    [](const auto &f) { return f.first == "path" || f.first == "path_segments"; });
                fields.append(Field("path_segments", "[]"));
                break;
            }
        }
        return object(fields);
    }

    QByteArray snapshotPayload()
    {
        QList<QPair<QByteArray, QByteArray>> entries;
        QSet<QString> seen;
        for (int i = below(6); i > 0; --i) {
            const QString p = Path::fromSegments({segment(), segment()})->rendered();
            if (seen.contains(p))
                continue;
            seen.insert(p);
            const QJsonValue v = value(1);
            const QByteArray stored = v.isObject() && chance(50)
                                          ? compact(v)
                                          : compact(QJsonObject{{QStringLiteral("_scalar"), v}});
            QList<QPair<QByteArray, QByteArray>> parts{{"value", stored}};
            if (chance(80))
                parts.append({"type", str(QStringLiteral("string"))});
            entries.append({p.toUtf8(), object(parts)});
        }
        return object(
            {{"snapshot_seq", QByteArray::number(below(1000))}, {"entries", object(entries)}});
    }

    QByteArray anyFrame()
    {
        switch (below(10)) {
        case 0:
            return frame("catch_up_complete",
                         object({{"through_seq", QByteArray::number(below(1000))}}));
        case 1:
            return frame("snapshot", snapshotPayload());
        case 2:
            return frame("phx_reply", object({{"status", str(QStringLiteral("ok"))},
                                              {"response", compact(value())}}));
        case 3:
            return frame("phx_error", compact(value()));
        default:
            return frame("event", eventPayload());
        }
    }
};

} // namespace

class TestEventFrameDecoder : public QObject
{
    Q_OBJECT

private slots:
    void backends();
    void decodesEvent_data();
    void decodesEvent();
    void pathSegmentsWin();
    void pathOnly();
    void escapedStrings();
    void catchUpComplete();
    void snapshot();
    void reply();
    void otherEvents();
    void keepsLeadingFeff_data();
    void keepsLeadingFeff();
    void malformedFrames_data();
    void malformedFrames();
    void decodesQString();
    void bigSnapshot();
    void backendsAgreeOnRandomFrames();
    void matchesChangeEventFromJson();
    void survivesMutatedFrames();
};

void TestEventFrameDecoder::backends()
{
    EventFrameDecoder automatic;
    EventFrameDecoder qjson(Backend::QJsonDocument);
    QCOMPARE(qjson.backend(), Backend::QJsonDocument);
    QCOMPARE(automatic.backend(),
             EventFrameDecoder::simdjsonAvailable() ? Backend::Simdjson : Backend::QJsonDocument);
    if (!EventFrameDecoder::simdjsonAvailable())
        qInfo("built without simdjson: both decoders use QJsonDocument");
}

void TestEventFrameDecoder::decodesEvent_data()
{
    QTest::addColumn<int>("backend");
    QTest::newRow("simdjson") << int(Backend::Simdjson);
    QTest::newRow("qjson") << int(Backend::QJsonDocument);
}

void TestEventFrameDecoder::decodesEvent()
{
    QFETCH(int, backend);
    EventFrameDecoder decoder{Backend(backend)};
    const QByteArray frame =
        R"([null,null,"store:acme/site","event",{"store_seq":143,"op":"set","path":"posts/hello",)"
        R"("path_segments":["posts","hello"],"value":{"title":"Hi","n":[1,2.5,null]},)"
        R"("device_id":"dev_8f","client_op_id":"op_3kq"}])";
    const auto result = decoder.decode(QByteArrayView(frame));
    QVERIFY2(result, qPrintable(result ? QString() : result.error()));
    QCOMPARE(result->kind, DecodedFrame::Kind::Event);
    QVERIFY(!result->joinRef);
    QVERIFY(!result->ref);
    QCOMPARE(text(result->topic), QStringLiteral("store:acme/site"));
    QCOMPARE(text(result->event), QStringLiteral("event"));
    const EventView &e = result->change;
    QCOMPARE(e.storeSeq, 143);
    QCOMPARE(e.op, Op::Set);
    QCOMPARE(text(e.opText), QStringLiteral("set"));
    QCOMPARE(text(e.path), QStringLiteral("posts/hello"));
    QCOMPARE(canonical(e.value), QStringLiteral("{\"n\":[1,2.5,null],\"title\":\"Hi\"}"));
    QCOMPARE(text(e.deviceId), QStringLiteral("dev_8f"));
    QCOMPARE(text(e.clientOpId), QStringLiteral("op_3kq"));
    QVERIFY(e.checked);
    if (decoder.backend() == Backend::Simdjson) // the value's own bytes, no re-serialization
        QCOMPARE(QByteArray(e.value.data(), e.value.size()),
                 QByteArray(R"({"title":"Hi","n":[1,2.5,null]})"));
    // The ChangeEvent form.
    const ChangeEvent c = e.toChangeEvent();
    QCOMPARE(c.storeSeq, 143);
    QCOMPARE(c.path.segments(), (QStringList{QStringLiteral("posts"), QStringLiteral("hello")}));
    QCOMPARE(c.value.toObject().value(QLatin1String("title")).toString(), QStringLiteral("Hi"));
    // Missing value means null; unknown op keeps its text.
    const auto other = decoder.decode(QByteArrayView(
        R"(["3","4","store:acme/site","event",{"store_seq":1,"op":"teleport","path":"a"}])"));
    QVERIFY(other);
    QCOMPARE(text(*other->joinRef), QStringLiteral("3"));
    QCOMPARE(text(*other->ref), QStringLiteral("4"));
    QCOMPARE(other->change.op, Op::Unknown);
    QCOMPARE(text(other->change.opText), QStringLiteral("teleport"));
    QCOMPARE(canonical(other->change.value), QStringLiteral("null"));
    QVERIFY(other->change.deviceId.isEmpty());
    QVERIFY(other->change.clientOpId.isEmpty());
}

void TestEventFrameDecoder::pathSegmentsWin()
{
    for (Backend backend : {Backend::Simdjson, Backend::QJsonDocument}) {
        EventFrameDecoder decoder(backend);
        // path_segments is authoritative: its segments are escaped on rendering.
        const auto r = decoder.decode(QByteArrayView(
            R"([null,null,"t","event",{"store_seq":1,"op":"delete","path":"ignored//bad",)"
            R"("path_segments":["files","image/logo","a~b","é 😀"]}])"));
        QVERIFY2(r, qPrintable(r ? QString() : r.error()));
        QCOMPARE(text(r->change.path), QStringLiteral("files/image~1logo/a~0b/é 😀"));
        // A null path_segments falls back to path.
        const auto r2 = decoder.decode(QByteArrayView(
            R"([null,null,"t","event",{"store_seq":1,"op":"delete","path":"x~1y/z","path_segments":null}])"));
        QVERIFY(r2);
        QCOMPARE(text(r2->change.path), QStringLiteral("x~1y/z"));
    }
}

void TestEventFrameDecoder::pathOnly()
{
    for (Backend backend : {Backend::Simdjson, Backend::QJsonDocument}) {
        EventFrameDecoder decoder(backend);
        for (const char *bad : {"", "/a", "a/", "a//b", "a~", "a~2"}) {
            const QByteArray frame =
                QByteArray(R"([null,null,"t","event",{"store_seq":1,"op":"set","path":")") + bad +
                R"("}])";
            const auto r = decoder.decode(QByteArrayView(frame));
            QVERIFY2(!r, bad);
            QVERIFY(!r.error().isEmpty());
        }
    }
}

void TestEventFrameDecoder::escapedStrings()
{
    for (Backend backend : {Backend::Simdjson, Backend::QJsonDocument}) {
        EventFrameDecoder decoder(backend);
        const auto r = decoder.decode(QByteArrayView(
            R"([null,null,"store:acme\/site","event",{"store_seq":2,"op":"s\u0065t",)"
            R"("path_segments":["caf\u00e9","tab\there","q\"uote","\ud83d\ude00"],)"
            R"("value":"line\nbreak","device_id":"d\\1","client_op_id":"op_\u00e9"}])"));
        QVERIFY2(r, qPrintable(r ? QString() : r.error()));
        QCOMPARE(text(r->topic), QStringLiteral("store:acme/site"));
        QCOMPARE(r->change.op, Op::Set);
        QCOMPARE(text(r->change.path), QStringLiteral("café/tab\there/q\"uote/😀"));
        QCOMPARE(jsonbytes::toJsonValue(sv(r->change.value)).toString(),
                 QStringLiteral("line\nbreak"));
        QCOMPARE(text(r->change.deviceId), QStringLiteral("d\\1"));
        QCOMPARE(text(r->change.clientOpId), QStringLiteral("op_é"));
    }
}

void TestEventFrameDecoder::catchUpComplete()
{
    for (Backend backend : {Backend::Simdjson, Backend::QJsonDocument}) {
        EventFrameDecoder decoder(backend);
        const auto r = decoder.decode(QByteArrayView(
            R"(["1",null,"store:acme/site","catch_up_complete",{"through_seq":0}])"));
        QVERIFY(r);
        QCOMPARE(r->kind, DecodedFrame::Kind::CatchUpComplete);
        QCOMPARE(r->throughSeq, 0);
        QVERIFY(!decoder.decode(
            QByteArrayView("[\"1\",null,\"s\",\"catch_up_complete\",{\"through_seq\":-1}]")));
        QVERIFY(!decoder.decode(QByteArrayView("[\"1\",null,\"s\",\"catch_up_complete\",{}]")));
        QVERIFY(!decoder.decode(QByteArrayView("[\"1\",null,\"s\",\"catch_up_complete\",[]]")));
    }
}

void TestEventFrameDecoder::snapshot()
{
    for (Backend backend : {Backend::Simdjson, Backend::QJsonDocument}) {
        EventFrameDecoder decoder(backend);
        const QByteArray frame =
            R"(["1",null,"store:acme/site","snapshot",{"snapshot_seq":12000,"entries":{)"
            R"("users/alice/name":{"value":{"_scalar":"Alice"},"type":"string"},)"
            R"("stats/views":{"value":{ "_scalar" : 42 },"type":"counter"},)"
            R"("keep/two":{"value":{"_scalar":1,"x":2},"type":"map"},)"
            R"("notype":{"value":{"_scalar":[1]}},)"
            R"("files/logo":{"value":{"_type":"file","hash":"sha256:ab","size":1234},"type":"file"}}}])";
        const auto r = decoder.decode(QByteArrayView(frame));
        QVERIFY2(r, qPrintable(r ? QString() : r.error()));
        QCOMPARE(r->kind, DecodedFrame::Kind::Snapshot);
        QCOMPARE(r->snapshot.snapshotSeq, 12000);
        QStringList entries;
        for (const SnapshotEntryView &e : r->snapshot.entries)
            entries << text(e.path) + QLatin1Char('=') + canonical(e.value) + QLatin1Char(' ') +
                           text(e.type);
        entries.sort();
        QCOMPARE(
            entries,
            (QStringList{
                QStringLiteral(
                    "files/logo={\"_type\":\"file\",\"hash\":\"sha256:ab\",\"size\":1234} file"),
                QStringLiteral("keep/two={\"_scalar\":1,\"x\":2} map"),
                QStringLiteral("notype=[1] "), QStringLiteral("stats/views=42 counter"),
                QStringLiteral("users/alice/name=\"Alice\" string")}));
        QVERIFY(!decoder.decode(QByteArrayView("[\"1\",null,\"s\",\"snapshot\",{\"snapshot_seq\":1,"
                                               "\"entries\":{\"a//b\":{\"value\":1}}}]")));
        QVERIFY(!decoder.decode(QByteArrayView(
            "[\"1\",null,\"s\",\"snapshot\",{\"snapshot_seq\":1,\"entries\":{\"a\":5}}]")));
        QVERIFY(!decoder.decode(
            QByteArrayView("[\"1\",null,\"s\",\"snapshot\",{\"snapshot_seq\":1}]")));
        QVERIFY(!decoder.decode(QByteArrayView("[\"1\",null,\"s\",\"snapshot\",{\"snapshot_seq\":1,"
                                               "\"entries\":{\"a\":{\"value\":1,\"type\":3}}}]")));
    }
}

void TestEventFrameDecoder::reply()
{
    for (Backend backend : {Backend::Simdjson, Backend::QJsonDocument}) {
        EventFrameDecoder decoder(backend);
        const auto r = decoder.decode(QByteArrayView(
            R"(["1","7","store:acme/site","phx_reply",{"status":"error","response":{"reason":"conflict"}}])"));
        QVERIFY(r);
        QCOMPARE(r->kind, DecodedFrame::Kind::Reply);
        QCOMPARE(text(r->replyStatus), QStringLiteral("error"));
        QCOMPARE(canonical(r->payload), QStringLiteral("{\"reason\":\"conflict\"}"));
        QCOMPARE(text(*r->ref), QStringLiteral("7"));
        QVERIFY(
            !decoder.decode(QByteArrayView("[\"1\",\"7\",\"t\",\"phx_reply\",{\"response\":{}}]")));
    }
}

void TestEventFrameDecoder::otherEvents()
{
    for (Backend backend : {Backend::Simdjson, Backend::QJsonDocument}) {
        EventFrameDecoder decoder(backend);
        const auto r =
            decoder.decode(QByteArrayView(R"([null,null,"store:acme/site","phx_close",{}])"));
        QVERIFY(r);
        QCOMPARE(r->kind, DecodedFrame::Kind::Other);
        QCOMPARE(text(r->event), QStringLiteral("phx_close"));
        QCOMPARE(canonical(r->payload), QStringLiteral("{}"));
        const auto s =
            decoder.decode(QByteArrayView(R"([null,null,"phoenix","presence",[1,"x"]])"));
        QVERIFY(s);
        QCOMPARE(canonical(s->payload), QStringLiteral("[1,\"x\"]"));
    }
}

namespace {

// What a frame carries as exact bytes: paths, values (as decoded text, in UTF-8), device ids.
QByteArrayList exactParts(const DecodedFrame &f)
{
    const auto valueText = [](QByteArrayView raw) {
        return jsonbytes::toJsonValue(sv(raw)).toString().toUtf8();
    };
    QByteArrayList parts;
    switch (f.kind) {
    case DecodedFrame::Kind::Event:
        parts << f.change.path.toByteArray() << valueText(f.change.value)
              << f.change.deviceId.toByteArray();
        break;
    case DecodedFrame::Kind::Snapshot:
        for (const SnapshotEntryView &e : f.snapshot.entries)
            parts << e.path.toByteArray() + '=' + valueText(e.value);
        std::sort(parts.begin(), parts.end());
        break;
    case DecodedFrame::Kind::Reply: {
        const QJsonObject response = jsonbytes::toJsonValue(sv(f.payload)).toObject();
        parts << response.value(QLatin1String("path")).toString().toUtf8();
        break;
    }
    default:
        break;
    }
    return parts;
}

} // namespace

void TestEventFrameDecoder::keepsLeadingFeff_data()
{
    // U+FEFF written as raw UTF-8 (as Qt's JSON writer and dustlite send it) at the start of
    // a string: a character of the path or value, not a byte-order mark to drop.
    const QByteArray bom("\xef\xbb\xbf");
    QTest::addColumn<int>("backend");
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QByteArrayList>("expected");
    const QByteArray event = R"([null,null,"store:acme/site","event",{"store_seq":1,"op":"set",)";
    const QByteArray snapshot =
        R"(["1",null,"store:acme/site","snapshot",{"snapshot_seq":2,"entries":{)";
    const struct
    {
        const char *name;
        QByteArray frame;
        QByteArrayList expected;
    } cases[] = {
        {"path_segments",
         event + R"("path_segments":[")" + bom + R"(bom","x"],"value":")" + bom + R"(v"}])",
         {bom + "bom/x", bom + "v", ""}},
        {"path",
         event + R"("path":")" + bom + R"(bom/x","value":"v","device_id":")" + bom + R"(d"}])",
         {bom + "bom/x", "v", bom + "d"}},
        {"later segment",
         event + R"("path_segments":["a",")" + bom + R"(b"],"value":1}])",
         {"a/" + bom + "b", "", ""}},
        {"snapshot",
         snapshot + R"(")" + bom + R"(bom/x":{"value":{"_scalar":")" + bom +
             R"(one"},"type":"string"},"bom/x":{"value":{"_scalar":"two"},"type":"string"}}}])",
         {"bom/x=two", bom + "bom/x=" + bom + "one"}},
        {"reply",
         R"(["1","2","store:acme/site","phx_reply",{"status":"ok","response":{"path":")" + bom +
             R"(bom/x"}}])",
         {bom + "bom/x"}},
    };
    for (const auto &c : cases) {
        QTest::addRow("simdjson %s", c.name) << int(Backend::Simdjson) << c.frame << c.expected;
        QTest::addRow("qjson %s", c.name) << int(Backend::QJsonDocument) << c.frame << c.expected;
    }
}

void TestEventFrameDecoder::keepsLeadingFeff()
{
    QFETCH(int, backend);
    QFETCH(QByteArray, frame);
    QFETCH(QByteArrayList, expected);
    EventFrameDecoder decoder{Backend(backend)};
    const auto bytes = decoder.decode(QByteArrayView(frame));
    QVERIFY2(bytes, qPrintable(bytes ? QString() : bytes.error()));
    QCOMPARE(exactParts(*bytes), expected);
    // The same frame as the QString a QWebSocket delivers.
    const QString asText = jsonbytes::textFromUtf8(frame);
    const auto text = decoder.decode(QStringView(asText));
    QVERIFY2(text, qPrintable(text ? QString() : text.error()));
    QCOMPARE(exactParts(*text), expected);
}

void TestEventFrameDecoder::malformedFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    const char *frames[] = {
        "",
        "   ",
        "{}",
        "[]",
        "null",
        "[null,null,\"t\",\"event\"]",
        "[null,null,\"t\",\"event\",{},6]",
        "[1,null,\"t\",\"x\",{}]",
        "[null,2,\"t\",\"x\",{}]",
        "[null,null,3,\"x\",{}]",
        "[null,null,\"t\",4,{}]",
        "[null,null,\"t\",\"x\",{}] trailing",
        "[null,null,\"t\",\"x\",{}]]",
        "[null,null,\"t\",\"x\",{]",
        "[null,null,\"t\",\"x\",{\"a\":tru}]",
        "[null,null,\"t\",\"x\",{\"a\":\"\\q\"}]",
        "[null,null,\"t\",\"x\",\"unterminated]",
        "[null,null,\"t\",\"event\",[]]",
        "[null,null,\"t\",\"event\",{\"op\":\"set\",\"path\":\"a\"}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":\"1\",\"op\":\"set\",\"path\":\"a\"}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1.5,\"op\":\"set\",\"path\":\"a\"}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":-3,\"op\":\"set\",\"path\":\"a\"}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"path\":\"a\"}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":null,\"path\":\"a\"}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\"}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\",\"path\":7}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\",\"path_segments\":[]}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\",\"path_segments\":[\"\"]}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\",\"path_segments\":[1]}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\",\"path_segments\":\"a\"}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\",\"path\":\"a\",\"value\":[1,}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\",\"path\":\"a\",\"value\":01}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\",\"path\":\"a\",\"device_id\":5}"
        "]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\",\"path\":\"a\",\"client_op_"
        "id\":[]}]",
        "[null,null,\"t\",\"event\",{\"store_seq\":1,\"op\":\"set\",\"path\":\"a\",\"value\":"
        "\"\xff\"}]",
    };
    for (const char *frame : frames)
        QTest::newRow(frame) << QByteArray(frame);
}

void TestEventFrameDecoder::malformedFrames()
{
    QFETCH(QByteArray, frame);
    for (Backend backend : {Backend::Simdjson, Backend::QJsonDocument}) {
        EventFrameDecoder decoder(backend);
        const auto r = decoder.decode(QByteArrayView(frame));
        QVERIFY2(!r, qPrintable(describe(r)));
        QVERIFY(!r.error().isEmpty());
        // The decoder still works afterwards.
        QVERIFY(decoder.decode(QByteArrayView("[null,null,\"t\",\"x\",{}]")));
    }
}

void TestEventFrameDecoder::decodesQString()
{
    FrameMaker maker(7);
    for (Backend backend : {Backend::Simdjson, Backend::QJsonDocument}) {
        EventFrameDecoder a(backend);
        EventFrameDecoder b(backend);
        for (int i = 0; i < 200; ++i) {
            const QByteArray frame = maker.anyFrame();
            const QString asText = QString::fromUtf8(frame);
            QCOMPARE(describe(a.decode(QStringView(asText))),
                     describe(b.decode(QByteArrayView(frame))));
        }
        // A lone surrogate becomes U+FFFD, not a crash.
        const QString broken =
            QStringLiteral("[null,null,\"t\",\"x\",\"") + QChar(0xd800) + QStringLiteral("\"]");
        QVERIFY(a.decode(QStringView(broken)));
    }
}

void TestEventFrameDecoder::bigSnapshot()
{
    // A snapshot frame of 20,000 entries, then a frame reusing the decoder.
    QByteArray frame = R"(["1",null,"store:acme/big","snapshot",{"snapshot_seq":20000,"entries":{)";
    for (int i = 0; i < 20000; ++i) {
        if (i)
            frame += ',';
        frame += "\"users/u" + QByteArray::number(i) + "/name\":{\"value\":{\"_scalar\":\"User " +
                 QByteArray::number(i) + "\"},\"type\":\"string\"}";
    }
    frame += "}}]";
    for (Backend backend : {Backend::Simdjson, Backend::QJsonDocument}) {
        EventFrameDecoder decoder(backend);
        const auto r = decoder.decode(QByteArrayView(frame));
        QVERIFY(r);
        QCOMPARE(r->snapshot.entries.size(), size_t(20000));
        Mirror mirror;
        QCOMPARE(mirror.applySnapshot(r->snapshot), 0);
        QCOMPARE(mirror.leafCount(), 20000);
        QCOMPARE(mirror.get(*Path::parse(QStringLiteral("users/u123/name")))->value.toString(),
                 QStringLiteral("User 123"));
        QVERIFY(decoder.decode(QByteArrayView("[null,null,\"t\",\"x\",{}]")));
        // A frame bigger than the buffers are kept for, then normal frames again.
        const QByteArray huge =
            QByteArray("[null,null,\"t\",\"x\",\"") + QByteArray(17 << 20, 'a') + "\"]";
        const auto big = decoder.decode(QByteArrayView(huge));
        QVERIFY(big);
        QCOMPARE(big->payload.size(), qsizetype(17 << 20) + 2);
        const QByteArray small = "[null,null,\"t\",\"event\",{\"store_seq\":5,\"op\":\"set\","
                                 "\"path\":\"a/b\",\"value\":[1]}]";
        const auto after = decoder.decode(QByteArrayView(small));
        QVERIFY(after);
        QCOMPARE(text(after->change.path), QStringLiteral("a/b"));
        QCOMPARE(canonical(after->change.value), QStringLiteral("[1]"));
        const QString hugeText = QString::fromUtf8(huge);
        QVERIFY(decoder.decode(QStringView(hugeText)));
        const QString smallText = QString::fromUtf8(small);
        const auto afterText = decoder.decode(QStringView(smallText));
        QVERIFY(afterText);
        QCOMPARE(afterText->change.storeSeq, 5);
    }
}

void TestEventFrameDecoder::backendsAgreeOnRandomFrames()
{
    FrameMaker maker(testSeed());
    EventFrameDecoder simd(Backend::Simdjson);
    EventFrameDecoder qjson(Backend::QJsonDocument);
    int valid = 0;
    for (int i = 0; i < 5000; ++i) {
        const bool broken = maker.chance(20);
        const QByteArray frame =
            broken ? maker.frame("event", maker.eventPayload(true)) : maker.anyFrame();
        const auto a = simd.decode(QByteArrayView(frame));
        const auto b = qjson.decode(QByteArrayView(frame));
        if (!broken) {
            if (!a)
                qWarning() << "frame" << frame << "error" << a.error();
            QVERIFY(a);
            ++valid;
        }
        if (describe(a) != describe(b))
            qWarning() << "frame" << frame << (a ? QString() : a.error())
                       << (b ? QString() : b.error());
        QCOMPARE(describe(a), describe(b));
    }
    QVERIFY(valid > 3000);
}

void TestEventFrameDecoder::matchesChangeEventFromJson()
{
    // The fast path agrees with the protocol's own ChangeEvent decoding.
    FrameMaker maker(testSeed());
    EventFrameDecoder decoder;
    for (int i = 0; i < 2000; ++i) {
        const QByteArray payload = maker.eventPayload();
        const QByteArray frame = maker.frame("event", payload);
        const auto decoded = decoder.decode(QByteArrayView(frame));
        QVERIFY2(decoded, qPrintable(QString::fromUtf8(frame)));
        const auto reference = ChangeEvent::fromJson(QJsonDocument::fromJson(payload).object());
        QVERIFY2(reference, qPrintable(QString::fromUtf8(payload)));
        const ChangeEvent mine = decoded->change.toChangeEvent();
        QCOMPARE(mine.storeSeq, reference->storeSeq);
        QCOMPARE(mine.op, reference->op);
        QCOMPARE(mine.path, reference->path);
        QCOMPARE(mine.path.segments(), reference->path.segments());
        if (mine.value != reference->value)
            qWarning() << "payload" << payload;
        QCOMPARE(mine.value, reference->value);
        QCOMPARE(mine.deviceId, reference->deviceId);
        QCOMPARE(mine.clientOpId, reference->clientOpId);
    }
}

void TestEventFrameDecoder::survivesMutatedFrames()
{
    FrameMaker maker(testSeed());
    EventFrameDecoder simd(Backend::Simdjson);
    EventFrameDecoder qjson(Backend::QJsonDocument);
    Mirror mirror;
    int decoded = 0;
    const QByteArray junk = QByteArray("[]{}\",:\\ntfe0-9.\x00\xff\xc3\xa9~/", 25);
    for (int i = 0; i < 6000; ++i) {
        QByteArray frame = maker.anyFrame();
        const int mutations = 1 + maker.below(4);
        for (int m = 0; m < mutations && !frame.isEmpty(); ++m) {
            const qsizetype at = maker.below(int(frame.size()));
            switch (maker.below(5)) {
            case 0:
                frame[at] = junk.at(maker.below(int(junk.size())));
                break;
            case 1:
                frame.remove(at, 1 + maker.below(8));
                break;
            case 2:
                frame.insert(at, junk.mid(maker.below(int(junk.size())), 1 + maker.below(3)));
                break;
            case 3:
                frame.truncate(at);
                break;
            default:
                frame[at] = char(maker.below(256));
                break;
            }
        }
        for (EventFrameDecoder *decoder : {&simd, &qjson}) {
            const auto r = decoder->decode(QByteArrayView(frame));
            if (!r) {
                QVERIFY(!r.error().isEmpty());
                continue;
            }
            ++decoded;
            // Whatever is accepted is well-formed.
            if (r->kind == DecodedFrame::Kind::Event) {
                QVERIFY(rawpath::isValid(sv(r->change.path)));
                QVERIFY(jsonbytes::isValid(sv(r->change.value)));
                QVERIFY(r->change.storeSeq > 0);
                mirror.apply(r->change, EventSource::Live);
            } else if (r->kind == DecodedFrame::Kind::Snapshot) {
                for (const SnapshotEntryView &e : r->snapshot.entries) {
                    QVERIFY(rawpath::isValid(sv(e.path)));
                    QVERIFY(jsonbytes::isValid(sv(e.value)));
                }
            } else if (r->kind != DecodedFrame::Kind::CatchUpComplete) {
                QVERIFY(jsonbytes::isValid(sv(r->payload)));
            }
        }
    }
    QVERIFY(decoded > 100); // some mutations keep the frame valid
    // The mirror is still consistent.
    qsizetype count = 0;
    mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
        ++count;
        QVERIFY(rawpath::isValid(sv(leaf.path)));
        QVERIFY(jsonbytes::isValid(sv(leaf.value)));
    });
    QCOMPARE(count, mirror.leafCount());
}

QTEST_GUILESS_MAIN(TestEventFrameDecoder)
#include "tst_eventframedecoder.moc"
