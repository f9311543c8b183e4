// SdkTransport against a real dustlite on 127.0.0.1 (port 0), running in this process: joins,
// catch-up, writes and their echoes, conflicts and error classes, subscriptions, gaps.

#include "SdkTestSupport.h"

#include "InProcessDustlite.h"
#include "StoreDb.h"
#include "TestHttp.h"
#include "sync/Mirror.h"
#include "transport/HttpTransport.h"
#include "transport/TransportPicker.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace sdktest;
using dust::test::InProcessDustlite;
using dust::test::TestHttp;

namespace {

const QString kStore = QStringLiteral("local/demo");

} // namespace

class TstSdkTransport : public QObject
{
    Q_OBJECT

private slots:
    void wireHelpers();
    void errorMapping_data();
    void errorMapping();
    void catchUpFromZero();
    void readsBeforeCatchUpWait();
    void writeOperations();
    void conflicts();
    void errorClasses();
    void readOnlyStoreFailsFast();
    void rateLimited();
    void subscriptionsMatchLikeTheSdks();
    void liveEventsFromSecondClientInOrder();
    void catchUpFromTheMiddle();
    void catchUpAcrossSnapshot();
    void restWritesNoticedByStatusPoll();
    void gapInLiveStreamTriggersCatchUp();
    void destroyWithPendingCalls();
    void pickerRoutesToTheLiveSession();
};

void TstSdkTransport::wireHelpers()
{
    const QRegularExpression deviceId(QStringLiteral("^dev_[A-Za-z0-9_-]{11}$"));
    const QRegularExpression opId(QStringLiteral("^op_[A-Za-z0-9_-]{16}$"));
    QVERIFY(deviceId.match(sdk::makeDeviceId()).hasMatch());
    QVERIFY(opId.match(sdk::makeClientOpId()).hasMatch());
    QVERIFY(sdk::makeClientOpId() != sdk::makeClientOpId());

    SdkTransport a(options(QUrl(QStringLiteral("ws://127.0.0.1:1/ws/sync"))));
    QVERIFY(deviceId.match(a.deviceId()).hasMatch());
    SdkOptions fixed = options(QUrl(QStringLiteral("ws://127.0.0.1:1")));
    fixed.deviceId = QStringLiteral("dev_fixed");
    SdkTransport b(fixed);
    QCOMPARE(b.deviceId(), QStringLiteral("dev_fixed"));

    QCOMPARE(sdk::socketUrl(QUrl(QStringLiteral("ws://h:7755/ws/sync")),
                            QStringLiteral("dust_tok_a+b"), QStringLiteral("dev_x"))
                 .toString(QUrl::FullyEncoded),
             QStringLiteral("ws://h:7755/ws/sync/"
                            "websocket?token=dust_tok_a%2Bb&device_id=dev_x&capver=3&vsn=2.0.0"));
    QCOMPARE(sdk::socketUrl(QUrl(QStringLiteral("https://dustlayer.io")), QStringLiteral("t"),
                            QStringLiteral("d"))
                 .toString(QUrl::RemoveQuery),
             QStringLiteral("wss://dustlayer.io/ws/sync/websocket"));
    QCOMPARE(sdk::socketUrl(QUrl(QStringLiteral("ws://h/ws/sync/websocket/")), QStringLiteral("t"),
                            QStringLiteral("d"))
                 .path(),
             QStringLiteral("/ws/sync/websocket"));
    QVERIFY(
        !sdk::socketUrl(QUrl(QStringLiteral("ftp://h")), QStringLiteral("t"), QStringLiteral("d"))
             .isValid());
    QVERIFY(sdk::isValidStoreName(u"acme/site"));
    QVERIFY(!sdk::isValidStoreName(u"acme"));
    QVERIFY(!sdk::isValidStoreName(u"/site"));
    QVERIFY(!sdk::isValidStoreName(u"a/b/c"));
    QCOMPARE(sdk::topicFor(QStringLiteral("acme/site")), QStringLiteral("store:acme/site"));
}

