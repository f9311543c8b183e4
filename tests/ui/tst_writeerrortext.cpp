// writeErrorText: the words a refused write is explained with, one case per refusal the
// server (or the transport) gives, and which refusals take the edit affordances away.

#include "edit/WriteErrorText.h"
#include "transport/SdkProtocol.h"

#include <QJsonObject>
#include <QTest>

using namespace dust;


class TestWriteErrorText : public QObject
{
    Q_OBJECT

private slots:
    void words_data();
    void words();
};

void TestWriteErrorText::words_data()
{
    QTest::addColumn<Error>("error");
    QTest::addColumn<QStringList>("mustSay");
    QTest::addColumn<bool>("permission");

    const auto reply = [](QJsonObject response) {
        return sdk::errorFromReply(response);
    };
    QTest::newRow("ws missing scope")
        << reply({{QStringLiteral("reason"), QStringLiteral("missing_scope")},
                  {QStringLiteral("scope"), QStringLiteral("entries:write")}})
        << QStringList{QStringLiteral("entries:write")} << true;
    QTest::newRow("ws missing files scope")
        << reply({{QStringLiteral("reason"), QStringLiteral("missing_scope")},
                  {QStringLiteral("scope"), QStringLiteral("files:write")}})
        << QStringList{QStringLiteral("files:write")} << false;
    QTest::newRow("rest 403") << Error(Error::Kind::Forbidden).setHttpStatus(403)
                              << QStringList{QStringLiteral("entries:write")} << true;
    QTest::newRow("store not allowed")
        << reply({{QStringLiteral("reason"), QStringLiteral("store_not_allowed")}})
        << QStringList{QStringLiteral("no access to this store")} << true;
    QTest::newRow("rate limited, ws")
        << reply({{QStringLiteral("reason"), QStringLiteral("rate_limited")},
                  {QStringLiteral("retry_after_ms"), 60000}})
        << QStringList{QStringLiteral("Try again in 60 second")} << false;
    QTest::newRow("rate limited, rest, 1.2 s")
        << Error::rateLimited(std::chrono::milliseconds(1200))
        << QStringList{QStringLiteral("Try again in 2 second")} << false;
    QTest::newRow("plan limit")
        << reply({{QStringLiteral("reason"), QStringLiteral("limit_exceeded")},
                  {QStringLiteral("dimension"), QStringLiteral("keys")},
                  {QStringLiteral("current"), 1000},
                  {QStringLiteral("limit"), 1000}})
        << QStringList{QStringLiteral("keys"), QStringLiteral("1000 of 1000")} << false;
    QTest::newRow("too large") << Error::http(413, QStringLiteral("body over 8 MB"))
                               << QStringList{QStringLiteral("too large"), QStringLiteral("8 MB")}
                               << false;
    QTest::newRow("empty segment")
        << Error::invalidParams(QStringLiteral("path cannot contain empty segments"))
               .setReason(QStringLiteral("empty_segment"))
               .setPath(QStringLiteral("a//b"))
        << QStringList{QStringLiteral("a//b"), QStringLiteral("segment is empty")} << false;
    QTest::newRow("bad escape") << reply({{QStringLiteral("reason"),
                                           QStringLiteral("invalid_escape")}})
                                << QStringList{QStringLiteral("~0"), QStringLiteral("~1")} << false;
    QTest::newRow("conflict with revision")
        << Error::conflict(17)
        << QStringList{QStringLiteral("revision 17"), QStringLiteral("Nothing was overwritten")}
        << false;
    QTest::newRow("exists") << Error::conflict(4, QStringLiteral("exists"))
                            << QStringList{QStringLiteral("created"), QStringLiteral("4")} << false;
    QTest::newRow("held") << reply({{QStringLiteral("reason"), QStringLiteral("held")}})
                          << QStringList{QStringLiteral("lease")} << false;
    QTest::newRow("occupied") << reply({{QStringLiteral("reason"), QStringLiteral("occupied")}})
                              << QStringList{QStringLiteral("not a lease")} << false;
    QTest::newRow("not held") << reply({{QStringLiteral("reason"), QStringLiteral("not_held")}})
                              << QStringList{QStringLiteral("no longer held")} << false;
    QTest::newRow("archived") << reply(
                                     {{QStringLiteral("reason"), QStringLiteral("store_archived")}})
                              << QStringList{QStringLiteral("archived")} << false;
    QTest::newRow("network") << Error::network(QStringLiteral("connection refused"))
                             << QStringList{QStringLiteral("could not be reached"),
                                            QStringLiteral("connection refused")}
                             << false;
    QTest::newRow("unauthorized") << Error(Error::Kind::Unauthorized)
                                  << QStringList{QStringLiteral("token")} << false;
}

void TestWriteErrorText::words()
{
    QFETCH(Error, error);
    QFETCH(QStringList, mustSay);
    QFETCH(bool, permission);
    const QString text = writeErrorText(error);
    QVERIFY(text.startsWith(QLatin1String("Not saved")));
    for (const QString &words : mustSay)
        QVERIFY2(text.contains(words), qPrintable(text));
    QCOMPARE(isWritePermissionError(error), permission);
}

QTEST_GUILESS_MAIN(TestWriteErrorText)
#include "tst_writeerrortext.moc"
