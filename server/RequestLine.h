#pragma once

#include "HttpExchange.h"
#include "RestApi.h"

#include <QObject>
#include <QTcpSocket>

#include <deque>
#include <functional>
#include <optional>

namespace dust::lite {

// One connection's requests, handled one at a time in the order they came: a pipelined request
// goes to RestApi only once the answer before it is sent, so it sees what that one wrote, and
// the answers go out in order. A child of the socket, so it goes with it (and an answer that
// comes in later is dropped).
class RequestLine : public QObject
{
public:
    using Dispatch = std::function<void(const HttpRequest &, RestApi::Reply)>;
    using Write = std::function<void(const HttpResponse &, bool head)>;

    // The line of `socket`, made on first use with how it hands out requests and writes answers.
    static RequestLine *of(QTcpSocket *socket, Dispatch dispatch, Write write)
    {
        // Found by name: without a meta-object of its own, a cast cannot tell it apart.
        QObject *found = socket->findChild<QObject *>(name(), Qt::FindDirectChildrenOnly);
        if (found)
            return static_cast<RequestLine *>(found);
        return new RequestLine(socket, std::move(dispatch), std::move(write));
    }
    // The requests of `socket` not answered yet.
    static qsizetype waitingOn(QTcpSocket *socket)
    {
        QObject *found = socket->findChild<QObject *>(name(), Qt::FindDirectChildrenOnly);
        return found ? static_cast<RequestLine *>(found)->waiting() : 0;
    }

    qsizetype waiting() const { return qsizetype(m_items.size()) + (m_busy ? 1 : 0); }

    void push(HttpRequest request)
    {
        const bool head = request.isHead();
        m_items.push_back(Item{std::move(request), std::nullopt, head});
        pump();
    }
    // An answer already made, sent after those before it.
    void pushAnswer(HttpResponse response, bool head)
    {
        m_items.push_back(Item{{}, std::move(response), head});
        pump();
    }

private:
    RequestLine(QTcpSocket *socket, Dispatch dispatch, Write write)
        : QObject(socket)
        , m_dispatch(std::move(dispatch))
        , m_write(std::move(write))
    {
        setObjectName(name());
    }
    static QString name() { return QStringLiteral("dustlite-request-line"); }

    struct Item
    {
        HttpRequest request;
        std::optional<HttpResponse> answer; // set: no request to run, just this to send
        bool head = false;
    };

    // Hands out the next request, or writes the next ready answer, while none is running.
    void pump();

    Dispatch m_dispatch;
    Write m_write;
    std::deque<Item> m_items;
    bool m_busy = false;
};

} // namespace dust::lite