void TstSdkTransport::errorMapping_data()
{
    QTest::addColumn<QJsonObject>("response");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("reason");

    const auto row = [](const char *name, QJsonObject response, Error::Kind kind,
                        const QString &reason) {
        QTest::newRow(name) << response << int(kind) << reason;
    };
    const auto r = [](const char *reason) {
        return QJsonObject{{QStringLiteral("reason"), QString::fromLatin1(reason)}};
    };
    row("missing_scope",
        QJsonObject{{QStringLiteral("reason"), QStringLiteral("missing_scope")},
                    {QStringLiteral("scope"), QStringLiteral("entries:write")}},
        Error::Kind::Forbidden, QStringLiteral("missing_scope"));
    row("store_not_allowed", r("store_not_allowed"), Error::Kind::Forbidden,
        QStringLiteral("store_not_allowed"));
    row("unauthorized", r("unauthorized"), Error::Kind::Unauthorized,
        QStringLiteral("unauthorized"));
    row("rate_limited", r("rate_limited"), Error::Kind::RateLimited,
        QStringLiteral("rate_limited"));
    row("conflict", r("conflict"), Error::Kind::Conflict, QStringLiteral("conflict"));
    row("exists", r("exists"), Error::Kind::Conflict, QStringLiteral("exists"));
    row("held", r("held"), Error::Kind::Conflict, QStringLiteral("held"));
    row("empty_segment", r("empty_segment"), Error::Kind::InvalidParams,
        QStringLiteral("empty_segment"));
    row("merge_requires_map_value", r("merge_requires_map_value"), Error::Kind::InvalidParams,
        QStringLiteral("merge_requires_map_value"));
    row("increment_requires_number_value", r("increment_requires_number_value"),
        Error::Kind::InvalidParams, QStringLiteral("increment_requires_number_value"));
    row("invalid op", r("invalid op"), Error::Kind::InvalidParams, QStringLiteral("invalid op"));
    row("if_match_multi_leaf", r("if_match_multi_leaf"), Error::Kind::InvalidParams,
        QStringLiteral("if_match_multi_leaf"));
    row("store_archived", r("store_archived"), Error::Kind::NotFound,
        QStringLiteral("store_archived"));
    row("limit_exceeded", r("limit_exceeded"), Error::Kind::Forbidden,
        QStringLiteral("limit_exceeded"));
    row("unknown", r("{:writer_unavailable, :timeout}"), Error::Kind::Protocol,
        QStringLiteral("{:writer_unavailable, :timeout}"));
    row("no reason", QJsonObject{}, Error::Kind::Protocol, QStringLiteral("unknown"));
    row("reason not a string", QJsonObject{{QStringLiteral("reason"), 42}}, Error::Kind::Protocol,
        QStringLiteral("unknown"));
}

void TstSdkTransport::errorMapping()
{
    QFETCH(QJsonObject, response);
    QFETCH(int, kind);
    QFETCH(QString, reason);
    const Error error = sdk::errorFromReply(response);
    QCOMPARE(int(error.kind()), kind);
    QCOMPARE(error.reason(), reason);
    QVERIFY(!error.message().isEmpty());
    if (error.kind() == Error::Kind::RateLimited)
        QCOMPARE(error.retryAfter(), 60000ms);
    if (error.kind() == Error::Kind::Conflict)
        QVERIFY(!error.currentRevision());
    const Error limited =
        sdk::errorFromReply(QJsonObject{{QStringLiteral("reason"), QStringLiteral("rate_limited")},
                                        {QStringLiteral("retry_after_ms"), 1500}});
    QCOMPARE(limited.retryAfter(), 1500ms);
}

void TstSdkTransport::catchUpFromZero()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QList<std::pair<Path, QJsonValue>> leaves;
    for (int i = 0; i < 300; ++i)
        leaves.append(
            {path(QStringLiteral("items/%1/n").arg(i, 3, 10, QLatin1Char('0'))), QJsonValue(i)});
    leaves.append({path(QStringLiteral("misc/arr")), QJsonArray{1, QStringLiteral("two")}});
    leaves.append({path(QStringLiteral("misc/null")), QJsonValue::Null});
    QVERIFY(dustlite.store()->bulkSet(leaves, QStringLiteral("dev_seed")) > 0);

    SdkTransport t(options(dustlite.wsUrl()));
    QSignalSpy live(&t, &SdkTransport::storeLive);
    QSignalSpy joined(&t, &SdkTransport::storeJoined);
    QSignalSpy resets(&t, &SdkTransport::storeReset);
    QVERIFY(!t.isLive(kStore));
    QVERIFY(waitLive(t, kStore));
    QTRY_COMPARE(live.size(), 1);
    QCOMPARE(live.at(0).at(1).toLongLong(), dustlite.store()->currentSeq());
    QCOMPARE(joined.size(), 1);
    const auto perms = joined.at(0).at(1).value<sdk::StorePermissions>();
    QVERIFY(perms.reported && perms.read && perms.write);
    QCOMPARE(t.permissions(kStore)->write, true);
    // A catch-up into an empty mirror is reported as one reset, not leaf by leaf.
    QTRY_COMPARE(resets.size(), 1);
    QCOMPARE(t.connectionState(), SdkTransport::ConnectionState::Connected);

    const auto entry = await(t.get(kStore, path(QStringLiteral("items/042/n"))));
    SDK_EXPECT_OK(entry);
    QCOMPARE(entry->value.toInt(), 42);
    QCOMPARE(entry->type, QStringLiteral("integer"));
    QCOMPARE(mirrorLeaves(t, kStore), serverLeaves(dustlite.store()));
    QCOMPARE(*await(t.exists(kStore, path(QStringLiteral("items")))), true);
    QCOMPARE(*await(t.exists(kStore, path(QStringLiteral("nothing")))), false);

    ListQuery opts;
    opts.limit = 10;
    const auto page = await(t.list(kStore, opts.matching(QStringLiteral("items/**"))));
    SDK_EXPECT_OK(page);
    QCOMPARE(page->entries.size(), 10);
    QCOMPARE(page->entries.first().path.rendered(), QStringLiteral("items/000/n"));
    QCOMPARE(page->nextCursor, QStringLiteral("items/009/n"));
}

