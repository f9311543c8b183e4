#pragma once

// Shared by the StoreDb suites: stores in memory or in a temporary directory, write requests
// with fresh client op ids, and short forms for paths and JSON.

#include "StoreDb.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace storedbtest {

using namespace dust;
using namespace dust::lite;

inline Path P(const QString &rendered)
{
    auto path = Path::parse(rendered);
    if (!path)
        qFatal("bad test path %s", qUtf8Printable(rendered));
    return *path;
}

inline Path P(const char *rendered)
{
    return P(QString::fromUtf8(rendered));
}

inline QString S(const char *text)
{
    return QString::fromUtf8(text);
}

// Compact JSON text of any value, for readable comparisons.
inline QByteArray J(const QJsonValue &value)
{
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return text.mid(1, text.size() - 2);
}

inline QJsonValue parse(const char *json)
{
    const QByteArray text = QByteArray("[") + json + "]";
    const QJsonDocument doc = QJsonDocument::fromJson(text);
    if (!doc.isArray())
        qFatal("bad test JSON %s", json);
    return doc.array().at(0);
}

// Byte-wise (UTF-8) order, as SQLite compares.
inline bool utf8Less(const QString &a, const QString &b)
{
    return a.toUtf8() < b.toUtf8();
}

// The base of each StoreDb suite: a temporary directory for database files and helpers that
// open stores and write to them. Data-driven tests run on both kinds of store (addModes()).
class StoreDbFixture : public QObject
{
protected:
    QTemporaryDir m_dir;
    int m_files = 0;
    int m_ops = 0;

    std::unique_ptr<StoreDb> open(bool onDisk, const QString &name = QString())
    {
        const QString file =
            onDisk ? m_dir.filePath(name.isEmpty() ? QStringLiteral("store%1.db").arg(++m_files)
                                                   : name)
                   : QString();
        auto opened = StoreDb::open(file, QStringLiteral("acme/test"));
        if (!opened) {
            qWarning("open failed: %s", qUtf8Printable(opened.error()));
            return nullptr;
        }
        return std::move(opened).value();
    }

    WriteRequest req(Op op, const char *path, const QJsonValue &value = QJsonValue())
    {
        WriteRequest r;
        r.op = op;
        r.path = P(path);
        r.value = value;
        r.deviceId = QStringLiteral("dev_test");
        r.clientOpId = QStringLiteral("op_%1").arg(++m_ops);
        return r;
    }

    WriteResult write(StoreDb &db, Op op, const char *path, const QJsonValue &value = QJsonValue())
    {
        return db.write(req(op, path, value));
    }

    static QJsonValue valueAt(const StoreDb &db, const char *path)
    {
        const auto entry = db.get(P(path));
        return entry ? entry->value : QJsonValue(QJsonValue::Undefined);
    }

    // Every path `q` lists (keys or entries), page after page through the cursor.
    static QStringList listAllPages(const StoreDb &db, ListQuery q)
    {
        QStringList got;
        for (int guard = 0; guard < 1000; ++guard) {
            const ListPage page = db.list(q);
            got += page.paths;
            for (const Entry &e : page.entries)
                got.append(e.path.rendered());
            if (page.nextCursor.isEmpty())
                break;
            q.after = page.nextCursor;
        }
        return got;
    }

    static QStringList keys(const StoreDb &db, const QString &pattern, int limit = 1000)
    {
        ListQuery q;
        q.pattern = pattern;
        q.limit = limit;
        q.select = ListQuery::Select::Keys;
        return db.list(q).paths;
    }

    static void addModes()
    {
        QTest::addColumn<bool>("onDisk");
        QTest::newRow("memory") << false;
        QTest::newRow("disk") << true;
    }
};

} // namespace storedbtest
