#pragma once

#include <QMutex>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QVarLengthArray>

namespace dust {

class Transport;

// Which transport a connection profile asks for.
enum class TransportChoice {
    Auto, // a live SDK session when there is one for the store, else HTTP
    Http,
    Sdk,
};

// What an SDK session tells the picker: whether it is live for a store, i.e. joined and
// caught up (catch_up_complete received), so reads can be answered from its mirror.
//
// Threads: isLive() is called on the picker's thread (the GUI's) while the session runs on
// its own sync thread, so an implementation must answer from state that is safe to read
// concurrently (atomics, or a set behind a mutex as LiveStores does) and must not block
// for long: it is called on every operation.
class LiveSessionSource
{
public:
    virtual ~LiveSessionSource() = default;
    virtual bool isLive(const QString &store) const = 0;

protected:
    LiveSessionSource() = default;
    LiveSessionSource(const LiveSessionSource &) = default;
    LiveSessionSource &operator=(const LiveSessionSource &) = default;
};

// A ready-made LiveSessionSource: the set of stores a session has caught up on, guarded by a
// mutex. The session marks a store live after catch-up completes and not live when the
// channel or the socket goes away; the picker reads it from any thread.
class LiveStores final : public LiveSessionSource
{
public:
    void setLive(const QString &store, bool live);
    void clear(); // the socket went away: no store is live
    bool isLive(const QString &store) const override;

private:
    mutable QMutex m_mutex;
    QSet<QString> m_live;
};

// Chooses the transport for each call (DESIGN.md, "The transport layer"):
//   1. the profile's explicit choice (Http or Sdk) → that transport;
//   2. Auto: an SDK session registered here that is live for the store → that session;
//   3. otherwise → HTTP.
// pick() allocates nothing and costs one isLive() call per registered session (a window has
// one or two), so it is made before every operation: a session registered or caught up
// later is used from the next call on.
//
// The picker itself is not thread-safe: configure it and call pick() on one thread. It does
// not own the transports; a destroyed transport is skipped (tracked with QPointer). A
// LiveSessionSource must stay alive while registered (typically it is the SDK transport, or
// owned by it).
class TransportPicker
{
public:
    explicit TransportPicker(Transport *http = nullptr,
                             TransportChoice choice = TransportChoice::Auto);

    void setHttp(Transport *http) { m_http = http; }
    Transport *http() const { return m_http; }
    void setChoice(TransportChoice choice) { m_choice = choice; }
    TransportChoice choice() const { return m_choice; }

    // Registers an SDK session (again: updates its source). Sessions are asked in the order
    // registered.
    void registerSession(Transport *sdk, LiveSessionSource *source);
    void unregisterSession(Transport *sdk);
    bool hasSession() const;

    // The transport for the next call on `store`. nullptr only when the profile's explicit
    // choice names a transport that is not there (Sdk with no session registered, or no
    // HTTP transport set): an explicit choice never silently becomes the other transport.
    Transport *pick(const QString &store) const;

private:
    struct Session
    {
        QPointer<Transport> transport;
        LiveSessionSource *source = nullptr;
    };

    QPointer<Transport> m_http;
    TransportChoice m_choice = TransportChoice::Auto;
    QVarLengthArray<Session, 2> m_sessions;
};

} // namespace dust
