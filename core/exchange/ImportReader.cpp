#include "exchange/ImportReader.h"

#include "protocol/JsonBytes.h"
#include "protocol/StrictJson.h"
#include "protocol/Values.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace dust {

namespace {

using Result = Expected<ImportData, ImportFileError>;

Result failure(int line, int column, QString reason)
{
    return Result::failure(ImportFileError{line, column, std::move(reason)});
}

// 1-based line and column (in characters) of the byte `offset` of `text`, counting lines
// from `firstLine`.
std::pair<int, int> position(QByteArrayView text, qsizetype offset, int firstLine = 1)
{
    offset = std::clamp<qsizetype>(offset, 0, text.size());
    const QByteArrayView before = text.first(offset);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    const int line = firstLine + int(before.count('\n'));
    const int column = int(QString::fromUtf8(before.sliced(lineStart)).size()) + 1;
    return {line, column};
}

// The document of `text`, or the strict validator's fault with its place.
Expected<QJsonValue, ImportFileError> parseStrict(QByteArrayView text, int firstLine = 1)
{
    const StrictJson::Result check = StrictJson::validate(text);
    if (!check) {
        const auto [line, column] = position(text, check.offset, firstLine);
        return Expected<QJsonValue, ImportFileError>::failure(ImportFileError{
            line, column,
            QObject::tr("invalid JSON: %1").arg(StrictJson::describe(check.problem))});
    }
    QJsonParseError error;
    const QJsonDocument document = jsonbytes::parseDocument(text.toByteArray(), &error);
    if (document.isObject())
        return QJsonValue(document.object());
    if (document.isArray())
        return QJsonValue(document.array());
    // A scalar at the top: parse it inside an array.
    const QJsonDocument wrapped =
        jsonbytes::parseDocument(QByteArray("[" + text.toByteArray() + "]"), &error);
    return wrapped.array().first();
}

// Where `needle` (a key or string as JSON text) first appears in `text`, as a position.
std::pair<int, int> positionOf(QByteArrayView text, const QString &needle, int firstLine = 1)
{
    const QByteArray quoted = QJsonDocument(QJsonArray{needle}).toJson(QJsonDocument::Compact);
    const QByteArray key = quoted.mid(1, quoted.size() - 2);
    const qsizetype at = text.indexOf(key);
    return at < 0 ? std::pair{firstLine, 1} : position(text, at, firstLine);
}

Result readNested(QByteArrayView text)
{
    auto document = parseStrict(text);
    if (!document)
        return Result::failure(document.error());
    if (const auto bad = values::validateKeys(*document)) {
        const auto [line, column] = positionOf(text, QString());
        return failure(
            line, column,
            QObject::tr("invalid path: an object key is empty (%1)").arg(pathErrorDetail(*bad)));
    }
    ImportData data;
    data.format = ExchangeFormat::Nested;
    if (!values::isPlainObject(*document)) { // one value: the target's own leaf
        data.leaves.append(ImportLeaf{Path(), *document, {}, 0});
        return data;
    }
    for (Leaf &leaf : values::flatten(Path(), *document))
        data.leaves.append(ImportLeaf{std::move(leaf.path), std::move(leaf.value), {}, 0});
    return data;
}

Result readFlat(QByteArrayView text)
{
    auto document = parseStrict(text);
    if (!document)
        return Result::failure(document.error());
    if (!document->isObject())
        return failure(1, 1,
                       QObject::tr("wrong shape: flat JSON is one object of \"path\": value "
                                   "pairs, not %1")
                           .arg(values::jsonTypeName(*document)));
    ImportData data;
    data.format = ExchangeFormat::Flat;
    const QJsonObject object = document->toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        auto path = Path::parse(it.key());
        if (!path) {
            const auto [line, column] = positionOf(text, it.key());
            return failure(line, column,
                           QObject::tr("invalid path \"%1\": %2")
                               .arg(it.key(), pathErrorDetail(path.error())));
        }
        if (values::isPlainObject(it.value())) {
            const auto [line, column] = positionOf(text, it.key());
            return failure(line, column,
                           QObject::tr("wrong shape: the value of \"%1\" is an object; flat JSON "
                                       "holds one leaf value per path")
                               .arg(it.key()));
        }
        data.leaves.append(ImportLeaf{std::move(path).value(), it.value(), {}, 0});
    }
    return data;
}

