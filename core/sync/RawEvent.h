#pragma once

#include "protocol/Entry.h"

#include <QByteArray>
#include <QByteArrayView>

namespace dust {

// One `event` frame's fields as UTF-8 bytes, without a QJsonValue: what the fast ingest
// path hands to the Mirror (dust-protocol.md §5.7). The views point into memory owned by
// whoever produced the view (EventFrameDecoder: valid until its next decode; RawEvent: as
// long as the RawEvent lives). `path` is the rendered path; `value` is the value as one
// JSON text (empty means null).
struct EventView
{
    qint64 storeSeq = 0;
    Op op = Op::Unknown;
    QByteArrayView opText;
    QByteArrayView path;
    QByteArrayView value;
    QByteArrayView deviceId;
    QByteArrayView clientOpId;
    // True when the producer has already checked that `path` is a valid rendered path and
    // `value` one valid JSON text without surrounding whitespace (EventFrameDecoder does);
    // the Mirror then skips its own checks.
    bool checked = false;

    // The same event with a QJsonValue and a parsed Path (for the UI and for tests). An
    // invalid path gives an invalid (empty) Path; an invalid value gives Undefined.
    ChangeEvent toChangeEvent() const;
};

// An EventView that owns its bytes (a live event buffered during catch-up).
struct RawEvent
{
    qint64 storeSeq = 0;
    Op op = Op::Unknown;
    QByteArray opText;
    QByteArray path;
    QByteArray value;
    QByteArray deviceId;
    QByteArray clientOpId;
    bool checked = false; // see EventView::checked

    static RawEvent fromView(const EventView &view);
    // The compact byte form of a ChangeEvent (value as compact JSON, path rendered).
    static RawEvent fromChangeEvent(const ChangeEvent &event);
    EventView view() const;
};

// The Op for an op name given as bytes ("set", "put_file", ...); Op::Unknown otherwise.
Op opFromBytes(QByteArrayView name);

} // namespace dust
