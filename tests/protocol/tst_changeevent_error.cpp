#include "protocol/Entry.h"
#include "protocol/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using dust::ChangeEvent;
using dust::Error;
using dust::Op;

namespace {

QJsonObject obj(const QByteArray &text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text);
    if (!doc.isObject())
        qFatal("test JSON is not an object: %s", text.constData());
    return doc.object();
}

} // namespace

class TestChangeEventAndError : public QObject
{
    Q_OBJECT

private slots:
    void opNames();
    void decodeProtocolExample();
    void decodeVariants_data();
    void decodeVariants();
    void decodeErrors_data();
    void decodeErrors();
    void toJsonRoundTrip();
    void unknownOpIsKept();

    void errorFactories();
    void retryable_data();
    void retryable();
    void messages_data();
    void messages();
    void kindNames();
    void errorInVariant();
};

void TestChangeEventAndError::opNames()
{
    const QList<std::pair<Op, QString>> all{
        {Op::Set, QStringLiteral("set")},          {Op::Delete, QStringLiteral("delete")},
        {Op::Merge, QStringLiteral("merge")},      {Op::Increment, QStringLiteral("increment")},
        {Op::Add, QStringLiteral("add")},          {Op::Remove, QStringLiteral("remove")},
        {Op::PutFile, QStringLiteral("put_file")}, {Op::Lease, QStringLiteral("lease")},
        {Op::Renew, QStringLiteral("renew")},      {Op::Release, QStringLiteral("release")},
    };
    for (const auto &[op, name] : all) {
        QCOMPARE(dust::opName(op), name);
        QCOMPARE(dust::opFromName(name), op);
    }
    QCOMPARE(dust::opFromName(u"SET"), Op::Unknown);
    QCOMPARE(dust::opFromName(u"putfile"), Op::Unknown);
    QCOMPARE(dust::opFromName(u""), Op::Unknown);
    QCOMPARE(dust::opFromName(u"set "), Op::Unknown);
    QCOMPARE(dust::opName(Op::Unknown), QStringLiteral("unknown"));
}

void TestChangeEventAndError::decodeProtocolExample()
{
    const auto e = ChangeEvent::fromJson(obj(
        R"({"store_seq":143,"op":"set","path":"posts/hello","path_segments":["posts","hello"],
            "value":{"title":"Hi"},"device_id":"dev_8f","client_op_id":"op_3kq"})"));
    QVERIFY2(e, qPrintable(e ? QString() : e.error()));
    QCOMPARE(e->storeSeq, 143);
    QCOMPARE(e->op, Op::Set);
    QCOMPARE(e->opText, QStringLiteral("set"));
    QCOMPARE(e->path.rendered(), QStringLiteral("posts/hello"));
    QCOMPARE(e->segments(), (QStringList{QStringLiteral("posts"), QStringLiteral("hello")}));
    QCOMPARE(e->value, QJsonValue(obj(R"({"title":"Hi"})")));
    QCOMPARE(e->deviceId, QStringLiteral("dev_8f"));
    QCOMPARE(e->clientOpId, QStringLiteral("op_3kq"));
}

void TestChangeEventAndError::decodeVariants_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonValue>("value");

    QTest::newRow("path_segments wins over path")
        << QByteArray(
               R"({"store_seq":1,"op":"set","path":"ignored","path_segments":["a/b","c"],"value":1,"device_id":"d","client_op_id":"c"})")
        << QStringLiteral("a~1b/c") << QJsonValue(1);
    QTest::newRow("path_segments wins over a bad path")
        << QByteArray(R"({"store_seq":1,"op":"set","path":"//","path_segments":["x"],"value":1})")
        << QStringLiteral("x") << QJsonValue(1);
    QTest::newRow("path only")
        << QByteArray(R"({"store_seq":2,"op":"delete","path":"a~0b/c","value":null})")
        << QStringLiteral("a~0b/c") << QJsonValue();
    QTest::newRow("null path_segments falls back to path")
        << QByteArray(R"({"store_seq":2,"op":"delete","path":"a/b","path_segments":null})")
        << QStringLiteral("a/b") << QJsonValue();
    QTest::newRow("missing value is null")
        << QByteArray(R"({"store_seq":3,"op":"release","path":"jobs/nightly"})")
        << QStringLiteral("jobs/nightly") << QJsonValue();
    QTest::newRow("increment total")
        << QByteArray(R"({"store_seq":4,"op":"increment","path":"stats/views","value":42})")
        << QStringLiteral("stats/views") << QJsonValue(42);
    QTest::newRow("add members")
        << QByteArray(R"({"store_seq":5,"op":"add","path":"tags","value":["b","a"]})")
        << QStringLiteral("tags")
        << QJsonValue(QJsonArray{QStringLiteral("b"), QStringLiteral("a")});
    QTest::newRow("integral double seq")
        << QByteArray(R"({"store_seq":6.0,"op":"set","path":"a","value":"x"})")
        << QStringLiteral("a") << QJsonValue(QStringLiteral("x"));
    QTest::newRow("big seq")
        << QByteArray(R"({"store_seq":9007199254740993,"op":"set","path":"a","value":true})")
        << QStringLiteral("a") << QJsonValue(true);
    QTest::newRow("null device and op ids")
        << QByteArray(
               R"({"store_seq":7,"op":"set","path":"a","value":1,"device_id":null,"client_op_id":null})")
        << QStringLiteral("a") << QJsonValue(1);
}