// One NDJSON line (without its newline) into `data`; false with `error` set when it is bad.
bool readNdjsonLine(QByteArrayView text, int number, ImportData &data, ImportFileError &error)
{
    auto document = parseStrict(text, number);
    if (!document) {
        error = document.error();
        return false;
    }
    if (!document->isObject()) {
        error = {number, 1,
                 QObject::tr("wrong shape: each line must be an object {\"path\", \"value\", "
                             "\"type\"}, not %1")
                     .arg(values::jsonTypeName(*document))};
        return false;
    }
    const QJsonObject object = document->toObject();
    if (object.value(QLatin1String("_header")).toBool()) {
        if (number != 1 || !data.leaves.isEmpty()) {
            error = {number, 1, QObject::tr("wrong shape: a _header line may only come first")};
            return false;
        }
        data.header = object;
        return true;
    }
    const QJsonValue pathValue = object.value(QLatin1String("path"));
    if (!pathValue.isString()) {
        error = {number, 1, QObject::tr("wrong shape: \"path\" must be a string")};
        return false;
    }
    auto path = Path::parse(pathValue.toString());
    if (!path) {
        const auto [line, column] = positionOf(text, pathValue.toString(), number);
        error = {line, column,
                 QObject::tr("invalid path \"%1\": %2")
                     .arg(pathValue.toString(), pathErrorDetail(path.error()))};
        return false;
    }
    if (!object.contains(QLatin1String("value"))) {
        error = {number, 1, QObject::tr("wrong shape: \"value\" is missing (it may be null)")};
        return false;
    }
    const QJsonValue type = object.value(QLatin1String("type"));
    if (!type.isUndefined() && !type.isNull() && !type.isString()) {
        error = {number, 1, QObject::tr("wrong shape: \"type\" must be a string")};
        return false;
    }
    if (values::isPlainObject(object.value(QLatin1String("value")))) {
        const auto [line, column] = positionOf(text, QStringLiteral("value"), number);
        error = {line, column,
                 QObject::tr("wrong shape: the value of a leaf cannot be a plain object")};
        return false;
    }
    data.leaves.append(ImportLeaf{std::move(path).value(), object.value(QLatin1String("value")),
                                  type.toString(), number});
    return true;
}

Result readNdjson(QIODevice &device, QByteArray pending)
{
    ImportData data;
    data.format = ExchangeFormat::Ndjson;
    ImportFileError error;
    int number = 0;
    const auto handle = [&](QByteArray line) {
        ++number;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty())
            return true;
        return readNdjsonLine(line, number, data, error);
    };
    for (;;) {
        qsizetype newline = pending.indexOf('\n');
        while (newline >= 0) {
            if (!handle(pending.first(newline)))
                return Result::failure(error);
            pending.remove(0, newline + 1);
            newline = pending.indexOf('\n');
        }
        const QByteArray more = device.read(1 << 20);
        if (more.isEmpty()) // the end (files, buffers and stdin read what there is, or wait)
            break;
        pending += more;
    }
    if (!pending.isEmpty() && !handle(pending))
        return Result::failure(error);
    return data;
}

} // namespace

QString ImportFileError::text() const
{
    if (line <= 0)
        return reason;
    if (column <= 0)
        return QObject::tr("line %1: %2").arg(line).arg(reason);
    return QObject::tr("line %1, column %2: %3").arg(line).arg(column).arg(reason);
}

ExchangeFormat ImportReader::detect(const QByteArray &head)
{
    const qsizetype newline = head.indexOf('\n');
    const QByteArray first = (newline < 0 ? head : head.left(newline)).trimmed();
    if (first.startsWith('{')) {
        QJsonParseError error;
        const QJsonDocument line = QJsonDocument::fromJson(first, &error);
        if (error.error == QJsonParseError::NoError && line.isObject()) {
            const QJsonObject object = line.object();
            if (object.contains(QLatin1String("_header")) ||
                (object.contains(QLatin1String("path")) && object.contains(QLatin1String("value"))))
                return ExchangeFormat::Ndjson;
        }
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(head, &error);
    if (document.isObject() && !document.object().isEmpty()) {
        const QJsonObject object = document.object();
        bool slash = false;
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (values::isPlainObject(it.value()))
                return ExchangeFormat::Nested;
            slash = slash || it.key().contains(QLatin1Char('/'));
        }
        if (slash)
            return ExchangeFormat::Flat;
    }
    return ExchangeFormat::Nested;
}

Expected<ImportData, ImportFileError> ImportReader::read(QIODevice &device,
                                                         std::optional<ExchangeFormat> format)
{
    if (!device.isReadable())
        return failure(0, 0, QObject::tr("the file cannot be read: %1").arg(device.errorString()));
    if (format == ExchangeFormat::Csv)
        return failure(0, 0,
                       QObject::tr("CSV cannot be imported: it does not keep the types; use "
                                   "NDJSON or JSON"));
    if (format == ExchangeFormat::Ndjson)
        return readNdjson(device, {});
    // The first line decides whether it is NDJSON; JSON is read whole.
    QByteArray head = device.readLine(1 << 24);
    if (head.trimmed().isEmpty() && device.atEnd())
        return failure(1, 1, QObject::tr("the file is empty"));
    if (!format && detect(head) == ExchangeFormat::Ndjson)
        return readNdjson(device, head);
    const QByteArray text = head + device.readAll();
    const ExchangeFormat chosen = format.value_or(detect(text));
    return chosen == ExchangeFormat::Flat ? readFlat(text) : readNested(text);
}

} // namespace dust
