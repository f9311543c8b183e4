#pragma once

// Shared by the REST suites: an in-process dustlite with a few tokens and stores, and
// shortcuts for the requests the tests make most.

#include "InProcessDustlite.h"
#include "StoreRegistry.h"
#include "TestHttp.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <memory>

namespace resttest {

using namespace Qt::Literals::StringLiterals; // "name"_L1

// JSON text to a value, for readable expectations: obj(R"({"revision":1})").
inline QJsonValue js(const char *json)
{
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray("[") + json + QByteArray("]"));
    if (!document.isArray() || document.array().size() != 1)
        qFatal("bad JSON in a test: %s", json);
    return document.array().first();
}
inline QJsonObject obj(const char *json)
{
    return js(json).toObject();
}
inline QJsonArray arr(const char *json)
{
    return js(json).toArray();
}
inline QString str(const char *utf8)
{
    return QString::fromUtf8(utf8);
}
inline QStringList strs(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *s : list)
        out.append(QString::fromUtf8(s));
    return out;
}

using dust::test::HttpResult;
using dust::test::InProcessDustlite;
using dust::test::TestHttp;

inline constexpr QLatin1String kFull("dust_tok_dev");
inline constexpr QLatin1String kReadOnly("dust_tok_reader");
inline constexpr QLatin1String kWriteOnly("dust_tok_writer");
inline constexpr QLatin1String kOtherOrg("dust_tok_acme");

// The usual test server: stores local/demo, local/second and acme/site; tokens kFull (all
// scopes, org local), kReadOnly (entries:read), kWriteOnly (entries:write) and kOtherOrg
// (all scopes, org acme).
inline dust::lite::ServerConfig standardConfig()
{
    dust::lite::ServerConfig config = InProcessDustlite::testConfig();
    config.stores = {QStringLiteral("local/demo"), QStringLiteral("local/second"),
                     QStringLiteral("acme/site")};
    config.tokens = {{QString(kFull), {}, {}},
                     {QString(kReadOnly), {}, {QStringLiteral("entries:read")}},
                     {QString(kWriteOnly), {}, {QStringLiteral("entries:write")}},
                     {QString(kOtherOrg), QStringLiteral("acme"), {}}};
    return config;
}

inline QByteArray entry(const QByteArray &encodedPath)
{
    return TestHttp::entries("/" + encodedPath);
}

// The base of a REST suite: a fresh in-process server per test and a client with the kFull
// token. A suite's init() calls startWith(), its cleanup() stop().
class RestSuite : public QObject
{
protected:
    std::unique_ptr<InProcessDustlite> m_server;
    std::unique_ptr<TestHttp> m_http;

    void startWith(const dust::lite::ServerConfig &config)
    {
        m_http.reset();
        m_server = std::make_unique<InProcessDustlite>();
        m_server->config() = config;
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_http = std::make_unique<TestHttp>(m_server->baseUrl(), kFull);
    }
    void stop()
    {
        m_http.reset();
        m_server.reset();
    }
    // PUTs one entry; its store_seq, or -1 (with a warning) when the write fails.
    qint64 put(const QByteArray &encodedPath, const QByteArray &json)
    {
        const HttpResult r = m_http->put(entry(encodedPath), json);
        if (r.status != 200) {
            qWarning("PUT %s failed: %d %s", encodedPath.constData(), r.status, r.body.constData());
            return -1;
        }
        return r.object().value(QStringLiteral("store_seq")).toInteger();
    }
};

// Pages through a listing with `after` until next_cursor is null; the items of every page.
inline QJsonArray listAll(TestHttp &http, const QByteArray &query, int *pages = nullptr)
{
    QJsonArray all;
    QByteArray after;
    int count = 0;
    for (;;) {
        QByteArray url = TestHttp::entries("?" + query);
        if (!after.isEmpty())
            url += "&after=" + after;
        const HttpResult r = http.get(url);
        if (r.status != 200) {
            qWarning("listing failed: %d %s", r.status, r.body.constData());
            return {};
        }
        ++count;
        const QJsonArray items = r.object().value("items"_L1).toArray();
        for (const QJsonValue &item : items)
            all.append(item);
        const QJsonValue next = r.object().value("next_cursor"_L1);
        if (next.isNull() || count > 1000)
            break;
        after = QUrl::toPercentEncoding(next.toString());
    }
    if (pages)
        *pages = count;
    return all;
}

} // namespace resttest