void TstSdkTransport::readsBeforeCatchUpWait()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet({{path(QStringLiteral("a")), QStringLiteral("x")}},
                                      QStringLiteral("dev_seed")) > 0);
    SdkTransport t(options(dustlite.wsUrl()));
    // Issued before anything is joined: it joins, waits for the catch-up, then answers.
    auto future = t.get(kStore, path(QStringLiteral("a")));
    QVERIFY(!future.isFinished());
    const auto entry = await(future);
    SDK_EXPECT_OK(entry);
    QCOMPARE(entry->value.toString(), QStringLiteral("x"));
    QVERIFY(t.isLive(kStore));

    // A read that cannot catch up in time fails with Network.
    SdkOptions slow = options(QUrl(QStringLiteral("ws://127.0.0.1:1/ws/sync")));
    slow.readTimeout = 300ms;
    SdkTransport nowhere(slow);
    const auto failed = await(nowhere.get(kStore, path(QStringLiteral("a"))));
    SDK_EXPECT_ERROR(failed, Error::Kind::Network);
}

void TstSdkTransport::writeOperations()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkTransport t(options(dustlite.wsUrl()));
    QVERIFY(waitLive(t, kStore));
    Recorder all(watch(t, kStore, QStringLiteral("**")));
    QSignalSpy changed(&t, &SdkTransport::storeChanged);

    // put, then read our own write: the echo was applied before the reply finished the put.
    const auto put = await(t.put(kStore, path(QStringLiteral("w/a")), QStringLiteral("x")));
    SDK_EXPECT_OK(put);
    QVERIFY(put->storeSeq > 0);
    auto got = await(t.get(kStore, path(QStringLiteral("w/a"))));
    SDK_EXPECT_OK(got);
    QCOMPARE(got->value.toString(), QStringLiteral("x"));
    QCOMPARE(got->revision, put->storeSeq);

    const QJsonObject object{{QStringLiteral("n"), 1},
                             {QStringLiteral("m"), QJsonObject{{QStringLiteral("k"), true}}}};
    SDK_EXPECT_OK(await(t.put(kStore, path(QStringLiteral("w/obj")), object)));
    got = await(t.get(kStore, path(QStringLiteral("w/obj/m/k"))));
    SDK_EXPECT_OK(got);
    QCOMPARE(got->value.toBool(), true);
    got = await(t.get(kStore, path(QStringLiteral("w/obj"))));
    SDK_EXPECT_OK(got);
    QCOMPARE(got->type, QStringLiteral("map"));
    QCOMPARE(got->value.toObject(), object);

    SDK_EXPECT_OK(await(
        t.merge(kStore, path(QStringLiteral("w/obj")), QJsonObject{{QStringLiteral("z"), 2}})));
    QCOMPARE(await(t.get(kStore, path(QStringLiteral("w/obj/z"))))->value.toInt(), 2);
    QCOMPARE(await(t.get(kStore, path(QStringLiteral("w/obj/n"))))->value.toInt(), 1);

    SDK_EXPECT_OK(await(t.increment(kStore, path(QStringLiteral("w/c")), 5)));
    const auto inc = await(t.increment(kStore, path(QStringLiteral("w/c")), -2));
    SDK_EXPECT_OK(inc);
    got = await(t.get(kStore, path(QStringLiteral("w/c"))));
    QCOMPARE(got->value.toInteger(), 3);
    QCOMPARE(got->type, QStringLiteral("counter"));
    QCOMPARE(got->revision, inc->storeSeq);

    SDK_EXPECT_OK(await(t.addMember(kStore, path(QStringLiteral("w/s")), QStringLiteral("a"))));
    SDK_EXPECT_OK(await(t.addMember(kStore, path(QStringLiteral("w/s")), QStringLiteral("b"))));
    SDK_EXPECT_OK(await(t.removeMember(kStore, path(QStringLiteral("w/s")), QStringLiteral("a"))));
    got = await(t.get(kStore, path(QStringLiteral("w/s"))));
    QCOMPARE(got->value.toArray(), QJsonArray{QStringLiteral("b")});
    QCOMPARE(got->type, QStringLiteral("set"));

    SDK_EXPECT_OK(await(t.remove(kStore, path(QStringLiteral("w/obj")))));
    QCOMPARE(*await(t.exists(kStore, path(QStringLiteral("w/obj")))), false);
    QCOMPARE(*await(t.exists(kStore, path(QStringLiteral("w/obj/m/k")))), false);

    // Leases.
    const auto lease =
        await(t.lease(kStore, path(QStringLiteral("w/lock")), 60s, QStringLiteral("me")));
    SDK_EXPECT_OK(lease);
    const qint64 token = lease->extra.value(QLatin1String("token")).toInteger();
    QCOMPARE(token, lease->storeSeq);
    QCOMPARE(lease->extra.value(QLatin1String("holder")).toString(), QStringLiteral("me"));
    const auto again =
        await(t.lease(kStore, path(QStringLiteral("w/lock")), 60s, QStringLiteral("other")));
    SDK_EXPECT_ERROR(again, Error::Kind::Conflict);
    QCOMPARE(again.error().reason(), QStringLiteral("held"));
    SDK_EXPECT_OK(await(t.renew(kStore, path(QStringLiteral("w/lock")), token, 30s)));
    const auto released = await(t.release(kStore, path(QStringLiteral("w/lock")), token));
    SDK_EXPECT_OK(released);
    QVERIFY(released->storeSeq > 0);
    const auto noop = await(t.release(kStore, path(QStringLiteral("w/lock")), token));
    SDK_EXPECT_OK(noop);
    QCOMPARE(noop->extra.value(QLatin1String("released")).toBool(true), false);
    QCOMPARE(noop->storeSeq, 0);

    // Rollback of one path, then status.
    const auto first = await(t.put(kStore, path(QStringLiteral("w/r")), 1));
    SDK_EXPECT_OK(await(t.put(kStore, path(QStringLiteral("w/r")), 2)));
    const auto rolled = await(t.rollback(kStore, path(QStringLiteral("w/r")), first->storeSeq));
    SDK_EXPECT_OK(rolled);
    QVERIFY(rolled->storeSeq > first->storeSeq);
    QTRY_COMPARE(await(t.get(kStore, path(QStringLiteral("w/r"))))->value.toInt(), 1);

    const auto status = await(t.status(kStore));
    SDK_EXPECT_OK(status);
    QCOMPARE(status->currentSeq, dustlite.store()->currentSeq());
    QVERIFY(status->canWrite);
    QVERIFY(status->raw.contains(QLatin1String("recent_ops")));

    // Every committed op reached the subscription once, in order, and the mirror equals
    // the server.
    QTRY_COMPARE(all.events.size(), int(dustlite.store()->currentSeq()));
    QVERIFY(all.increasing());
    QCOMPARE(all.events.first().op, Op::Set);
    QCOMPARE(all.events.first().deviceId, t.deviceId());
    QVERIFY(all.events.first().clientOpId.startsWith(QLatin1String("op_")));
    QCOMPARE(changed.size(), all.events.size());
    QCOMPARE(mirrorLeaves(t, kStore), serverLeaves(dustlite.store()));
}

