// TransportPicker: the profile's explicit choice, live SDK sessions, HTTP otherwise.

#include "transport/TransportPicker.h"

#include "transport/Transport.h"

#include <QAtomicInt>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace dust;

namespace {

// A transport that does nothing: the picker only hands pointers around.
class NullTransport : public Transport
{
public:
    using Transport::Transport;

    QFuture<Result<ListPage>> list(const QString &, const ListQuery &) override
    {
        return failed<ListPage>(none());
    }
    QFuture<Result<Entry>> get(const QString &, const Path &) override
    {
        return failed<Entry>(none());
    }
    QFuture<Result<bool>> exists(const QString &, const Path &) override
    {
        return failed<bool>(none());
    }
    QFuture<Result<WriteResult>> put(const QString &, const Path &, const QJsonValue &,
                                     const WriteOptions &) override
    {
        return failed<WriteResult>(none());
    }
    QFuture<Result<WriteResult>> remove(const QString &, const Path &,
                                        const WriteOptions &) override
    {
        return failed<WriteResult>(none());
    }
    QFuture<Result<BatchWriteResult>> batchWrite(const QString &, const QList<BatchOp> &) override
    {
        return failed<BatchWriteResult>(none());
    }
    Result<std::shared_ptr<Subscription>> subscribe(const QString &, const QString &,
                                                    const SubscribeOptions &) override
    {
        return Result<std::shared_ptr<Subscription>>::failure(none());
    }
    void unsubscribe(const std::shared_ptr<Subscription> &) override {}

private:
    static Error none() { return Error::notSupported(QStringLiteral("test transport")); }
};

// A session source the test flips by hand, counting the questions it gets.
class FakeLiveSource : public LiveSessionSource
{
public:
    bool isLive(const QString &store) const override
    {
        ++asked;
        return live.contains(store);
    }
    QSet<QString> live;
    mutable int asked = 0;
};

const QString kSite = QStringLiteral("acme/site");
const QString kOther = QStringLiteral("acme/other");

} // namespace

class TestTransportPicker : public QObject
{
    Q_OBJECT

private slots:
    void autoPrefersALiveSession();
    void liveOnlyAfterCatchUp();
    void explicitChoiceWins();
    void explicitSdkWithoutSessionIsNull();
    void unregisterAndDestroyedSessions();
    void severalSessions();
    void reRegisteringUpdatesTheSource();
    void liveStoresFromAnotherThread();
    void manyPicksStayCheap();
};

void TestTransportPicker::autoPrefersALiveSession()
{
    NullTransport http;
    NullTransport sdk;
    FakeLiveSource source;
    TransportPicker picker(&http);
    QCOMPARE(picker.choice(), TransportChoice::Auto);
    QCOMPARE(picker.pick(kSite), &http);
    QVERIFY(!picker.hasSession());

    picker.registerSession(&sdk, &source);
    QVERIFY(picker.hasSession());
    QCOMPARE(picker.pick(kSite), &http); // registered, not live yet
    source.live.insert(kSite);
    QCOMPARE(picker.pick(kSite), &sdk); // the next call uses it
    QCOMPARE(picker.pick(kOther), &http);
    source.live.remove(kSite); // disconnected
    QCOMPARE(picker.pick(kSite), &http);
}

void TestTransportPicker::liveOnlyAfterCatchUp()
{
    // What the SDK side does with LiveStores: joined → not live; catch_up_complete → live;
    // socket lost → nothing live.
    NullTransport http;
    NullTransport sdk;
    LiveStores live;
    TransportPicker picker(&http);
    picker.registerSession(&sdk, &live);
    QCOMPARE(picker.pick(kSite), &http); // joined, catching up
    live.setLive(kSite, true);           // catch-up complete
    QCOMPARE(picker.pick(kSite), &sdk);
    QCOMPARE(picker.pick(kOther), &http);
    live.setLive(kOther, true);
    QCOMPARE(picker.pick(kOther), &sdk);
    live.setLive(kSite, false); // channel left
    QCOMPARE(picker.pick(kSite), &http);
    QCOMPARE(picker.pick(kOther), &sdk);
    live.clear(); // socket lost
    QCOMPARE(picker.pick(kOther), &http);
}

void TestTransportPicker::explicitChoiceWins()
{
    NullTransport http;
    NullTransport sdk;
    FakeLiveSource source;
    source.live.insert(kSite);
    TransportPicker picker(&http, TransportChoice::Http);
    picker.registerSession(&sdk, &source);
    QCOMPARE(picker.pick(kSite), &http); // live session, but the profile says HTTP
    QCOMPARE(source.asked, 0);
    picker.setChoice(TransportChoice::Sdk);
    QCOMPARE(picker.pick(kSite), &sdk);
    QCOMPARE(picker.pick(kOther), &sdk); // not live for that store: still the chosen one
    picker.setChoice(TransportChoice::Auto);
    QCOMPARE(picker.pick(kOther), &http);
}

