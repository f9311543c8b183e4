#pragma once

#include "exchange/ExchangeFormat.h"
#include "protocol/Expected.h"
#include "protocol/Path.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

class QIODevice;

namespace dust {

// One leaf of an import file: its path relative to the file's root, its value and its type
// (empty when the file does not say: then the server derives it from the value).
struct ImportLeaf
{
    Path path; // invalid (empty) = the import's target node itself
    QJsonValue value;
    QString type;
    int line = 0; // where it is in the file (1-based), for messages
};

// Why a file cannot be imported: where (1-based line and column; 0 when not known) and why.
struct ImportFileError
{
    int line = 0;
    int column = 0;
    QString reason;
    // "line 3, column 7: …" (or just the reason when there is no position).
    QString text() const;
};

// What an import file holds.
struct ImportData
{
    ExchangeFormat format = ExchangeFormat::Nested;
    QList<ImportLeaf> leaves;
    QJsonObject header; // an NDJSON `_header` line, when there was one
};

// Reads an import file from a QIODevice, all of it or nothing: nested JSON (what GET of a
// node returns: objects are folders, typed envelopes and everything else leaves, types
// derived), NDJSON (dust-protocol.md §4.7, the server's export or ours, with or without the
// `_header` line: one {"path","value","type"} per line, types kept) or flat JSON (one object
// {"rendered/path": value}, types derived). Paths are relative to the file's root and
// checked with Path. NDJSON is read a line at a time; JSON is checked strictly (StrictJson)
// before it is parsed, so every fault, however deep, comes with its line and column.
class ImportReader
{
public:
    // `format` nullopt = detect(); Csv is refused (it does not keep types).
    static Expected<ImportData, ImportFileError>
    read(QIODevice &device, std::optional<ExchangeFormat> format = std::nullopt);
    // The format of a file from its first bytes: NDJSON when the first line is a complete
    // object with `_header`, or with "path" and "value"; flat JSON when the top object's keys
    // hold a '/' and none of its values is a plain object; else nested JSON.
    static ExchangeFormat detect(const QByteArray &head);
};

} // namespace dust