void TstSdkTransport::conflicts()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkTransport t(options(dustlite.wsUrl()));
    QVERIFY(waitLive(t, kStore));

    const auto put = await(t.put(kStore, path(QStringLiteral("c/x")), 1));
    SDK_EXPECT_OK(put);
    const qint64 revision = put->storeSeq;

    WriteOptions stale;
    stale.ifMatch = revision + 100;
    auto result = await(t.put(kStore, path(QStringLiteral("c/x")), 2, stale));
    SDK_EXPECT_ERROR(result, Error::Kind::Conflict);
    QCOMPARE(result.error().reason(), QStringLiteral("conflict"));
    // The WebSocket reply has no current revision; the mirror's leaf supplies it.
    QCOMPARE(result.error().currentRevision(), std::optional<qint64>(revision));
    QCOMPARE(result.error().path(), QStringLiteral("c/x"));
    QVERIFY(!result.error().retryable());

    WriteOptions absent;
    absent.ifAbsent = true;
    result = await(t.put(kStore, path(QStringLiteral("c/x")), 3, absent));
    SDK_EXPECT_ERROR(result, Error::Kind::Conflict);
    QCOMPARE(result.error().reason(), QStringLiteral("exists"));
    QCOMPARE(result.error().currentRevision(), std::optional<qint64>(revision));

    result = await(t.remove(kStore, path(QStringLiteral("c/x")), stale));
    SDK_EXPECT_ERROR(result, Error::Kind::Conflict);

    result = await(t.put(kStore, path(QStringLiteral("c/missing")), 1, stale));
    SDK_EXPECT_ERROR(result, Error::Kind::Conflict);
    QCOMPARE(result.error().currentRevision(), std::nullopt);

    WriteOptions current;
    current.ifMatch = revision;
    SDK_EXPECT_OK(await(t.put(kStore, path(QStringLiteral("c/x")), 4, current)));
    SDK_EXPECT_OK(await(t.put(kStore, path(QStringLiteral("c/new")), 5, absent)));
    QCOMPARE(await(t.get(kStore, path(QStringLiteral("c/x"))))->value.toInt(), 4);
}