void TestTransportPicker::explicitSdkWithoutSessionIsNull()
{
    NullTransport http;
    TransportPicker picker(&http, TransportChoice::Sdk);
    QCOMPARE(picker.pick(kSite), nullptr); // never silently HTTP
    TransportPicker noHttp(nullptr, TransportChoice::Http);
    QCOMPARE(noHttp.pick(kSite), nullptr);
    TransportPicker empty;
    QCOMPARE(empty.pick(kSite), nullptr);
    empty.setHttp(&http);
    QCOMPARE(empty.http(), &http);
    QCOMPARE(empty.pick(kSite), &http);
}

void TestTransportPicker::unregisterAndDestroyedSessions()
{
    NullTransport http;
    FakeLiveSource source;
    source.live.insert(kSite);
    TransportPicker picker(&http);
    {
        NullTransport sdk;
        picker.registerSession(&sdk, &source);
        QCOMPARE(picker.pick(kSite), &sdk);
        picker.unregisterSession(&sdk);
        QCOMPARE(picker.pick(kSite), &http);
        picker.registerSession(&sdk, &source);
        QCOMPARE(picker.pick(kSite), &sdk);
    } // destroyed without unregistering
    const int askedBefore = source.asked;
    QCOMPARE(picker.pick(kSite), &http);
    QCOMPARE(source.asked, askedBefore); // a dead session is not even asked
    QVERIFY(!picker.hasSession());
    picker.setChoice(TransportChoice::Sdk);
    QCOMPARE(picker.pick(kSite), nullptr);

    // Null arguments are ignored.
    picker.registerSession(nullptr, &source);
    picker.registerSession(&http, nullptr);
    QVERIFY(!picker.hasSession());
}

void TestTransportPicker::severalSessions()
{
    NullTransport http;
    NullTransport first;
    NullTransport second;
    FakeLiveSource firstSource;
    FakeLiveSource secondSource;
    firstSource.live.insert(kSite);
    secondSource.live.insert(kOther);
    TransportPicker picker(&http);
    picker.registerSession(&first, &firstSource);
    picker.registerSession(&second, &secondSource);
    QCOMPARE(picker.pick(kSite), &first);
    QCOMPARE(picker.pick(kOther), &second);
    QCOMPARE(picker.pick(QStringLiteral("acme/third")), &http);
    picker.setChoice(TransportChoice::Sdk);
    QCOMPARE(picker.pick(kOther), &second); // the one live for the store
    QCOMPARE(picker.pick(QStringLiteral("acme/third")), &first);
}

void TestTransportPicker::reRegisteringUpdatesTheSource()
{
    NullTransport http;
    NullTransport sdk;
    FakeLiveSource dead;
    FakeLiveSource live;
    live.live.insert(kSite);
    TransportPicker picker(&http);
    picker.registerSession(&sdk, &dead);
    QCOMPARE(picker.pick(kSite), &http);
    picker.registerSession(&sdk, &live);
    QCOMPARE(picker.pick(kSite), &sdk);
    picker.unregisterSession(&sdk);
    QVERIFY(!picker.hasSession());
}

// The session marks stores live on its own thread while the GUI thread picks.
void TestTransportPicker::liveStoresFromAnotherThread()
{
    NullTransport http;
    NullTransport sdk;
    LiveStores live;
    TransportPicker picker(&http);
    picker.registerSession(&sdk, &live);

    std::atomic<bool> stop{false};
    std::unique_ptr<QThread> session(QThread::create([&live, &stop] {
        int i = 0;
        while (!stop.load()) {
            live.setLive(kOther, (i & 1) != 0);
            live.setLive(QStringLiteral("acme/s%1").arg(i % 50), true);
            ++i;
        }
        live.setLive(kSite, true);
    }));
    session->start();
    int sdkPicks = 0;
    for (int i = 0; i < 20000; ++i) {
        Transport *chosen = picker.pick(kOther);
        QVERIFY(chosen == &http || chosen == &sdk);
        sdkPicks += chosen == &sdk;
    }
    stop = true;
    QVERIFY(session->wait(10000));
    QCOMPARE(picker.pick(kSite), &sdk);
    QVERIFY(sdkPicks >= 0);
}

// Not a timed assertion: a million picks must simply run through (O(1), no allocation).
void TestTransportPicker::manyPicksStayCheap()
{
    NullTransport http;
    NullTransport sdk;
    LiveStores live;
    live.setLive(kSite, true);
    TransportPicker picker(&http);
    picker.registerSession(&sdk, &live);
    qint64 sdkCount = 0;
    for (int i = 0; i < 1'000'000; ++i)
        sdkCount += picker.pick((i & 1) ? kSite : kOther) == &sdk;
    QCOMPARE(sdkCount, 500000);
}

QTEST_GUILESS_MAIN(TestTransportPicker)
#include "tst_transportpicker.moc"
