#pragma once

#include "HttpRequest.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QNetworkReply>
#include <QString>
#include <QUrl>

#include <chrono>

namespace dust {

// What came back for one HttpRequest: the HTTP answer when there was one, or why there was
// none (a network error, a body over the size limit, a cancel, the transport closing), with
// enough of the request to describe it in an error message.
struct HttpResponse
{
    HttpRequest::Route route = HttpRequest::Route::Read;
    QByteArray verb;
    QUrl url;
    QString subject;
    std::chrono::milliseconds timeout{0}; // the transfer timeout the request ran with
    qint64 maxBytes = 0;                  // the body size limit it ran with

    int status = 0; // 0 = no HTTP response at all
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    QString errorString;
    bool tooLarge = false;
    bool cancelled = false;
    bool closing = false;

    // A 2xx answer that arrived whole.
    bool succeeded() const;
    // The value of header `name` (case-insensitive), empty when absent.
    QByteArray header(QByteArrayView name) const;
};

} // namespace dust