void TstSdkTransport::errorClasses()
{
    InProcessDustlite dustlite;
    dustlite.config().tokens = {
        {QStringLiteral("dust_tok_dev"), QString(), {}},
        {QStringLiteral("dust_tok_noread"), QString(), {QStringLiteral("files:read")}},
        {QStringLiteral("dust_tok_other"), QStringLiteral("other"), {}},
    };
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));

    SdkTransport t(options(dustlite.wsUrl()));
    QVERIFY(waitLive(t, kStore));
    SDK_EXPECT_ERROR(await(t.get(kStore, path(QStringLiteral("none")))), Error::Kind::NotFound);
    // Rejected by the server: an If-Match on a multi-leaf value.
    WriteOptions ifMatch;
    ifMatch.ifMatch = 1;
    auto write = await(
        t.put(kStore, path(QStringLiteral("x")), QJsonObject{{QStringLiteral("a"), 1}}, ifMatch));
    SDK_EXPECT_ERROR(write, Error::Kind::InvalidParams);
    QCOMPARE(write.error().reason(), QStringLiteral("if_match_multi_leaf"));
    // Rejected up front.
    WriteOptions both;
    both.ifMatch = 1;
    both.ifAbsent = true;
    write = await(t.put(kStore, path(QStringLiteral("x")), 1, both));
    SDK_EXPECT_ERROR(write, Error::Kind::InvalidParams);
    QCOMPARE(write.error().reason(), QStringLiteral("invalid_precondition"));
    SDK_EXPECT_ERROR(await(t.put(kStore, Path(), 1)), Error::Kind::InvalidParams);
    SDK_EXPECT_ERROR(await(t.put(QStringLiteral("nostore"), path(QStringLiteral("x")), 1)),
                     Error::Kind::InvalidParams);
    SDK_EXPECT_ERROR(await(t.put(kStore, path(QStringLiteral("x")), QJsonValue::Undefined)),
                     Error::Kind::InvalidParams);
    SDK_EXPECT_ERROR(await(t.addMember(kStore, path(QStringLiteral("x")), QJsonValue::Null)),
                     Error::Kind::InvalidParams);
    SDK_EXPECT_ERROR(await(t.batchWrite(kStore, {BatchOp{}})), Error::Kind::NotSupported);
    SDK_EXPECT_ERROR(await(t.auditLog(kStore, {})), Error::Kind::NotSupported);
    QVERIFY(!t.subscribe(kStore, QStringLiteral("a/**/b")));
    QCOMPARE(t.subscribe(kStore, QStringLiteral("a/**/b")).error().kind(),
             Error::Kind::InvalidParams);
    // A store that does not exist.
    const auto unknown = await(t.get(QStringLiteral("local/nope"), path(QStringLiteral("x"))));
    SDK_EXPECT_ERROR(unknown, Error::Kind::Unauthorized);
    QCOMPARE(unknown.error().reason(), QStringLiteral("unauthorized"));

    // A token without entries:read cannot join: Forbidden, and the store reports it.
    SdkTransport noRead(options(dustlite.wsUrl(), QStringLiteral("dust_tok_noread")));
    QSignalSpy storeErrors(&noRead, &SdkTransport::storeError);
    auto read = await(noRead.get(kStore, path(QStringLiteral("x"))));
    SDK_EXPECT_ERROR(read, Error::Kind::Forbidden);
    QCOMPARE(read.error().reason(), QStringLiteral("missing_scope"));
    QTRY_COMPARE(storeErrors.size(), 1);
    write = await(noRead.put(kStore, path(QStringLiteral("x")), 1));
    SDK_EXPECT_ERROR(write, Error::Kind::Forbidden);

    // A token of another org.
    SdkTransport other(options(dustlite.wsUrl(), QStringLiteral("dust_tok_other")));
    read = await(other.get(kStore, path(QStringLiteral("x"))));
    SDK_EXPECT_ERROR(read, Error::Kind::Forbidden);
    QCOMPARE(read.error().reason(), QStringLiteral("store_not_allowed"));

    // An unknown token: the connection is refused; calls fail with Unauthorized.
    SdkTransport bad(options(dustlite.wsUrl(), QStringLiteral("dust_tok_nope")));
    QSignalSpy connectionErrors(&bad, &SdkTransport::connectionError);
    read = await(bad.get(kStore, path(QStringLiteral("x"))));
    SDK_EXPECT_ERROR(read, Error::Kind::Unauthorized);
    write = await(bad.put(kStore, path(QStringLiteral("x")), 1));
    SDK_EXPECT_ERROR(write, Error::Kind::Unauthorized);
    // The session runs on its own thread: its signal is queued to this one independently of
    // the futures, so it may arrive after both calls have failed.
    QTRY_VERIFY(!connectionErrors.isEmpty());
    QCOMPARE(connectionErrors.first().at(0).value<Error>().kind(), Error::Kind::Unauthorized);
}

void TstSdkTransport::readOnlyStoreFailsFast()
{
    InProcessDustlite dustlite;
    dustlite.config().tokens = {
        {QStringLiteral("dust_tok_dev"), QString(), {}},
        {QStringLiteral("dust_tok_ro"), QString(), {QStringLiteral("entries:read")}},
    };
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkTransport t(options(dustlite.wsUrl(), QStringLiteral("dust_tok_ro")));
    // A write issued before the join is held until the join reply says read-only.
    auto early = t.put(kStore, path(QStringLiteral("x")), 1);
    QVERIFY(waitLive(t, kStore));
    const auto earlyResult = await(early);
    SDK_EXPECT_ERROR(earlyResult, Error::Kind::Forbidden);
    QCOMPARE(t.permissions(kStore)->write, false);
    QCOMPARE(t.permissions(kStore)->read, true);

    // Afterwards writes fail at once, without a round trip.
    QSignalSpy errors(&t, &SdkTransport::protocolError);
    const auto late = await(t.increment(kStore, path(QStringLiteral("x")), 1));
    SDK_EXPECT_ERROR(late, Error::Kind::Forbidden);
    SDK_EXPECT_ERROR(await(t.get(kStore, path(QStringLiteral("x")))), Error::Kind::NotFound);
    QCOMPARE(dustlite.store()->currentSeq(), 0);
    const auto status = await(t.status(kStore));
    SDK_EXPECT_OK(status);
    QVERIFY(!status->canWrite);
}

