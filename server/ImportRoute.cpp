#include "ImportRoute.h"

#include "protocol/Path.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace dust::lite {

namespace {

const QString kImportDevice = QStringLiteral("system:import");

QJsonObject lineError(int number, const QString &error, const QString &detail)
{
    return QJsonObject{{QStringLiteral("line"), number},
                       {QStringLiteral("error"), error},
                       {QStringLiteral("detail"), detail}};
}

// 1-based column of the byte `offset` of `line` (counted in characters).
int columnOf(const QByteArray &line, int offset)
{
    return int(QString::fromUtf8(line.left(offset)).size()) + 1;
}

ImportRoute::Line parseLine(const QByteArray &text, int number, const QString &clientOpId)
{
    ImportRoute::Line line;
    line.number = number;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        line.rejected = lineError(number, QStringLiteral("invalid_json"),
                                  QStringLiteral("column %1: %2")
                                      .arg(columnOf(text, parseError.offset))
                                      .arg(parseError.errorString()));
        return line;
    }
    if (!document.isObject()) {
        line.rejected = lineError(number, QStringLiteral("invalid_line"),
                                  QStringLiteral("a line must be a JSON object"));
        return line;
    }
    const QJsonObject object = document.object();
    if (object.value(QStringLiteral("_header")).toBool()) {
        line.header = true;
        return line;
    }
    const QJsonValue pathValue = object.value(QStringLiteral("path"));
    if (!pathValue.isString()) {
        line.rejected = lineError(number, QStringLiteral("invalid_line"),
                                  QStringLiteral("\"path\" must be a string"));
        return line;
    }
    auto path = Path::parse(pathValue.toString());
    if (!path) {
        line.rejected =
            lineError(number, QStringLiteral("invalid_path"), pathErrorDetail(path.error()));
        line.rejected.insert(QStringLiteral("path"), pathValue);
        return line;
    }
    if (!object.contains(QStringLiteral("value"))) {
        line.rejected = lineError(number, QStringLiteral("invalid_line"),
                                  QStringLiteral("\"value\" is required (it may be null)"));
        line.rejected.insert(QStringLiteral("path"), pathValue);
        return line;
    }
    const QJsonValue type = object.value(QStringLiteral("type"));
    if (!type.isUndefined() && !type.isNull() && !type.isString()) {
        line.rejected = lineError(number, QStringLiteral("invalid_line"),
                                  QStringLiteral("\"type\" must be a string"));
        line.rejected.insert(QStringLiteral("path"), pathValue);
        return line;
    }
    line.write.op = Op::Set;
    line.write.path = std::move(path).value();
    line.write.value = object.value(QStringLiteral("value"));
    line.write.type = type.toString();
    line.write.deviceId = kImportDevice;
    line.write.clientOpId = clientOpId + QStringLiteral(":import:") + QString::number(number);
    return line;
}

} // namespace

ImportRoute::Prepared ImportRoute::prepare(const RestContext &ctx)
{
    const QByteArray &body = ctx.request.body;
    if (body.trimmed().isEmpty())
        return Prepared::failure(HttpResponse::invalidParams(
            QStringLiteral("request body is empty; send JSONL, one {\"path\", \"value\", "
                           "\"type\"} object per line")));
    QList<Line> lines;
    int number = 0;
    qsizetype start = 0;
    while (start < body.size()) {
        qsizetype end = body.indexOf('\n', start);
        if (end < 0)
            end = body.size();
        ++number;
        QByteArray text = body.mid(start, end - start);
        start = end + 1;
        if (text.endsWith('\r'))
            text.chop(1);
        if (text.trimmed().isEmpty())
            continue;
        lines.append(parseLine(text, number, ctx.clientOpId));
    }
    return lines;
}

QList<WriteRequest> ImportRoute::writes(const QList<Line> &lines)
{
    QList<WriteRequest> writes;
    for (const Line &line : lines) {
        if (!line.header && line.rejected.isEmpty())
            writes.append(line.write);
    }
    return writes;
}

HttpResponse ImportRoute::answer(const QList<Line> &lines, const QList<WriteResult> &results,
                                 qint64 storeSeq)
{
    QJsonArray answers;
    int imported = 0;
    int failed = 0;
    int skipped = 0;
    qsizetype next = 0;
    for (const Line &line : lines) {
        if (line.header) {
            ++skipped;
            answers.append(QJsonObject{{QStringLiteral("line"), line.number},
                                       {QStringLiteral("skipped"), QStringLiteral("header")}});
            continue;
        }
        if (!line.rejected.isEmpty()) {
            ++failed;
            answers.append(line.rejected);
            continue;
        }
        const WriteResult result = next < results.size()
                                       ? results.at(next)
                                       : WriteResult::failed(QStringLiteral("storage_error"));
        ++next;
        QJsonObject item{{QStringLiteral("line"), line.number},
                         {QStringLiteral("path"), line.write.path.rendered()}};
        if (result.ok) {
            ++imported;
            item.insert(QStringLiteral("revision"), result.storeSeq);
        } else {
            ++failed;
            item.insert(QStringLiteral("error"), result.reason);
        }
        answers.append(item);
    }
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("imported"), imported},
                                               {QStringLiteral("failed"), failed},
                                               {QStringLiteral("skipped"), skipped},
                                               {QStringLiteral("store_seq"), storeSeq},
                                               {QStringLiteral("results"), answers}});
}

} // namespace dust::lite
