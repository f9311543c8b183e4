#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrl>

#include <utility>

namespace dust::test {

// The outcome of one HTTP request made by TestHttp.
struct HttpResult
{
    int status = 0; // 0 when no HTTP answer came (see networkError)
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers; // names in lower case
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    QString errorString;
    bool timedOut = false;

    QByteArray header(QByteArrayView name) const; // empty when absent
    bool hasHeader(QByteArrayView name) const;
    QJsonValue json() const; // the body parsed as JSON (undefined when it is not)
    QJsonObject object() const { return json().toObject(); }
    // The "error" field of a JSON error body.
    QString error() const { return object().value(QStringLiteral("error")).toString(); }
    QString detail() const { return object().value(QStringLiteral("detail")).toString(); }
};

// A small HTTP client for tests: QNetworkAccessManager, no proxy, a Bearer token, and calls
// that spin the event loop until the reply is finished (the server may run in this very
// thread). Paths are given already percent-encoded, exactly as they go on the wire:
//
//     TestHttp http(dustlite.baseUrl());                 // token dust_tok_dev
//     auto r = http.get("/api/stores/local/demo/entries/hello%20world");
//     QCOMPARE(r.status, 200);
class TestHttp
{
public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    explicit TestHttp(QUrl baseUrl, QString token = QStringLiteral("dust_tok_dev"));

    void setToken(const QString &token) { m_token = token; } // empty = no Authorization
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    const QUrl &baseUrl() const { return m_baseUrl; }

    HttpResult get(const QByteArray &path, const Headers &headers = {});
    HttpResult head(const QByteArray &path, const Headers &headers = {});
    HttpResult del(const QByteArray &path, const Headers &headers = {});
    // A JSON body (Content-Type: application/json unless `headers` name another one).
    HttpResult put(const QByteArray &path, const QByteArray &body, const Headers &headers = {});
    HttpResult post(const QByteArray &path, const QByteArray &body, const Headers &headers = {});
    HttpResult delWithBody(const QByteArray &path, const QByteArray &body,
                           const Headers &headers = {});
    HttpResult send(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                    const Headers &headers = {}, bool jsonBody = true);

    // JSON helpers: the body of `value` compactly encoded.
    static QByteArray json(const QJsonValue &value);

    // "/api/stores/<store>/entries" + `suffix`.
    static QByteArray entries(const QByteArray &suffix = {},
                              const QByteArray &store = "local/demo");

private:
    QNetworkAccessManager m_manager;
    QUrl m_baseUrl;
    QString m_token;
    int m_timeoutMs = 30000;
};

} // namespace dust::test
