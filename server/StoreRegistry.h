#pragma once

#include "StoreDb.h"
#include "protocol/Entry.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <memory>

namespace dust::lite {

// The stores one dustlite serves, each with its database, opened on demand from the data
// directory (or in memory). Lives on the server's thread; every write path reports its
// commits through `committed` so the WebSocket side can broadcast them.
class StoreRegistry : public QObject
{
    Q_OBJECT
public:
    // `dataDir` empty = every store in memory.
    explicit StoreRegistry(QString dataDir, QObject *parent = nullptr);
    ~StoreRegistry() override;

    // Opens the store, creating it if missing. Error text on failure (bad name, I/O).
    Expected<StoreDb *, QString> openOrCreate(const QString &fullName);
    // An open or existing store, or nullptr. Does not create.
    StoreDb *find(QStringView fullName);
    QList<StoreDb *> stores() const;

    // Every committed op, in commit order. `viaSocket` is true for WebSocket writes (which
    // are always broadcast), false for REST writes (broadcast only when configured).
    void notifyCommitted(const QString &fullName, const dust::ChangeEvent &event, bool viaSocket);

    static bool isValidFullName(QStringView fullName);

signals:
    void committed(const QString &fullName, const dust::ChangeEvent &event, bool viaSocket);

private:
    QString m_dataDir;
    QHash<QString, std::shared_ptr<StoreDb>> m_stores;
};

} // namespace dust::lite
