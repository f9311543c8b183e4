#pragma once

// Random paths, values and valid change events of every op, from a seeded generator, made of
// the segments that matter to paths and their byte order.

#include "protocol/Entry.h"
#include "protocol/Path.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QStringList>

namespace dust::test {

class RandomStore
{
public:
    explicit RandomStore(quint32 seed)
        : rng(seed)
    {}

    QRandomGenerator rng;

    int below(int n) { return int(rng.bounded(n)); }
    bool chance(int percent) { return below(100) < percent; }

    QString segment()
    {
        const QStringList &alphabet = segmentAlphabet();
        return alphabet.at(below(int(alphabet.size())));
    }

    Path path(int maxDepth = 3)
    {
        QStringList segments;
        const int depth = 1 + below(maxDepth);
        for (int i = 0; i < depth; ++i)
            segments.append(segment());
        return *Path::fromSegments(segments);
    }

    QJsonValue scalar()
    {
        switch (below(8)) {
        case 0:
            return QJsonValue(QJsonValue::Null);
        case 1:
            return QJsonValue(chance(50));
        case 2:
            return QJsonValue(qint64(below(2000)) - 1000);
        case 3:
            return QJsonValue(double(below(2000) - 1000) + 0.25);
        case 4:
            return QJsonValue(QStringLiteral("quote \" back \\ nl \n tab \t é 😀"));
        case 5:
            return QJsonValue(QJsonArray{1, QStringLiteral("two"), QJsonValue::Null});
        default:
            return QJsonValue(QStringLiteral("v%1").arg(below(100)));
        }
    }

    QJsonValue value(int depth = 2)
    {
        const int r = below(100);
        if (depth > 0 && r < 25) {
            QJsonObject o;
            const int n = below(4);
            for (int i = 0; i < n; ++i)
                o.insert(segment(), value(depth - 1));
            return o;
        }
        if (r < 30)
            return fileRef();
        if (r < 33)
            return QJsonObject{{QStringLiteral("_typed"), QStringLiteral("1.50")},
                               {QStringLiteral("_type"), QStringLiteral("decimal")}};
        return scalar();
    }

    QJsonObject fileRef()
    {
        return QJsonObject{{QStringLiteral("_type"), QStringLiteral("file")},
                           {QStringLiteral("hash"), QStringLiteral("sha256:%1").arg(below(1000))},
                           {QStringLiteral("size"), below(5000)},
                           {QStringLiteral("content_type"), QStringLiteral("image/png")},
                           {QStringLiteral("filename"), QJsonValue::Null},
                           {QStringLiteral("uploaded_at"), QStringLiteral("2026-06-28T00:00:00Z")}};
    }

    QJsonObject lease(qint64 seq)
    {
        return QJsonObject{{QStringLiteral("_type"), QStringLiteral("lease")},
                           {QStringLiteral("holder"), QStringLiteral("node-a")},
                           {QStringLiteral("token"), seq},
                           {QStringLiteral("expires_at"), qint64(1790000000000) + seq}};
    }

    // A valid event of a random op at a random path.
    ChangeEvent event(qint64 seq)
    {
        const Path p = path();
        ChangeEvent e;
        e.storeSeq = seq;
        e.path = p;
        e.deviceId = QStringLiteral("dev_rand");
        e.clientOpId = QStringLiteral("op_r%1").arg(seq);
        const int r = below(100);
        if (r < 45) {
            e.op = Op::Set;
            e.value = value();
        } else if (r < 55) {
            e.op = Op::Delete;
        } else if (r < 65) {
            e.op = Op::Merge;
            QJsonObject o;
            const int n = 1 + below(3);
            for (int i = 0; i < n; ++i)
                o.insert(segment(), value(1));
            e.value = o;
        } else if (r < 72) {
            e.op = Op::Increment;
            e.value = chance(50) ? QJsonValue(qint64(below(100))) : QJsonValue(below(100) + 0.5);
        } else if (r < 79) {
            e.op = chance(50) ? Op::Add : Op::Remove;
            e.value = QJsonArray{QStringLiteral("m%1").arg(below(5)), below(3)};
        } else if (r < 85) {
            e.op = Op::PutFile;
            e.value = fileRef();
        } else if (r < 92) {
            e.op = chance(50) ? Op::Lease : Op::Renew;
            e.value = lease(seq);
        } else {
            e.op = Op::Release;
            e.value = QJsonValue(QJsonValue::Null);
        }
        e.opText = opName(e.op);
        return e;
    }

private:
    static const QStringList &segmentAlphabet()
    {
        static const QStringList segments = {
            QStringLiteral("a"),      QStringLiteral("b"),     QStringLiteral("a-b"),
            QStringLiteral("a b"),    QStringLiteral("ab"),    QStringLiteral("a.b"),
            QStringLiteral("x~y"),    QStringLiteral("s/t"),   QStringLiteral("~"),
            QStringLiteral("é"),      QStringLiteral("😀"),     QStringLiteral("\u00ff"),
            QStringLiteral("0"),      QStringLiteral("*"),     QStringLiteral("A"),
            QStringLiteral("\uffee"), QStringLiteral("users"), QStringLiteral("!"),
        };
        return segments;
    }
};

} // namespace dust::test