void TestChangeEventAndError::decodeVariants()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, path);
    QFETCH(QJsonValue, value);
    const auto e = ChangeEvent::fromJson(obj(payload));
    QVERIFY2(e, qPrintable(e ? QString() : e.error()));
    QCOMPARE(e->path.rendered(), path);
    QCOMPARE(e->value, value);
    QCOMPARE(e->storeSeq, obj(payload).value(QLatin1String("store_seq")).toInteger());
}

void TestChangeEventAndError::decodeErrors_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("empty object") << QByteArray("{}") << QStringLiteral("store_seq is missing");
    QTest::newRow("string seq") << QByteArray(R"({"store_seq":"143","op":"set","path":"a"})")
                                << QStringLiteral("store_seq must be an integer, got a string");
    QTest::newRow("fraction seq") << QByteArray(R"({"store_seq":1.5,"op":"set","path":"a"})")
                                  << QStringLiteral("store_seq must be an integer, got 1.5");
    QTest::newRow("null seq") << QByteArray(R"({"store_seq":null,"op":"set","path":"a"})")
                              << QStringLiteral("store_seq must be an integer, got null");
    QTest::newRow("huge seq") << QByteArray(R"({"store_seq":1e300,"op":"set","path":"a"})")
                              << QStringLiteral("store_seq must be an integer");
    QTest::newRow("zero seq") << QByteArray(R"({"store_seq":0,"op":"set","path":"a"})")
                              << QStringLiteral("store_seq must be positive");
    QTest::newRow("negative seq") << QByteArray(R"({"store_seq":-4,"op":"set","path":"a"})")
                                  << QStringLiteral("store_seq must be positive");
    QTest::newRow("missing op") << QByteArray(R"({"store_seq":1,"path":"a"})")
                                << QStringLiteral("op is missing");
    QTest::newRow("numeric op") << QByteArray(R"({"store_seq":1,"op":3,"path":"a"})")
                                << QStringLiteral("op must be a string, got a number");
    QTest::newRow("no path") << QByteArray(R"({"store_seq":1,"op":"set"})")
                             << QStringLiteral("path and path_segments are both missing");
    QTest::newRow("null path")
        << QByteArray(R"({"store_seq":1,"op":"set","path":null,"path_segments":null})")
        << QStringLiteral("both missing");
    QTest::newRow("numeric path") << QByteArray(R"({"store_seq":1,"op":"set","path":5})")
                                  << QStringLiteral("path must be a string, got a number");
    QTest::newRow("invalid path") << QByteArray(R"({"store_seq":1,"op":"set","path":"a//b"})")
                                  << QStringLiteral("(empty_segment)");
    QTest::newRow("invalid escape") << QByteArray(R"({"store_seq":1,"op":"set","path":"a~"})")
                                    << QStringLiteral("(invalid_escape)");
    QTest::newRow("segments not a list")
        << QByteArray(R"({"store_seq":1,"op":"set","path":"a","path_segments":"a"})")
        << QStringLiteral("path_segments is not a valid path (not_a_list)");
    QTest::newRow("segments with a number")
        << QByteArray(R"({"store_seq":1,"op":"set","path":"a","path_segments":["a",1]})")
        << QStringLiteral("(not_a_string)");
    QTest::newRow("empty segments")
        << QByteArray(R"({"store_seq":1,"op":"set","path":"a","path_segments":[]})")
        << QStringLiteral("(empty_path)");
    QTest::newRow("numeric device_id")
        << QByteArray(R"({"store_seq":1,"op":"set","path":"a","device_id":7})")
        << QStringLiteral("device_id must be a string, got a number");
    QTest::newRow("object client_op_id")
        << QByteArray(R"({"store_seq":1,"op":"set","path":"a","client_op_id":{}})")
        << QStringLiteral("client_op_id must be a string, got an object");
}

void TestChangeEventAndError::decodeErrors()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, mentions);
    const auto e = ChangeEvent::fromJson(obj(payload));
    QVERIFY(!e);
    QVERIFY2(e.error().contains(mentions), qPrintable(e.error()));
    QVERIFY(e.error().startsWith(QStringLiteral("invalid event: ")));
}

