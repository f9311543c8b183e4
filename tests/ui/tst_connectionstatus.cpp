// The connection-status widget of a store, driven with QTest offscreen against a real
// dustlite on 127.0.0.1 (and a scripted Phoenix server where a catch-up must stop half way):
// connecting → catching up with progress → live · seq N; the server stopped → reconnecting
// in N s, started again on the same port → live again; read-only from the join reply or the
// profile; offline with the cached copy and its age; Cancel and Catch up; the events per
// second; the label's accessible name following its text.

#include "../transport/SdkTestSupport.h"
#include "InProcessDustlite.h"
#include "StoreDb.h"

#include "live/ConnectionStatus.h"

#include <QAccessible>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QTemporaryDir>

using namespace sdktest;
using dust::test::InProcessDustlite;

namespace {

const QString kStore = QStringLiteral("local/demo");
const QString kTopic = QStringLiteral("store:local/demo");

QList<std::pair<Path, QJsonValue>> numbered(const QString &prefix, int count)
{
    QList<std::pair<Path, QJsonValue>> leaves;
    for (int i = 0; i < count; ++i)
        leaves.append({path(QStringLiteral("%1/%2").arg(prefix).arg(i)), QJsonValue(i)});
    return leaves;
}

// Every text the widget showed, and whether Cancel was visible with it.
struct TextLog
{
    explicit TextLog(ConnectionStatus &status)
    {
        QObject::connect(&status, &ConnectionStatus::textChanged, &status,
                         [this, &status](const QString &text) {
                             texts.append(text);
                             cancelShown.append(status.cancelButton()->isVisibleTo(&status));
                         });
    }
    qsizetype indexOf(const QRegularExpression &re) const
    {
        for (qsizetype i = 0; i < texts.size(); ++i) {
            if (re.match(texts.at(i)).hasMatch())
                return i;
        }
        return -1;
    }
    QStringList texts;
    QList<bool> cancelShown;
};

} // namespace

class TestConnectionStatus : public QObject
{
    Q_OBJECT

private slots:
    void connectingCatchingUpLive();
    void killedServerShowsReconnectingAndRecovers();
    void readOnlyFromTheJoinReply();
    void readOnlyFromTheProfile();
    void offlineShowsTheCachedCopyAndItsAge();
    void cancelKeepsWhatIsShownAndCatchUpResumes();
    void ageText_data();
    void ageText();
    void rateText_data();
    void rateText();
};

void TestConnectionStatus::connectingCatchingUpLive()
{
    constexpr int kOps = 2500;
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet(numbered(QStringLiteral("a"), kOps), QStringLiteral("dev")) >
            0);
    const qint64 seq = dustlite.store()->currentSeq();
    SdkTransport t(options(dustlite.wsUrl()));
    ConnectionStatus status(&t, kStore);
    status.show();
    QCOMPARE(status.text(), QStringLiteral("connecting…"));
    QCOMPARE(status.phase(), ConnectionStatus::Phase::Connecting);
    QCOMPARE(status.accessibleName(), QStringLiteral("Connection status"));
    TextLog log(status);

    t.open(kStore);
    QTRY_COMPARE_WITH_TIMEOUT(status.text(), QStringLiteral("live · seq %1").arg(seq), 30000);
    QCOMPARE(status.phase(), ConnectionStatus::Phase::Live);
    const qsizetype catchingUp = log.indexOf(
        QRegularExpression(QStringLiteral("^catching up [0-9,.\\s]+ of %1 events$")
                               .arg(QRegularExpression::escape(QLocale().toString(kOps)))));
    QVERIFY2(catchingUp >= 0, qPrintable(log.texts.join(QLatin1String(" | "))));
    QVERIFY(log.cancelShown.at(catchingUp));
    QCOMPARE(log.texts.last(), status.text());
    QVERIFY(!status.progressBar()->isVisibleTo(&status));
    QVERIFY(!status.cancelButton()->isVisibleTo(&status));
    QVERIFY(!status.isReadOnly());

    // A write moves the seq on.
    const auto written = await(t.put(kStore, path(QStringLiteral("b")), 1));
    SDK_EXPECT_OK(written);
    QTRY_COMPARE(status.text(), QStringLiteral("live · seq %1").arg(written->storeSeq));

    // The label's accessible name is its text (its changes go out as NameChanged events;
    // the offscreen platform has no accessibility bridge to observe them).
    auto *label = status.findChild<QLabel *>();
    QVERIFY(label);
    QCOMPARE(label->text(), status.text());
    QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(label);
    QVERIFY(iface);
    QCOMPARE(iface->text(QAccessible::Name), status.text());
    QAccessibleInterface *widget = QAccessible::queryAccessibleInterface(&status);
    QVERIFY(widget);
    QCOMPARE(widget->text(QAccessible::Name), QStringLiteral("Connection status"));
}

