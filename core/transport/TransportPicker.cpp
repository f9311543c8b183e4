#include "TransportPicker.h"

#include "Transport.h"

#include <QMutexLocker>

namespace dust {

void LiveStores::setLive(const QString &store, bool live)
{
    const QMutexLocker lock(&m_mutex);
    if (live)
        m_live.insert(store);
    else
        m_live.remove(store);
}

void LiveStores::clear()
{
    const QMutexLocker lock(&m_mutex);
    m_live.clear();
}

bool LiveStores::isLive(const QString &store) const
{
    const QMutexLocker lock(&m_mutex);
    return m_live.contains(store);
}

TransportPicker::TransportPicker(Transport *http, TransportChoice choice)
    : m_http(http)
    , m_choice(choice)
{}

void TransportPicker::registerSession(Transport *sdk, LiveSessionSource *source)
{
    if (!sdk || !source)
        return;
    for (Session &session : m_sessions) {
        if (session.transport == sdk) {
            session.source = source;
            return;
        }
    }
    // Drop the entries of transports destroyed meanwhile.
    m_sessions.removeIf([](const Session &session) { return session.transport.isNull(); });
    m_sessions.append(Session{sdk, source});
}

void TransportPicker::unregisterSession(Transport *sdk)
{
    m_sessions.removeIf([sdk](const Session &session) {
        return session.transport.isNull() || session.transport == sdk;
    });
}

bool TransportPicker::hasSession() const
{
    for (const Session &session : m_sessions) {
        if (!session.transport.isNull())
            return true;
    }
    return false;
}

Transport *TransportPicker::pick(const QString &store) const
{
    switch (m_choice) {
    case TransportChoice::Http:
        return m_http.data();
    case TransportChoice::Sdk: {
        // The session live for the store if any, else the first one (it catches up itself).
        Transport *first = nullptr;
        for (const Session &session : m_sessions) {
            if (session.transport.isNull())
                continue;
            if (session.source->isLive(store))
                return session.transport.data();
            if (!first)
                first = session.transport.data();
        }
        return first;
    }
    case TransportChoice::Auto:
        break;
    }
    for (const Session &session : m_sessions) {
        if (!session.transport.isNull() && session.source->isLive(store))
            return session.transport.data();
    }
    return m_http.data();
}

} // namespace dust