void TestChangeEventAndError::toJsonRoundTrip()
{
    ChangeEvent e;
    e.storeSeq = 12;
    e.op = Op::Merge;
    e.opText = QStringLiteral("merge");
    e.path = *dust::Path::parse(u"users/a~1b");
    e.value = obj(R"({"x":1})");
    e.deviceId = QStringLiteral("dev_1");
    e.clientOpId = QStringLiteral("op_1");
    const QJsonObject json = e.toJson();
    QCOMPARE(
        json,
        obj(R"({"store_seq":12,"op":"merge","path":"users/a~1b","path_segments":["users","a/b"],
                           "value":{"x":1},"device_id":"dev_1","client_op_id":"op_1"})"));
    const auto back = ChangeEvent::fromJson(json);
    QVERIFY(back);
    QCOMPARE(*back, e);

    // An event built without opText still serialises its op.
    ChangeEvent plain;
    plain.storeSeq = 1;
    plain.op = Op::Delete;
    plain.path = *dust::Path::parse(u"a");
    QCOMPARE(plain.toJson().value(QLatin1String("op")).toString(), QStringLiteral("delete"));
    QCOMPARE(plain.toJson().value(QLatin1String("value")), QJsonValue());
}

void TestChangeEventAndError::unknownOpIsKept()
{
    const auto e = ChangeEvent::fromJson(obj(
        R"({"store_seq":9,"op":"teleport","path":"a","value":1,"device_id":"d","client_op_id":"c"})"));
    QVERIFY(e);
    QCOMPARE(e->op, Op::Unknown);
    QCOMPARE(e->opText, QStringLiteral("teleport"));
    QCOMPARE(e->toJson().value(QLatin1String("op")).toString(), QStringLiteral("teleport"));
    QCOMPARE(*ChangeEvent::fromJson(e->toJson()), *e);
}

void TestChangeEventAndError::errorFactories()
{
    const Error c = Error::conflict(12);
    QCOMPARE(c.kind(), Error::Kind::Conflict);
    QCOMPARE(c.reason(), QStringLiteral("conflict"));
    QCOMPARE(c.currentRevision(), std::optional<qint64>(12));

    const Error exists = Error::conflict(std::nullopt, QStringLiteral("exists"));
    QCOMPARE(exists.reason(), QStringLiteral("exists"));
    QVERIFY(!exists.currentRevision());

    const Error r = Error::rateLimited(std::chrono::milliseconds(60000));
    QCOMPARE(r.kind(), Error::Kind::RateLimited);
    QCOMPARE(r.retryAfter(), std::chrono::milliseconds(60000));
    QCOMPARE(r.reason(), QStringLiteral("rate_limited"));

    const Error h = Error::http(503, QStringLiteral("Service Unavailable"));
    QCOMPARE(h.kind(), Error::Kind::Http);
    QCOMPARE(h.httpStatus(), 503);
    QCOMPARE(h.detail(), QStringLiteral("Service Unavailable"));

    QCOMPARE(Error::notFound().kind(), Error::Kind::NotFound);
    QCOMPARE(Error::network(QStringLiteral("refused")).kind(), Error::Kind::Network);
    QCOMPARE(Error::protocol(QStringLiteral("bad frame")).kind(), Error::Kind::Protocol);
    QCOMPARE(Error::invalidParams(QStringLiteral("limit")).detail(), QStringLiteral("limit"));
    QCOMPARE(Error::notSupported(QStringLiteral("subscribe")).kind(), Error::Kind::NotSupported);

    Error chained = Error::conflict(9);
    chained.setOpIndex(1).setPath(QStringLiteral("projects/alpha/owner")).setHttpStatus(412);
    QCOMPARE(chained.opIndex(), std::optional<int>(1));
    QCOMPARE(chained.path(), QStringLiteral("projects/alpha/owner"));
    QCOMPARE(chained.httpStatus(), 412);
}

