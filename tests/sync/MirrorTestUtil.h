#pragma once

// Shorthands the Mirror suites write their cases in: paths and JSON from text, change events,
// and a mirror's leaves as "path=value type @revision" rows.

#include "protocol/JsonBytes.h"
#include "sync/Mirror.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <initializer_list>

namespace dust::test {

inline Path P(const QString &rendered)
{
    auto parsed = Path::parse(rendered);
    return parsed ? *parsed : Path();
}

inline Path P(const char *rendered)
{
    return P(QString::fromUtf8(rendered));
}

inline QJsonValue J(const char *json)
{
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray("[") + QByteArray(json) + QByteArray("]"));
    return doc.array().at(0);
}

inline ChangeEvent ev(qint64 seq, Op op, const QString &path,
                      const QJsonValue &value = QJsonValue(), const QString &clientOpId = QString())
{
    ChangeEvent e;
    e.storeSeq = seq;
    e.op = op;
    e.opText = opName(op);
    e.path = P(path);
    e.value = value;
    e.deviceId = QStringLiteral("dev_test");
    e.clientOpId = clientOpId.isEmpty() ? QStringLiteral("op_%1").arg(seq) : clientOpId;
    return e;
}

inline ChangeEvent ev(qint64 seq, Op op, const char *path, const QJsonValue &value = QJsonValue(),
                      const QString &clientOpId = QString())
{
    return ev(seq, op, QString::fromUtf8(path), value, clientOpId);
}

// "path=value type @revision" per leaf, in path order.
inline QStringList rows(const Mirror &m)
{
    QStringList out;
    m.forEachLeaf([&](const MirrorLeafView &leaf) {
        out.append(
            QStringLiteral("%1=%2 %3 @%4")
                .arg(leaf.renderedPath(), QString::fromUtf8(leaf.value), leaf.type.toString())
                .arg(leaf.revision));
    });
    return out;
}

inline QStringList S(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out.append(QString::fromUtf8(item));
    return out;
}

// The mirror's leaves in the same text form as Reference::rows() (values re-serialized by
// Qt, so the byte form of numbers does not matter).
inline QStringList normalizedRows(const Mirror &m)
{
    QStringList out;
    m.forEachLeaf([&](const MirrorLeafView &leaf) {
        out.append(QStringLiteral("%1=%2 %3 @%4")
                       .arg(leaf.renderedPath(),
                            QString::fromUtf8(jsonbytes::fromJsonValue(leaf.jsonValue())),
                            leaf.type.toString())
                       .arg(leaf.revision));
    });
    return out;
}

// The JSON text of an `event` frame for a ChangeEvent.
inline QByteArray eventFrame(const ChangeEvent &e)
{
    QJsonObject payload = e.toJson();
    const QJsonArray frame{QJsonValue::Null, QJsonValue::Null, QStringLiteral("store:acme/site"),
                           QStringLiteral("event"), payload};
    return QJsonDocument(frame).toJson(QJsonDocument::Compact);
}

} // namespace dust::test
