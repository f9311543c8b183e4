#pragma once

// An independent, naive model of the server's leaves: what a store holds after a list of
// change events, written from the protocol's rules (dust-protocol.md §3) without any of the
// Mirror's machinery, so the two can be compared.

#include "protocol/Entry.h"
#include "protocol/JsonBytes.h"
#include "protocol/Values.h"

#include <QJsonObject>
#include <QStringList>

#include <map>

namespace dust::test {

class MirrorReference
{
public:
    struct Leaf
    {
        QJsonValue value;
        QString type;
        qint64 revision = 0;
    };

    std::map<QByteArray, Leaf> leaves; // by rendered UTF-8 path
    qint64 lastSeq = 0;

    void apply(const ChangeEvent &e)
    {
        if (e.storeSeq <= lastSeq)
            return;
        lastSeq = e.storeSeq;
        const QByteArray p = e.path.rendered().toUtf8();
        switch (e.op) {
        case Op::Set:
            removeDescendants(p);
            if (isPlain(e.value)) {
                leaves.erase(p);
                flatten(e.path, e.value, e.storeSeq);
            } else {
                leaves[p] = {e.value, typeOf(e.value), e.storeSeq};
            }
            break;
        case Op::Delete:
            leaves.erase(p);
            removeDescendants(p);
            break;
        case Op::Merge: {
            const QJsonObject o = e.value.toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                const Path child = e.path.child(it.key());
                const QByteArray c = child.rendered().toUtf8();
                if (isPlain(it.value())) {
                    removeDescendants(c);
                    leaves.erase(c);
                    flatten(child, it.value(), e.storeSeq);
                } else {
                    leaves[c] = {it.value(), typeOf(it.value()), e.storeSeq};
                }
            }
            break;
        }
        case Op::Increment:
            leaves[p] = {e.value, QStringLiteral("counter"), e.storeSeq};
            break;
        case Op::Add:
        case Op::Remove:
            leaves[p] = {e.value, QStringLiteral("set"), e.storeSeq};
            break;
        case Op::PutFile:
            removeDescendants(p);
            leaves[p] = {e.value, QStringLiteral("file"), e.storeSeq};
            break;
        case Op::Lease:
        case Op::Renew:
            leaves[p] = {e.value, QStringLiteral("lease"), e.storeSeq};
            break;
        case Op::Release:
            leaves.erase(p);
            break;
        case Op::Unknown:
            break;
        }
    }

    QStringList rows() const
    {
        QStringList out;
        for (const auto &[path, leaf] : leaves)
            out.append(QStringLiteral("%1=%2 %3 @%4")
                           .arg(QString::fromUtf8(path),
                                QString::fromUtf8(jsonbytes::fromJsonValue(leaf.value)), leaf.type)
                           .arg(leaf.revision));
        return out;
    }

private:
    static QString typeOf(const QJsonValue &v)
    {
        if (v.isObject())
            return values::detectType(v); // an envelope (plain objects never get here)
        if (v.isNull())
            return QStringLiteral("null");
        if (v.isBool())
            return QStringLiteral("boolean");
        if (v.isDouble())
            return v.toVariant().typeId() == QMetaType::LongLong ? QStringLiteral("integer")
                                                                 : QStringLiteral("float");
        return QStringLiteral("string"); // strings and arrays
    }

    static bool isPlain(const QJsonValue &v)
    {
        return v.isObject() && !values::isTypedEnvelope(v.toObject());
    }

    void removeDescendants(const QByteArray &p)
    {
        const QByteArray prefix = p + '/';
        for (auto it = leaves.lower_bound(prefix);
             it != leaves.end() && it->first.startsWith(prefix);)
            it = leaves.erase(it);
    }
    void flatten(const Path &base, const QJsonValue &v, qint64 seq)
    {
        if (!isPlain(v)) {
            leaves[base.rendered().toUtf8()] = {v, typeOf(v), seq};
            return;
        }
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            flatten(base.child(it.key()), it.value(), seq);
    }
};

} // namespace dust::test
