#pragma once

#include "protocol/Expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <string_view>

namespace dust::exportlines {

// The lines of the server's NDJSON export (GET …/export?format=jsonl, dust-protocol.md
// §4.7), read one at a time without building a JSON document per leaf.

// The first line: {"_header":true,"store":…,"seq":N,"entry_count":K,…,"exported_at":…}.
struct Header
{
    QString store;
    qint64 seq = 0;
    qint64 entryCount = 0;
    QString exportedAt;
};

// Every other line: {"path":…,"type":…,"value":…}, keys in any order; other keys are
// skipped, except an integer "revision", which is kept (0 when absent, as from dustlite).
// `path` and `type` are the decoded UTF-8 strings, `value` the value's JSON text as sent.
struct Leaf
{
    std::string_view path;
    std::string_view type;
    std::string_view value;
    qint64 revision = 0;
};

// The header line, or why `line` is not one (in words, for the user).
Expected<Header, QString> parseHeader(QByteArrayView line);

// One leaf line, or why it is not one (in words). The views point into `line`, or into
// `pathScratch` / `typeScratch` when the string had escapes to decode; they stay valid until
// the next call with the same buffers. The value's JSON is only checked for its extent
// (brackets, strings, literals): the writer reads it and tells a value that is not JSON.
Expected<Leaf, QString> parseLeaf(std::string_view line, QByteArray &pathScratch,
                                  QByteArray &typeScratch);

} // namespace dust::exportlines