void TestConnectionStatus::killedServerShowsReconnectingAndRecovers()
{
    auto first = std::make_unique<InProcessDustlite>();
    QVERIFY2(first->start(), qPrintable(first->errorString()));
    QVERIFY(first->store()->bulkSet(numbered(QStringLiteral("a"), 5), QStringLiteral("dev")) > 0);
    const quint16 port = first->port();
    SdkOptions o = options(first->wsUrl());
    o.reconnectDelay = 1500ms;
    o.maxReconnectDelay = 3000ms;
    SdkTransport t(o);
    ConnectionStatus status(&t, kStore);
    t.open(kStore);
    QTRY_COMPARE_WITH_TIMEOUT(status.text(), QStringLiteral("live · seq 5"), 30000);
    TextLog log(status);

    first->stop();
    first.reset();
    const QRegularExpression countdown(QStringLiteral("^reconnecting in ([0-9]+) s$"));
    QTRY_VERIFY_WITH_TIMEOUT(countdown.match(status.text()).hasMatch(), 20000);
    QCOMPARE(status.phase(), ConnectionStatus::Phase::Reconnecting);
    const int seconds = countdown.match(status.text()).captured(1).toInt();
    QVERIFY(seconds >= 1 && seconds <= 3);

    // Started again on the same port (a new server behind the mirror, so the store reloads).
    InProcessDustlite second;
    second.config().port = port;
    QVERIFY2(second.start(), qPrintable(second.errorString()));
    QVERIFY(second.store()->bulkSet(numbered(QStringLiteral("b"), 3), QStringLiteral("dev")) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(status.text(), QStringLiteral("live · seq 3"), 30000);
    QVERIFY(log.indexOf(QRegularExpression(QStringLiteral("^connecting…$"))) >= 0);
    QVERIFY(log.indexOf(countdown) <
            log.indexOf(QRegularExpression(QStringLiteral("^connecting"))));
}

void TestConnectionStatus::readOnlyFromTheJoinReply()
{
    InProcessDustlite dustlite;
    dustlite.config().tokens = {
        {QStringLiteral("dust_tok_dev"), QString(), {}},
        {QStringLiteral("dust_tok_ro"), QString(), {QStringLiteral("entries:read")}}};
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet(numbered(QStringLiteral("a"), 3), QStringLiteral("dev")) > 0);
    SdkTransport t(options(dustlite.wsUrl(), QStringLiteral("dust_tok_ro")));
    ConnectionStatus status(&t, kStore);
    t.open(kStore);
    QTRY_COMPARE_WITH_TIMEOUT(status.text(), QStringLiteral("live · seq 3 · read-only"), 30000);
    QVERIFY(status.isReadOnly());
}

void TestConnectionStatus::readOnlyFromTheProfile()
{
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet(numbered(QStringLiteral("a"), 2), QStringLiteral("dev")) > 0);
    SdkTransport t(options(dustlite.wsUrl()));
    ConnectionStatus status(&t, kStore);
    t.open(kStore);
    QTRY_COMPARE_WITH_TIMEOUT(status.text(), QStringLiteral("live · seq 2"), 30000);
    status.setReadOnlyProfile(true);
    QCOMPARE(status.text(), QStringLiteral("live · seq 2 · read-only"));
    status.setReadOnlyProfile(false);
    QCOMPARE(status.text(), QStringLiteral("live · seq 2"));
}

void TestConnectionStatus::offlineShowsTheCachedCopyAndItsAge()
{
    QTemporaryDir dir;
    InProcessDustlite dustlite;
    QVERIFY2(dustlite.start(), qPrintable(dustlite.errorString()));
    QVERIFY(dustlite.store()->bulkSet(numbered(QStringLiteral("a"), 7), QStringLiteral("dev")) > 0);
    SdkOptions o = options(dustlite.wsUrl());
    o.cacheDirectory = dir.path();
    o.reconnectDelay = 1000ms;
    o.maxReconnectDelay = 2000ms;
    {
        SdkTransport writer(o);
        QVERIFY(waitLive(writer, kStore)); // caught up: the cache is written
    }
    dustlite.stop(); // the port is dead now

    SdkTransport t(o);
    ConnectionStatus status(&t, kStore);
    TextLog log(status);
    t.open(kStore);
    const QRegularExpression offline(
        QStringLiteral("^offline — showing the cached copy from [0-9]+ s ago · "
                       "reconnecting (in [0-9]+ s|…)$"));
    QTRY_VERIFY2_WITH_TIMEOUT(offline.match(status.text()).hasMatch(), qPrintable(status.text()),
                              20000);
    QCOMPARE(status.phase(), ConnectionStatus::Phase::Reconnecting);
    // The last connection error is at hand.
    auto *label = status.findChild<QLabel *>();
    QVERIFY(label->toolTip().contains(QStringLiteral("cannot connect")));
    QCOMPARE(label->accessibleDescription(), label->toolTip());
}

