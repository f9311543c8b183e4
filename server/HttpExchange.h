#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <optional>
#include <utility>

namespace dust::lite {

// The decoded name=value fields of a URL query, in order, and whether their bytes were all
// UTF-8 after percent-decoding (HttpRequest::parseQuery makes them).
struct QueryFields : QList<std::pair<QString, QString>>
{
    using QList::QList;
    QueryFields(QList<std::pair<QString, QString>> fields)
        : QList(std::move(fields))
    {}

    // The first field whose bytes are not UTF-8 (those bytes became U+FFFD): its decoded
    // name, or an empty string when the name itself is not UTF-8. nullopt when all are.
    std::optional<QString> notUtf8;

    // For a query with notUtf8: the detail of the 400 invalid_params that refuses it.
    QString notUtf8Detail() const;
};

// One HTTP request as the REST layer sees it, independent of the HTTP server class: the raw
// (still percent-encoded) path, the decoded form fields of the query, the headers and body.
struct HttpRequest
{
    QByteArray method;  // upper case: "GET", "HEAD", "PUT", ...
    QByteArray rawPath; // percent-encoded, without the query
    QueryFields query;
    QList<std::pair<QByteArray, QByteArray>> headers; // names in lower case
    QByteArray body;
    QString host; // the Host header ("127.0.0.1:7755"), for URLs in replies

    bool isHead() const { return method == "HEAD"; }
    bool isRead() const { return method == "GET" || method == "HEAD"; }
    // The first value of a header (name compared case-insensitively); nullopt when absent.
    std::optional<QByteArray> header(QByteArrayView name) const;
    // The first value of a query field; nullopt when absent.
    std::optional<QString> queryValue(QStringView name) const;

    // Decodes an application/x-www-form-urlencoded query: fields split on '&', name and value
    // on the first '=', '+' is a space, then percent-decoding as UTF-8 (a leading U+FEFF
    // kept). Bytes that are not UTF-8 become U+FFFD and set the fields' notUtf8.
    static QueryFields parseQuery(QByteArrayView encoded);
};

// One HTTP response. A response with `stream` set sends its body in pieces (chunked), as the
// function produces them; otherwise `body` is sent with a Content-Length.
struct HttpResponse
{
    using Sink = std::function<void(const QByteArray &piece)>;

    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    std::function<void(const Sink &sink)> stream;

    void setHeader(const QByteArray &name, const QByteArray &value);
    std::optional<QByteArray> header(QByteArrayView name) const;

    static HttpResponse json(int status, const QJsonObject &object);
    // {"error": code} plus "detail" when given.
    static HttpResponse error(int status, const QString &code, const QString &detail = {});
    // 400 {"error":"invalid_params","detail":detail}.
    static HttpResponse invalidParams(const QString &detail);
    // The framework's envelope for an unknown route: 404 {"errors":{"detail":"Not Found"}}.
    static HttpResponse noRoute();
};

} // namespace dust::lite