void TestChangeEventAndError::retryable_data()
{
    QTest::addColumn<Error>("error");
    QTest::addColumn<bool>("retryable");
    QTest::newRow("network") << Error::network(QStringLiteral("reset")) << true;
    QTest::newRow("rate limited") << Error::rateLimited(std::chrono::seconds(1)) << true;
    QTest::newRow("500") << Error::http(500) << true;
    QTest::newRow("503") << Error::http(503) << true;
    QTest::newRow("599") << Error::http(599) << true;
    QTest::newRow("400") << Error::http(400) << false;
    QTest::newRow("499") << Error::http(499) << false;
    QTest::newRow("600") << Error::http(600) << false;
    QTest::newRow("not found") << Error::notFound() << false;
    QTest::newRow("conflict") << Error::conflict(3) << false;
    QTest::newRow("unauthorized") << Error(Error::Kind::Unauthorized) << false;
    QTest::newRow("forbidden") << Error(Error::Kind::Forbidden) << false;
    QTest::newRow("not implemented") << Error(Error::Kind::NotImplemented) << false;
    QTest::newRow("invalid params") << Error::invalidParams(QStringLiteral("x")) << false;
    QTest::newRow("not supported") << Error::notSupported(QStringLiteral("x")) << false;
    QTest::newRow("protocol") << Error::protocol(QStringLiteral("x")) << false;
    QTest::newRow("cancelled") << Error(Error::Kind::Cancelled) << false;
    QTest::newRow("5xx status on another kind")
        << Error(Error::Kind::InvalidParams).setHttpStatus(500) << false;
}

void TestChangeEventAndError::retryable()
{
    QFETCH(Error, error);
    QFETCH(bool, retryable);
    QCOMPARE(error.retryable(), retryable);
}

void TestChangeEventAndError::messages_data()
{
    QTest::addColumn<Error>("error");
    QTest::addColumn<QString>("message");
    QTest::newRow("conflict") << Error::conflict(12)
                              << QStringLiteral("Conflict: the entry changed (now revision 12)");
    QTest::newRow("conflict, revision unknown")
        << Error::conflict(std::nullopt) << QStringLiteral("Conflict: the entry changed");
    QTest::newRow("exists") << Error::conflict(7, QStringLiteral("exists"))
                            << QStringLiteral("Conflict: the entry already exists (revision 7)");
    QTest::newRow("batch conflict")
        << Error::conflict(9).setOpIndex(1).setPath(QStringLiteral("projects/alpha/owner"))
        << QStringLiteral(
               "Conflict: the entry changed (now revision 9) at op 1, projects/alpha/owner");
    QTest::newRow("rate limited") << Error::rateLimited(std::chrono::milliseconds(60000))
                                  << QStringLiteral("Rate limited: try again in 60 seconds");
    QTest::newRow("rate limited, rounds up")
        << Error::rateLimited(std::chrono::milliseconds(200))
        << QStringLiteral("Rate limited: try again in 1 second");
    QTest::newRow("http") << Error::http(502, QStringLiteral("Bad Gateway"))
                          << QStringLiteral("HTTP error 502: Bad Gateway");
    QTest::newRow("network") << Error::network(QStringLiteral("Connection refused"))
                             << QStringLiteral("Network error: Connection refused");
    QTest::newRow("not found") << Error::notFound(QStringLiteral("users/bob"))
                               << QStringLiteral("Not found: users/bob");
    QTest::newRow("invalid params") << Error::invalidParams(QStringLiteral("limit must be 1..1000"))
                                    << QStringLiteral("Invalid request: limit must be 1..1000");
    QTest::newRow("multi-line detail is one line") << Error::protocol(QStringLiteral("bad\nframe"))
                                                   << QStringLiteral("Protocol error: bad frame");
    QTest::newRow("cancelled") << Error(Error::Kind::Cancelled) << QStringLiteral("Cancelled");
}

void TestChangeEventAndError::messages()
{
    QFETCH(Error, error);
    QFETCH(QString, message);
    QCOMPARE(error.message(), message);
}

void TestChangeEventAndError::kindNames()
{
    QSet<QString> names;
    for (int k = int(Error::Kind::NotFound); k <= int(Error::Kind::Cancelled); ++k) {
        const auto kind = Error::Kind(k);
        const QString name = Error::kindName(kind);
        QVERIFY(!name.isEmpty());
        names.insert(name);
        // Every kind has a non-empty one-line message, even without details.
        const QString message = Error(kind).message();
        QVERIFY(!message.isEmpty());
        QVERIFY(!message.contains(QLatin1Char('\n')));
    }
    QCOMPARE(names.size(), int(Error::Kind::Cancelled) + 1);
    QCOMPARE(Error::kindName(Error::Kind::RateLimited), QStringLiteral("RateLimited"));
    QCOMPARE(Error::kindName(Error::Kind::NotFound), QStringLiteral("NotFound"));
}

void TestChangeEventAndError::errorInVariant()
{
    const Error e = Error::conflict(4);
    const QVariant v = QVariant::fromValue(e);
    QCOMPARE(v.value<Error>().currentRevision(), std::optional<qint64>(4));
    ChangeEvent ev;
    ev.storeSeq = 3;
    QCOMPARE(QVariant::fromValue(ev).value<ChangeEvent>(), ev);
}

QTEST_GUILESS_MAIN(TestChangeEventAndError)
#include "tst_changeevent_error.moc"
