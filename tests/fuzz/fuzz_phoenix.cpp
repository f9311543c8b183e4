// Phoenix frames from arbitrary bytes, and everything a client does with a decoded frame:
// event decoding and the value helpers on its payload.

#include "FuzzCheck.h"

#include "protocol/Entry.h"
#include "protocol/PhoenixMessage.h"
#include "protocol/Values.h"

#include <QByteArrayView>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

using dust::ChangeEvent;
using dust::PhoenixMessage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const auto message = PhoenixMessage::decode(
        QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!message) {
        FUZZ_CHECK(!message.error().isEmpty());
        return 0;
    }
    const QByteArray encoded = message->encode();
    const auto again = PhoenixMessage::decode(encoded);
    FUZZ_CHECK(again.hasValue());
    FUZZ_CHECK(*again == *message);
    FUZZ_CHECK(again->encode() == encoded);

    (void)message->replyStatus();
    (void)message->replyResponse();
    const PhoenixMessage reply = message->reply(u"ok", message->payload);
    FUZZ_CHECK(reply.isReply() && reply.replyStatus() == QLatin1String("ok"));

    const QJsonValue payload = message->payload;
    if (payload.isObject()) {
        const auto event = ChangeEvent::fromJson(payload.toObject());
        if (event) {
            FUZZ_CHECK(event->storeSeq >= 1 && event->path.isValid());
            const auto back = ChangeEvent::fromJson(event->toJson());
            FUZZ_CHECK(back.hasValue() && *back == *event);
        } else {
            FUZZ_CHECK(!event.error().isEmpty());
        }
    }

    namespace values = dust::values;
    const dust::Path base = *dust::Path::parse(u"fuzz");
    const auto leaves = values::flatten(base, payload);
    QList<dust::Entry> entries;
    for (const dust::Leaf &leaf : leaves) {
        FUZZ_CHECK(base.isSelfOrAncestorOf(leaf.path));
        FUZZ_CHECK(!values::isPlainObject(leaf.value));
        entries.append(dust::Entry{leaf.path, leaf.value, leaf.type, 1});
    }
    const dust::Entry assembled = values::assembleSubtree(base, entries);
    FUZZ_CHECK(assembled.value.isObject());
    FUZZ_CHECK(values::preview(payload, 60).size() <= 60);
    (void)values::detectType(payload);
    (void)values::validateKeys(payload);
    (void)values::unwrapScalar(values::wrapScalar(payload));
    return 0;
}
