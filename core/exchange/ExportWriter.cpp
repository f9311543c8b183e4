#include "exchange/ExportWriter.h"

#include "exchange/ExportText.h"

#include <QDateTime>
#include <QIODevice>
#include <QJsonDocument>
#include <QJsonObject>

namespace dust {

namespace {

constexpr qsizetype kFlushBytes = qsizetype(1) << 20;

std::string_view view(const QByteArray &bytes)
{
    return {bytes.constData(), size_t(bytes.size())};
}

// The rendered segments of a rendered path (no escapes are decoded).
std::vector<std::string_view> splitSegments(std::string_view rendered)
{
    std::vector<std::string_view> segments;
    size_t start = 0;
    for (size_t i = 0; i <= rendered.size(); ++i) {
        if (i == rendered.size() || rendered[i] == '/') {
            segments.push_back(rendered.substr(start, i - start));
            start = i + 1;
        }
    }
    return segments;
}

} // namespace

ExportWriter::ExportWriter(ExchangeFormat format, QIODevice *device, QString basePath)
    : m_format(format)
    , m_device(device)
    , m_base(basePath.toUtf8())
{
    m_buffer.reserve(kFlushBytes + 64 * 1024);
}

ExportWriter::~ExportWriter() = default;

QByteArray ExportWriter::headerLine(const ExportHeader &header)
{
    // A QJsonObject, printed by Qt's writer, as the server prints its header: the same keys
    // in the same (sorted) order.
    QJsonObject object{
        {QStringLiteral("_header"), true},
        {QStringLiteral("store"), header.store},
        {QStringLiteral("seq"), header.seq},
        {QStringLiteral("entry_count"), header.entryCount},
        {QStringLiteral("path_schema_version"), 3},
        {QStringLiteral("exported_at"),
         header.exportedAt.isEmpty() ? QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)
                                     : header.exportedAt},
    };
    if (!header.path.isEmpty())
        object.insert(QStringLiteral("path"), header.path);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool ExportWriter::begin(const ExportHeader &header)
{
    switch (m_format) {
    case ExchangeFormat::Ndjson:
        m_buffer.append(headerLine(header)).append('\n');
        break;
    case ExchangeFormat::Flat:
        m_buffer.append('{');
        break;
    case ExchangeFormat::Csv:
        m_buffer.append("path,type,revision,value\r\n");
        break;
    case ExchangeFormat::Nested:
        break;
    }
    return flushIfFull();
}

void ExportWriter::appendValueChecked(QByteArray &out, std::string_view json)
{
    if (!exporttext::appendValue(out, json))
        ++m_badValues;
}

bool ExportWriter::addLeaf(std::string_view path, std::string_view valueJson, QStringView type,
                           qint64 revision)
{
    ++m_leaves;
    switch (m_format) {
    case ExchangeFormat::Ndjson: {
        const QByteArray typeUtf8 = type.toUtf8();
        m_buffer.append("{\"path\":", 8);
        exporttext::appendString(m_buffer, path);
        m_buffer.append(",\"type\":", 8);
        exporttext::appendString(m_buffer, view(typeUtf8));
        m_buffer.append(",\"value\":", 9);
        appendValueChecked(m_buffer, valueJson);
        m_buffer.append("}\n", 2);
        break;
    }
    case ExchangeFormat::Flat:
        m_buffer.append(m_first ? "\n" : ",\n");
        exporttext::appendString(m_buffer, path);
        m_buffer.append(':');
        appendValueChecked(m_buffer, valueJson);
        break;
    case ExchangeFormat::Csv: {
        exporttext::appendCsvField(m_buffer, path);
        m_buffer.append(',');
        exporttext::appendCsvField(m_buffer, view(type.toUtf8()));
        m_buffer.append(',').append(QByteArray::number(revision)).append(',');
        m_scratch.clear();
        appendValueChecked(m_scratch, valueJson);
        exporttext::appendCsvField(m_buffer, view(m_scratch));
        m_buffer.append("\r\n", 2);
        break;
    }
    case ExchangeFormat::Nested:
        addNested(path, valueJson);
        break;
    }
    m_first = false;
    return flushIfFull();
}

void ExportWriter::beginMember(Level &level)
{
    if (level.hasMembers)
        m_buffer.append(',');
    level.hasMembers = true;
}

void ExportWriter::writePending(Level &level, const Pending &pending)
{
    beginMember(level);
    exporttext::appendSegmentKey(m_buffer, view(pending.segment));
    m_buffer.append(':').append(pending.value);
}

// A leaf waits (pending) until the leaves after it show whether its node is also a folder:
// between "a" and "a/…" come only siblings that begin with "a" and a byte below '/'
// ("a-b", "a b"), so a pending "a" is settled by the first path that is neither.
void ExportWriter::resolvePending(Level &level, std::string_view segment, bool deeper)
{
    std::vector<Pending> kept;
    for (Pending &pending : level.pending) {
        const std::string_view p = view(pending.segment);
        if (deeper && segment == p) {
            ++m_dropped; // a folder too: the folder wins, as in the server's assembly
        } else if (segment.size() > p.size() && segment.substr(0, p.size()) == p &&
                   static_cast<unsigned char>(segment[p.size()]) < '/') {
            kept.push_back(std::move(pending));
        } else {
            writePending(level, pending);
        }
    }
    level.pending = std::move(kept);
}

void ExportWriter::closeLevel()
{
    Level &top = m_levels.back();
    for (const Pending &pending : top.pending)
        writePending(top, pending);
    m_buffer.append('}');
    m_levels.pop_back();
    if (!m_open.empty())
        m_open.pop_back();
}

void ExportWriter::addNested(std::string_view path, std::string_view valueJson)
{
    const std::string_view base = view(m_base);
    if (!base.empty() && path == base) {
        if (m_leaves == 1) {
            m_baseIsLeaf = true; // GET of the base returns its leaf
            appendValueChecked(m_buffer, valueJson);
        }
        return;
    }
    if (m_baseIsLeaf) {
        ++m_droppedBelowBase;
        return;
    }
    std::string_view relative = path;
    if (!base.empty()) {
        if (path.size() <= base.size() + 1 || path.substr(0, base.size()) != base ||
            path[base.size()] != '/')
            return; // not below the base: the source never sends these
        relative = path.substr(base.size() + 1);
    }
    if (!m_rootOpen) {
        m_buffer.append('{');
        m_rootOpen = true;
        m_levels.assign(1, Level{});
    }
    const std::vector<std::string_view> segments = splitSegments(relative);
    const size_t folders = segments.size() - 1;
    size_t common = 0;
    while (common < m_open.size() && common < folders && view(m_open[common]) == segments[common])
        ++common;
    while (m_open.size() > common)
        closeLevel();
    resolvePending(m_levels.back(), segments[common], folders > common);
    for (size_t i = common; i < folders; ++i) {
        beginMember(m_levels.back());
        exporttext::appendSegmentKey(m_buffer, segments[i]);
        m_buffer.append(":{", 2);
        m_open.emplace_back(segments[i].data(), qsizetype(segments[i].size()));
        m_levels.emplace_back();
    }
    Pending pending;
    pending.segment = QByteArray(segments.back().data(), qsizetype(segments.back().size()));
    appendValueChecked(pending.value, valueJson);
    m_levels.back().pending.push_back(std::move(pending));
}

bool ExportWriter::finish()
{
    switch (m_format) {
    case ExchangeFormat::Ndjson:
        break;
    case ExchangeFormat::Flat:
        m_buffer.append(m_first ? "}\n" : "\n}\n");
        break;
    case ExchangeFormat::Csv:
        break;
    case ExchangeFormat::Nested:
        if (m_baseIsLeaf) {
            m_buffer.append('\n');
            break;
        }
        if (!m_rootOpen) {
            m_buffer.append("{}\n", 3);
            break;
        }
        while (!m_levels.empty())
            closeLevel();
        m_rootOpen = false;
        m_buffer.append('\n');
        break;
    }
    if (!m_error.isEmpty())
        return false;
    if (!m_buffer.isEmpty() && m_device->write(m_buffer) != m_buffer.size()) {
        m_error = m_device->errorString();
        return false;
    }
    m_bytes += m_buffer.size();
    m_buffer.clear();
    return true;
}

bool ExportWriter::flushIfFull()
{
    if (m_buffer.size() < kFlushBytes)
        return m_error.isEmpty();
    if (m_device->write(m_buffer) != m_buffer.size()) {
        m_error = m_device->errorString();
        if (m_error.isEmpty())
            m_error = QStringLiteral("the file could not be written");
        return false;
    }
    m_bytes += m_buffer.size();
    m_buffer.clear();
    return true;
}

} // namespace dust
