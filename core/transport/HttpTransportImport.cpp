// HttpTransport's batch read and import (dust-protocol.md §4.5, §4.7), apart from
// HttpTransport.cpp to keep each file readable.

#include "HttpExchange.h"
#include "HttpTransport.h"
#include "RestErrors.h"
#include "RestJson.h"
#include "protocol/JsonBytes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QUuid>

namespace dust {

namespace {

constexpr int kMaxBatchPaths = 1000;

Expected<QJsonObject, Error> answerObject(const QByteArray &body, const char *what)
{
    QJsonParseError parseError;
    const QJsonDocument doc = jsonbytes::parseDocument(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return Expected<QJsonObject, Error>::failure(
            Error::protocol(QStringLiteral("the server's answer to %1 is not a JSON object: %2")
                                .arg(QLatin1String(what), restjson::shortText(body))));
    return doc.object();
}

Result<QList<Entry>> leavesOf(const QByteArray &body)
{
    const auto object = answerObject(body, "a batch read");
    if (!object)
        return Result<QList<Entry>>::failure(object.error());
    const QJsonValue entries = object->value(QLatin1String("entries"));
    if (!entries.isObject())
        return Result<QList<Entry>>::failure(
            Error::protocol(QStringLiteral("the server's answer to a batch read has no entries")));
    QList<Entry> leaves;
    const QJsonObject map = entries.toObject();
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        auto path = Path::parse(it.key());
        if (!path)
            return Result<QList<Entry>>::failure(Error::protocol(
                QStringLiteral("the server's batch read names an invalid path: %1").arg(it.key())));
        const QJsonObject item = it.value().toObject();
        leaves.append(Entry{std::move(path).value(), item.value(QLatin1String("value")),
                            item.value(QLatin1String("type")).toString(),
                            item.value(QLatin1String("revision")).toInteger()});
    }
    return leaves;
}

Result<ImportReply> importReplyOf(const QByteArray &body)
{
    const auto object = answerObject(body, "an import");
    if (!object)
        return Result<ImportReply>::failure(object.error());
    const QJsonValue results = object->value(QLatin1String("results"));
    if (!results.isArray())
        return Result<ImportReply>::failure(
            Error::protocol(QStringLiteral("the server's answer to an import has no results")));
    ImportReply reply;
    reply.imported = object->value(QLatin1String("imported")).toInt();
    reply.failed = object->value(QLatin1String("failed")).toInt();
    reply.storeSeq = object->value(QLatin1String("store_seq")).toInteger();
    for (const QJsonValue &value : results.toArray()) {
        const QJsonObject item = value.toObject();
        ImportLineResult line;
        line.line = item.value(QLatin1String("line")).toInt();
        line.path = item.value(QLatin1String("path")).toString();
        line.revision = item.value(QLatin1String("revision")).toInteger();
        line.skipped = item.contains(QLatin1String("skipped"));
        line.error = item.value(QLatin1String("error")).toString();
        line.detail = item.value(QLatin1String("detail")).toString();
        reply.lines.append(std::move(line));
    }
    return reply;
}

// Sends `request` through `exchange` and finishes the future with `parse` of a successful
// answer, or with the error the answer maps to (as HttpTransport::call does).
template <typename T, typename Parse>
QFuture<Result<T>> send(HttpExchange *exchange, HttpRequest request, Parse parse)
{
    auto promise = std::make_shared<QPromise<Result<T>>>();
    promise->start();
    QFuture<Result<T>> future = promise->future();
    request.cancelWith = QFuture<void>(future);
    exchange->send(request, [promise, parse = std::move(parse)](const HttpResponse &response) {
        if (response.succeeded())
            promise->addResult(parse(response.body));
        else
            promise->addResult(Result<T>::failure(resterrors::errorOf(response)));
        promise->finish();
    });
    return future;
}

} // namespace

QFuture<Result<QList<Entry>>> HttpTransport::getLeaves(const QString &store,
                                                       const QList<Path> &paths)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return failed<QList<Entry>>(Error::invalidParams(
            QStringLiteral("store must be \"org/name\" (got \"%1\")").arg(store)));
    if (paths.size() > kMaxBatchPaths)
        return failed<QList<Entry>>(
            Error::invalidParams(QStringLiteral("a batch read holds at most %1 paths (got %2)")
                                     .arg(kMaxBatchPaths)
                                     .arg(paths.size())));
    if (paths.isEmpty())
        return finished(QList<Entry>());
    QJsonArray rendered;
    for (const Path &path : paths)
        rendered.append(path.rendered());
    HttpRequest request;
    request.verb = "POST";
    request.url = makeUrl(base + "/entries/batch");
    request.route = HttpRequest::Route::Read;
    request.subject = store;
    request.hasBody = true;
    request.body = QJsonDocument(QJsonObject{{QLatin1String("paths"), rendered}})
                       .toJson(QJsonDocument::Compact);
    return send<QList<Entry>>(m_exchange, std::move(request), leavesOf);
}

QFuture<Result<ImportReply>> HttpTransport::importLines(const QString &store,
                                                        const QByteArray &jsonl)
{
    const QByteArray base = storeBase(store);
    if (base.isEmpty())
        return failed<ImportReply>(Error::invalidParams(
            QStringLiteral("store must be \"org/name\" (got \"%1\")").arg(store)));
    if (jsonl.trimmed().isEmpty())
        return failed<ImportReply>(Error::invalidParams(QStringLiteral("nothing to import")));
    HttpRequest request;
    request.verb = "POST";
    request.url = makeUrl(base + "/import");
    request.route = HttpRequest::Route::Write;
    request.subject = store;
    request.hasBody = true;
    request.body = jsonl;
    request.headers.append(
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/x-ndjson")});
    request.headers.append(
        {QByteArrayLiteral("X-Request-Id"), QUuid::createUuid().toByteArray(QUuid::WithoutBraces)});
    return send<ImportReply>(m_exchange, std::move(request), importReplyOf);
}

} // namespace dust
