#pragma once

#include "exchange/ExchangeFormat.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <string_view>
#include <vector>

class QIODevice;

namespace dust {

// What the NDJSON header line says (dust-protocol.md §4.7): the store, the store_seq the
// leaves are consistent at, how many leaves follow, when. `path` is the exported subtree's
// rendered path, empty for the whole store (the header then has the server's keys only).
struct ExportHeader
{
    QString store;
    QString path;
    qint64 seq = 0;
    qint64 entryCount = 0;
    QString exportedAt; // ISO-8601 with milliseconds, UTC; now when empty
};

// Writes leaves, given in path order (byte-wise by rendered UTF-8 path, as the mirror and
// the REST listing give them), to a device in one of the export formats, as they come:
// nothing but a small buffer and the open objects of the nested format is kept.
//
//  - Nested: what GET of the base path returns (dust-protocol.md §3.2): the leaf at the base
//    when there is one (its descendants are then not written), else the subtree assembled
//    into objects. A node below the base that is both a value and a folder is shown as its
//    folder, as the server's assembly does: its own value is not written (droppedValues()).
//  - Ndjson: dustlite's /export byte for byte (after exported_at): the header line, then
//    {"path","type","value"} per leaf, keys in the order Qt's writer sorts them.
//  - Flat: one object {"rendered/path": value}, a member per line.
//  - Csv: path,type,revision,value (the value as JSON), RFC 4180, CRLF line ends.
class ExportWriter
{
public:
    // `device` must be open for writing and outlive the writer. `basePath` is the rendered
    // path the nested format is relative to (empty: the store's root).
    ExportWriter(ExchangeFormat format, QIODevice *device, QString basePath = {});
    ~ExportWriter();
    ExportWriter(const ExportWriter &) = delete;
    ExportWriter &operator=(const ExportWriter &) = delete;

    bool begin(const ExportHeader &header);
    // One leaf: rendered path (UTF-8), its value as compact JSON, type and revision.
    bool addLeaf(std::string_view path, std::string_view valueJson, QStringView type,
                 qint64 revision);
    // Closes what is open and flushes. Does not close the device.
    bool finish();

    qint64 leafCount() const { return m_leaves; }
    qint64 bytesWritten() const { return m_bytes + m_buffer.size(); }
    // Values of nodes that were also folders, left out of a nested export.
    qint64 droppedValues() const { return m_dropped; }
    // Descendants of a base that holds a value, left out of a nested export.
    qint64 droppedDescendants() const { return m_droppedBelowBase; }
    // Values that were not JSON (written as null).
    qint64 badValues() const { return m_badValues; }
    QString errorString() const { return m_error; }

    // The NDJSON header line, without its newline (exposed for tests).
    static QByteArray headerLine(const ExportHeader &header);

private:
    struct Pending
    {
        QByteArray segment; // rendered
        QByteArray value;   // written JSON text
    };
    struct Level
    {
        bool hasMembers = false;
        std::vector<Pending> pending;
    };

    bool flushIfFull();
    void addNested(std::string_view path, std::string_view valueJson);
    void beginMember(Level &level);
    void writePending(Level &level, const Pending &pending);
    void resolvePending(Level &level, std::string_view segment, bool deeper);
    void closeLevel();
    void appendValueChecked(QByteArray &out, std::string_view json);

    ExchangeFormat m_format;
    QIODevice *m_device;
    QByteArray m_base; // rendered base path, UTF-8
    QByteArray m_buffer;
    qint64 m_bytes = 0;
    qint64 m_leaves = 0;
    qint64 m_dropped = 0;
    qint64 m_droppedBelowBase = 0;
    qint64 m_badValues = 0;
    QString m_error;
    bool m_first = true;

    // Nested: the open objects below the root (their rendered segments) and one level per
    // open object plus the root's.
    std::vector<QByteArray> m_open;
    std::vector<Level> m_levels;
    bool m_rootOpen = false;
    bool m_baseIsLeaf = false;
    QByteArray m_scratch;
};

} // namespace dust
