#pragma once

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QString>
#include <QUrl>

#include <functional>

#include <utility>

namespace dust {

// One REST request as HttpExchange sends it: verb, fully encoded URL, optional JSON body and
// extra headers (Authorization and Accept are added by the exchange).
struct HttpRequest
{
    // How a 404 reads (see HttpTransport): an entry read, another read, or a write. Writes
    // also travel differently (at most once, on a fresh connection each).
    enum class Route { EntryRead, Read, Write };

    QByteArray verb;
    QUrl url;
    Route route = Route::Read;
    bool hasBody = false;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QString subject;          // the entry path or store the request is about, for messages
    QFuture<void> cancelWith; // aborting the request when this future is cancelled
    // Called as the answer's body arrives: bytes received so far, and the total (-1 while
    // the server has not said).
    std::function<void(qint64 received, qint64 total)> onProgress;
};

} // namespace dust