void TstSdkTransport::rateLimited()
{
    InProcessDustlite dustlite;
    dustlite.config().writesPerMinute = 2;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkTransport t(options(dustlite.wsUrl()));
    QVERIFY(waitLive(t, kStore));
    SDK_EXPECT_OK(await(t.put(kStore, path(QStringLiteral("a")), 1)));
    SDK_EXPECT_OK(await(t.put(kStore, path(QStringLiteral("b")), 1)));
    const auto third = await(t.put(kStore, path(QStringLiteral("c")), 1));
    SDK_EXPECT_ERROR(third, Error::Kind::RateLimited);
    QCOMPARE(third.error().retryAfter(), 60000ms);
    QVERIFY(third.error().retryable());
    QCOMPARE(dustlite.store()->currentSeq(), 2);
}

void TstSdkTransport::subscriptionsMatchLikeTheSdks()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkTransport t(options(dustlite.wsUrl()));
    QVERIFY(waitLive(t, kStore));

    Recorder oneLevel(watch(t, kStore, QStringLiteral("users/*")));
    Recorder subtree(watch(t, kStore, QStringLiteral("users/**")));
    Recorder exact(watch(t, kStore, QStringLiteral("users/alice/name")));
    SubscribeOptions withAncestors;
    withAncestors.includeAncestors = true;
    Recorder watching(watch(t, kStore, QStringLiteral("users/alice/name"), withAncestors));
    auto everything = watch(t, kStore, QStringLiteral("**"));
    Recorder all(everything);

    // A set of an object at users/alice: users/* and users/** fire, users/alice/name does
    // not (the event's path is users/alice); with ancestors it does.
    SDK_EXPECT_OK(await(t.put(kStore, path(QStringLiteral("users/alice")),
                              QJsonObject{{QStringLiteral("name"), QStringLiteral("A")}})));
    QTRY_COMPARE(all.events.size(), 1);
    QCOMPARE(oneLevel.events.size(), 1);
    QCOMPARE(subtree.events.size(), 1);
    QCOMPARE(exact.events.size(), 0);
    QCOMPARE(watching.events.size(), 1);
    QCOMPARE(watching.events.first().value.toObject().value(QLatin1String("name")).toString(),
             QStringLiteral("A"));

    SDK_EXPECT_OK(
        await(t.put(kStore, path(QStringLiteral("users/alice/name")), QStringLiteral("B"))));
    QTRY_COMPARE(all.events.size(), 2);
    QCOMPARE(oneLevel.events.size(), 1);
    QCOMPARE(subtree.events.size(), 2);
    QCOMPARE(exact.events.size(), 1);
    QCOMPARE(watching.events.size(), 2);

    // A delete of users fires neither users/* nor users/** (its path is users itself).
    SDK_EXPECT_OK(await(t.remove(kStore, path(QStringLiteral("users")))));
    QTRY_COMPARE(all.events.size(), 3);
    QCOMPARE(oneLevel.events.size(), 1);
    QCOMPARE(subtree.events.size(), 2);
    QCOMPARE(exact.events.size(), 1);
    QCOMPARE(watching.events.size(), 3);
    QCOMPARE(all.events.last().op, Op::Delete);

    // Unsubscribed: nothing more.
    t.unsubscribe(everything);
    SDK_EXPECT_OK(await(t.put(kStore, path(QStringLiteral("users/bob")), 1)));
    QTRY_COMPARE(oneLevel.events.size(), 2);
    QCOMPARE(all.events.size(), 3);
}

void TstSdkTransport::liveEventsFromSecondClientInOrder()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkTransport reader(options(dustlite.wsUrl()));
    SdkTransport writer(options(dustlite.wsUrl()));
    QVERIFY(waitLive(reader, kStore));
    Recorder events(watch(reader, kStore, QStringLiteral("live/**")));
    QSignalSpy resets(&reader, &SdkTransport::storeReset);

    QList<QFuture<Result<WriteResult>>> writes;
    for (int i = 0; i < 60; ++i) {
        writes.append(i % 2 ? writer.increment(kStore, path(QStringLiteral("live/count")), 1)
                            : writer.put(kStore, path(QStringLiteral("live/k%1").arg(i)), i));
    }
    qint64 previous = 0;
    for (const auto &future : writes) {
        const auto result = await(future);
        SDK_EXPECT_OK(result);
        QVERIFY(result->storeSeq > previous); // issued in order, committed in order
        previous = result->storeSeq;
    }
    QTRY_COMPARE(events.events.size(), 60);
    QVERIFY(events.increasing());
    QCOMPARE(events.events.first().deviceId, writer.deviceId());
    QCOMPARE(events.events.last().value.toInteger(), 30); // the running total
    QCOMPARE(await(reader.get(kStore, path(QStringLiteral("live/count"))))->value.toInteger(), 30);
    QCOMPARE(resets.size(), 0);
    QCOMPARE(mirrorLeaves(reader, kStore), serverLeaves(dustlite.store()));
}

