#include "RawEvent.h"

#include "protocol/JsonBytes.h"
#include "protocol/RawPath.h"

namespace dust {

namespace {

std::string_view sv(QByteArrayView v)
{
    return {v.data(), size_t(v.size())};
}

} // namespace

Op opFromBytes(QByteArrayView name)
{
    const std::string_view n = sv(name);
    switch (n.size()) {
    case 3:
        if (n == "set")
            return Op::Set;
        if (n == "add")
            return Op::Add;
        break;
    case 5:
        if (n == "merge")
            return Op::Merge;
        if (n == "lease")
            return Op::Lease;
        if (n == "renew")
            return Op::Renew;
        break;
    case 6:
        if (n == "delete")
            return Op::Delete;
        if (n == "remove")
            return Op::Remove;
        break;
    case 7:
        if (n == "release")
            return Op::Release;
        break;
    case 8:
        if (n == "put_file")
            return Op::PutFile;
        break;
    case 9:
        if (n == "increment")
            return Op::Increment;
        break;
    default:
        break;
    }
    return Op::Unknown;
}

ChangeEvent EventView::toChangeEvent() const
{
    ChangeEvent event;
    event.storeSeq = storeSeq;
    event.op = op;
    event.opText = jsonbytes::textFromUtf8(opText);
    if (rawpath::isValid(sv(path))) {
        auto parsed = Path::fromSegments(rawpath::segments(sv(path)));
        if (parsed)
            event.path = *parsed;
    }
    event.value =
        value.isEmpty() ? QJsonValue(QJsonValue::Null) : jsonbytes::toJsonValue(sv(value));
    event.deviceId = jsonbytes::textFromUtf8(deviceId);
    event.clientOpId = jsonbytes::textFromUtf8(clientOpId);
    return event;
}

RawEvent RawEvent::fromView(const EventView &view)
{
    RawEvent e;
    e.storeSeq = view.storeSeq;
    e.op = view.op;
    e.opText = view.opText.toByteArray();
    e.path = view.path.toByteArray();
    e.value = view.value.toByteArray();
    e.deviceId = view.deviceId.toByteArray();
    e.clientOpId = view.clientOpId.toByteArray();
    e.checked = view.checked;
    return e;
}

RawEvent RawEvent::fromChangeEvent(const ChangeEvent &event)
{
    RawEvent e;
    e.storeSeq = event.storeSeq;
    e.op = event.op;
    e.opText = (event.opText.isEmpty() ? opName(event.op) : event.opText).toUtf8();
    if (e.op == Op::Unknown)
        e.op = opFromBytes(e.opText);
    e.path = event.path.rendered().toUtf8();
    e.value = jsonbytes::fromJsonValue(event.value);
    e.deviceId = event.deviceId.toUtf8();
    e.clientOpId = event.clientOpId.toUtf8();
    return e;
}

EventView RawEvent::view() const
{
    return {storeSeq, op, opText, path, value, deviceId, clientOpId, checked};
}

} // namespace dust