void TestConnectionStatus::cancelKeepsWhatIsShownAndCatchUpResumes()
{
    // A scripted server: the first join promises 100 ops and sends 10, the next has nothing
    // more to send.
    FakePhoenixServer server;
    QVERIFY(server.listen());
    int joins = 0;
    server.onFrame = [&](QWebSocket *socket, const PhoenixMessage &m) {
        if (m.topic == QLatin1String("phoenix") || m.event == QLatin1String("phx_leave")) {
            FakePhoenixServer::replyOk(socket, m, {});
            return;
        }
        if (m.event != QLatin1String("phx_join"))
            return;
        const qint64 from = m.payload.toObject().value(QLatin1String("last_store_seq")).toInteger();
        if (++joins == 1) {
            FakePhoenixServer::replyOk(socket, m,
                                       QJsonObject{{QStringLiteral("store_seq"), 100},
                                                   {QStringLiteral("permissions"),
                                                    QJsonObject{{QStringLiteral("read"), true},
                                                                {QStringLiteral("write"), true}}}});
            for (qint64 seq = 1; seq <= 10; ++seq)
                FakePhoenixServer::send(
                    socket,
                    PhoenixMessage{
                        m.joinRef, std::nullopt, kTopic, QStringLiteral("event"),
                        QJsonObject{
                            {QStringLiteral("store_seq"), seq},
                            {QStringLiteral("op"), QStringLiteral("set")},
                            {QStringLiteral("path"), QStringLiteral("k%1").arg(seq)},
                            {QStringLiteral("value"), seq},
                            {QStringLiteral("device_id"), QStringLiteral("dev_other")},
                            {QStringLiteral("client_op_id"), QStringLiteral("op_%1").arg(seq)}}});
        } else {
            FakePhoenixServer::acceptJoin(socket, m, from);
        }
    };

    SdkTransport t(options(server.url()));
    ConnectionStatus status(&t, kStore);
    status.show();
    t.open(kStore);
    const QRegularExpression catchingUp(QStringLiteral("^catching up [0-9]+ of 100 events$"));
    QTRY_VERIFY_WITH_TIMEOUT(catchingUp.match(status.text()).hasMatch(), 20000);
    QVERIFY(status.progressBar()->isVisible());
    QVERIFY(status.cancelButton()->isVisible());
    QVERIFY(!status.resumeButton()->isVisible());
    QCOMPARE(status.cancelButton()->accessibleName(), QStringLiteral("Cancel catching up"));

    // However many of the ten ops arrived before the cancel, the mirror stays there.
    QSignalSpy cancelled(&t, &SdkTransport::catchUpCancelled);
    QTest::mouseClick(status.cancelButton(), Qt::LeftButton);
    QVERIFY(cancelled.wait(20000));
    const qint64 held = cancelled.first().at(1).toLongLong();
    QCOMPARE(status.phase(), ConnectionStatus::Phase::Cancelled);
    QCOMPARE(status.text(), QStringLiteral("catch-up cancelled at seq %1").arg(held));
    QVERIFY(!status.cancelButton()->isVisible());
    QVERIFY(status.resumeButton()->isVisible());
    QVERIFY(!t.isLive(kStore));

    QTest::mouseClick(status.resumeButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(status.text(), QStringLiteral("live · seq %1").arg(held), 20000);
    QCOMPARE(joins, 2);
    QVERIFY(!status.resumeButton()->isVisible());
}

void TestConnectionStatus::ageText_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("now") << qint64(0) << QStringLiteral("0 s ago");
    QTest::newRow("in the future (clock skew)") << qint64(-5) << QStringLiteral("0 s ago");
    QTest::newRow("seconds") << qint64(59) << QStringLiteral("59 s ago");
    QTest::newRow("a minute") << qint64(60) << QStringLiteral("1 min ago");
    QTest::newRow("minutes") << qint64(3 * 60 + 20) << QStringLiteral("3 min ago");
    QTest::newRow("an hour") << qint64(3600) << QStringLiteral("1 h ago");
    QTest::newRow("hours") << qint64(47 * 3600) << QStringLiteral("47 h ago");
    QTest::newRow("days") << qint64(5 * 86400) << QStringLiteral("5 days ago");
}

void TestConnectionStatus::ageText()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    QCOMPARE(ConnectionStatus::ageText(seconds), text);
}

void TestConnectionStatus::rateText_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<bool>("coalescing");
    QTest::addColumn<QString>("text");
    QTest::newRow("idle") << 0.0 << false << QString();
    QTest::newRow("a few") << 12.0 << false << QStringLiteral("12 ev/s");
    QTest::newRow("a flood")
        << 1234.0 << true << QStringLiteral("%1 ev/s — coalescing").arg(QLocale().toString(1234));
}

void TestConnectionStatus::rateText()
{
    QFETCH(double, rate);
    QFETCH(bool, coalescing);
    QFETCH(QString, text);
    ConnectionStatus status(nullptr, kStore);
    status.showRate(rate, coalescing);
    QCOMPARE(status.rateText(), text);
}

QTEST_MAIN(TestConnectionStatus)
#include "tst_connectionstatus.moc"