void TstSdkTransport::catchUpFromTheMiddle()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    // `a` does not come back by itself within the test; reconnect() brings it back.
    SdkOptions noReturn = options(dustlite.wsUrl());
    noReturn.reconnectDelay = 120s;
    noReturn.maxReconnectDelay = 120s;
    SdkTransport a(noReturn);
    SdkTransport b(options(dustlite.wsUrl()));
    QVERIFY(waitLive(a, kStore));
    for (int i = 0; i < 5; ++i)
        SDK_EXPECT_OK(await(a.put(kStore, path(QStringLiteral("m/%1").arg(i)), i)));
    QSignalSpy resets(&a, &SdkTransport::storeReset);
    QSignalSpy changed(&a, &SdkTransport::storeChanged);
    QSignalSpy lives(&a, &SdkTransport::storeLive);
    Recorder events(watch(a, kStore, QStringLiteral("**")));

    a.dropConnection();
    QTRY_VERIFY(!a.isLive(kStore));
    // While `a` is away, `b` writes.
    for (int i = 5; i < 15; ++i)
        SDK_EXPECT_OK(await(b.put(kStore, path(QStringLiteral("m/%1").arg(i)), i)));
    QVERIFY(!a.isLive(kStore));

    a.reconnect();
    QTRY_VERIFY_WITH_TIMEOUT(a.isLive(kStore), 10000);
    QTRY_COMPARE(lives.size(), 1);
    QCOMPARE(lives.first().at(1).toLongLong(), 15);
    // Caught up from seq 5: ten events, each once, no reload. (The event of `a`'s own last
    // write, seq 5, may reach it after the write's reply, so after the spies were made.)
    const auto batchesAfter5 = [&changed] {
        QList<MirrorChangeBatch> out;
        for (const QList<QVariant> &args : std::as_const(changed)) {
            const auto batch = args.at(1).value<MirrorChangeBatch>();
            if (batch.lastSeq() > 5)
                out.append(batch);
        }
        return out;
    };
    QTRY_COMPARE(batchesAfter5().size(), 10);
    QCOMPARE(batchesAfter5().first().firstSeq(), 6);
    QCOMPARE(resets.size(), 0);
    QList<qint64> seqs = events.seqs();
    seqs.removeIf([](qint64 seq) { return seq <= 5; });
    QCOMPARE(seqs, (QList<qint64>{6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
    QVERIFY(events.increasing());
    QCOMPARE(mirrorLeaves(a, kStore), serverLeaves(dustlite.store()));
}

void TstSdkTransport::catchUpAcrossSnapshot()
{
    InProcessDustlite dustlite;
    dustlite.config().compactAfter = 20;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkOptions noReturn = options(dustlite.wsUrl());
    noReturn.reconnectDelay = 120s;
    noReturn.maxReconnectDelay = 120s;
    SdkTransport a(noReturn);
    SdkTransport b(options(dustlite.wsUrl()));
    QVERIFY(waitLive(a, kStore));
    Recorder aEvents(watch(a, kStore, QStringLiteral("**")));
    for (int i = 0; i < 5; ++i)
        SDK_EXPECT_OK(await(b.put(kStore, path(QStringLiteral("s/%1").arg(i)), i)));
    QTRY_COMPARE(aEvents.events.size(), 5);

    a.dropConnection();
    QTRY_VERIFY(!a.isLive(kStore));
    // Enough writes, of every kind, for the server to compact past `a`'s seq.
    const QJsonArray array{1, QStringLiteral("two"), QJsonValue::Null};
    for (int i = 0; i < 30; ++i) {
        SDK_EXPECT_OK(await(b.put(kStore, path(QStringLiteral("s/%1").arg(i)), i * 10)));
        SDK_EXPECT_OK(await(b.increment(kStore, path(QStringLiteral("stats/views")), 1)));
    }
    SDK_EXPECT_OK(await(b.put(kStore, path(QStringLiteral("s/array")), array)));
    SDK_EXPECT_OK(await(b.put(kStore, path(QStringLiteral("s/null")), QJsonValue::Null)));
    SDK_EXPECT_OK(await(b.put(kStore, path(QStringLiteral("s/text")), QStringLiteral("Alice"))));
    SDK_EXPECT_OK(await(b.addMember(kStore, path(QStringLiteral("s/set")), QStringLiteral("m"))));
    QVERIFY(dustlite.store()->latestSnapshotSeq() > 5);

    QSignalSpy resets(&a, &SdkTransport::storeReset);
    QVERIFY(!a.isLive(kStore));
    a.reconnect();
    QTRY_VERIFY_WITH_TIMEOUT(a.isLive(kStore), 10000);
    // The snapshot replaced the state: subscribers are told to re-read.
    QTRY_COMPARE(aEvents.resyncs, 1);
    QVERIFY(resets.size() >= 1);
    QCOMPARE(mirrorLeaves(a, kStore), serverLeaves(dustlite.store()));
    QCOMPARE(await(a.get(kStore, path(QStringLiteral("s/text"))))->value.toString(),
             QStringLiteral("Alice")); // {"_scalar": "Alice"} unwrapped
    QCOMPARE(await(a.get(kStore, path(QStringLiteral("stats/views"))))->type,
             QStringLiteral("counter"));

    // A new client from 0 gets the snapshot, then the events after it.
    SdkTransport c(options(dustlite.wsUrl()));
    QVERIFY(waitLive(c, kStore));
    QCOMPARE(mirrorLeaves(c, kStore), serverLeaves(dustlite.store()));
    QCOMPARE(await(c.get(kStore, path(QStringLiteral("s/array"))))->value.toArray(), array);
    QCOMPARE(await(c.get(kStore, path(QStringLiteral("s/null"))))->value,
             QJsonValue(QJsonValue::Null));
}

void TstSdkTransport::restWritesNoticedByStatusPoll()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkOptions polling = options(dustlite.wsUrl());
    polling.statusPollInterval = 100ms;
    // A mirror that holds something (a catch-up into an empty one is one reset instead).
    QVERIFY(dustlite.store()->bulkSet({{path(QStringLiteral("seed")), 0}},
                                      QStringLiteral("dev_seed")) > 0);
    SdkTransport t(polling);
    QVERIFY(waitLive(t, kStore));
    Recorder events(watch(t, kStore, QStringLiteral("rest/*")));

    // A third party writes over REST: the server does not push it (§5.10).
    TestHttp http(dustlite.baseUrl());
    QCOMPARE(http.put(TestHttp::entries("/rest/x"), "42").status, 200);
    QCOMPARE(http.put(TestHttp::entries("/rest/y"), "\"why\"").status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(events.events.size(), 2, 10000);
    QVERIFY(events.events.first().deviceId.startsWith(QLatin1String("http:")));
    QCOMPARE(await(t.get(kStore, path(QStringLiteral("rest/x"))))->value.toInt(), 42);
    QCOMPARE(mirrorLeaves(t, kStore), serverLeaves(dustlite.store()));
}

void TstSdkTransport::gapInLiveStreamTriggersCatchUp()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    SdkOptions noPolling = options(dustlite.wsUrl());
    noPolling.statusPollInterval = 0ms;
    QVERIFY(dustlite.store()->bulkSet({{path(QStringLiteral("seed")), 0}},
                                      QStringLiteral("dev_seed")) > 0);
    SdkTransport a(noPolling);
    SdkTransport b(noPolling);
    QVERIFY(waitLive(a, kStore));
    Recorder events(watch(a, kStore, QStringLiteral("**")));

    TestHttp http(dustlite.baseUrl());
    // seq 2 is a REST write (not pushed), seq 3 a WebSocket write (pushed).
    QCOMPARE(http.put(TestHttp::entries("/gap/rest"), "1").status, 200);
    SDK_EXPECT_OK(await(b.put(kStore, path(QStringLiteral("gap/ws")), 2)));
    // Seeing seq 3 after 1, `a` catches up from 1 and gets both, in order, once.
    QTRY_COMPARE(events.events.size(), 2);
    QCOMPARE(events.seqs(), (QList<qint64>{2, 3}));
    QCOMPARE(await(a.get(kStore, path(QStringLiteral("gap/rest"))))->value.toInt(), 1);
    QTRY_VERIFY(a.isLive(kStore));
}

void TstSdkTransport::destroyWithPendingCalls()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QFuture<Result<WriteResult>> write;
    QFuture<Result<Entry>> read;
    {
        SdkTransport t(options(dustlite.wsUrl()));
        write = t.put(kStore, path(QStringLiteral("x")), 1);
        read = t.get(kStore, path(QStringLiteral("x")));
    }
    // Destroyed before it could connect: both calls end, with Cancelled.
    QVERIFY(write.isFinished());
    QVERIFY(read.isFinished());
    SDK_EXPECT_ERROR(write.result(), Error::Kind::Cancelled);
    SDK_EXPECT_ERROR(read.result(), Error::Kind::Cancelled);
}

void TstSdkTransport::pickerRoutesToTheLiveSession()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    HttpTransport http(dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));
    SdkOptions noReturn = options(dustlite.wsUrl());
    noReturn.reconnectDelay = 120s;
    noReturn.maxReconnectDelay = 120s;
    SdkTransport sdk(noReturn);
    TransportPicker picker(&http);
    picker.registerSession(&sdk, &sdk);
    // Not joined yet: HTTP.
    QCOMPARE(picker.pick(kStore), &http);
    QVERIFY(waitLive(sdk, kStore));
    QCOMPARE(picker.pick(kStore), &sdk);
    QCOMPARE(picker.pick(QStringLiteral("local/other")), &http);
    // The connection drops: back to HTTP until the store has caught up again.
    sdk.dropConnection();
    QTRY_COMPARE(picker.pick(kStore), &http);
    sdk.reconnect();
    QTRY_COMPARE(picker.pick(kStore), &sdk);
}

QTEST_MAIN(TstSdkTransport)
#include "tst_sdktransport.moc"
