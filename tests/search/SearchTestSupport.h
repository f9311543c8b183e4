#pragma once

// The reference a search inside values is checked against: the store's NDJSON export over
// REST, each line parsed with QJsonDocument, and a naive match of every value (a string's
// own text, the compact JSON of anything else) with QString::contains or
// QRegularExpression. Slow and obvious on purpose.

#include "TestAwait.h"
#include "TestHttp.h"
#include "protocol/Glob.h"
#include "search/SearchQuery.h"
#include "search/SearchResultsModel.h"
#include "search/ValueSearch.h"
#include "sync/Mirror.h"
#include "transport/SdkTransport.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

namespace dust::test {

struct ExportedLeaf
{
    QByteArray path; // rendered, UTF-8
    QString type;
    QJsonValue value;
};

inline QList<ExportedLeaf> exportedLeaves(const QUrl &baseUrl,
                                          const QByteArray &store = "local/demo")
{
    TestHttp http(baseUrl);
    http.setTimeoutMs(300000);
    const HttpResult r = http.get("/api/stores/" + store + "/export?format=jsonl");
    QList<ExportedLeaf> out;
    if (r.status != 200)
        return out;
    for (const QByteArray &line : r.body.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QStringLiteral("_header")).toBool())
            continue;
        out.append({o.value(QStringLiteral("path")).toString().toUtf8(),
                    o.value(QStringLiteral("type")).toString(), o.value(QStringLiteral("value"))});
    }
    return out;
}

inline QString naiveText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

inline bool naiveInScope(const ExportedLeaf &leaf, const SearchQuery &query)
{
    if (query.scope.isValid()) {
        const QByteArray base = query.scope.rendered().toUtf8();
        if (leaf.path != base && !leaf.path.startsWith(QByteArray(base + '/')))
            return false;
    }
    if (!query.glob.isEmpty()) {
        const auto glob = Glob::compile(query.glob);
        const auto path = Path::parse(QString::fromUtf8(leaf.path));
        if (!glob || !path || !glob->matches(*path))
            return false;
    }
    return query.types.isEmpty() || query.types.contains(leaf.type);
}

struct NaiveResult
{
    QList<QByteArray> paths; // byte-wise order
    qint64 inScope = 0;
};

inline NaiveResult naiveSearch(const QList<ExportedLeaf> &leaves, const SearchQuery &query)
{
    NaiveResult out;
    QRegularExpression re;
    if (query.regex)
        re = QRegularExpression(query.text, QRegularExpression::UseUnicodePropertiesOption |
                                                (query.caseSensitive
                                                     ? QRegularExpression::NoPatternOption
                                                     : QRegularExpression::CaseInsensitiveOption));
    for (const ExportedLeaf &leaf : leaves) {
        if (!naiveInScope(leaf, query))
            continue;
        ++out.inScope;
        const QString text = naiveText(leaf.value);
        const bool hit = query.regex
                             ? re.match(text).hasMatch()
                             : text.contains(query.text, query.caseSensitive ? Qt::CaseSensitive
                                                                             : Qt::CaseInsensitive);
        if (hit)
            out.paths.append(leaf.path);
    }
    std::sort(out.paths.begin(), out.paths.end());
    return out;
}

// The rows of a results model, in order.
inline QList<QByteArray> listedPaths(const SearchResultsModel &model)
{
    QList<QByteArray> out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(model.hitAt(row).path);
    return out;
}

// Waits until `store` of `live` has caught up; its leaf count, or -1.
inline qsizetype waitLive(SdkTransport &live, const QString &store)
{
    const auto count = await(
        live.withMirror(store, [](const Mirror &mirror) { return mirror.leafCount(); }), 120000);
    return count ? *count : -1;
}

} // namespace dust::test
