#include "exchange/ExportStreamWriter.h"

#include "exchange/ExportLines.h"
#include "exchange/ExportWriter.h"

#include <QCoreApplication>

#include <cstring>
#include <utility>

namespace dust {

namespace {

// A longer line is not an export's (a value is far smaller); it fails instead of filling
// the memory.
constexpr qsizetype kMaxLineBytes = qsizetype(256) * 1024 * 1024;

QString tr(const char *text)
{
    return QCoreApplication::translate("dust::ExportStreamWriter", text);
}

} // namespace

ExportStreamWriter::ExportStreamWriter(ExchangeFormat format, QIODevice *device, ExportScope scope,
                                       QString store)
    : m_format(format)
    , m_device(device)
    , m_scope(std::move(scope))
    , m_store(std::move(store))
{}

ExportStreamWriter::~ExportStreamWriter() = default;

bool ExportStreamWriter::fail(const QString &why)
{
    if (m_error.isEmpty())
        m_error = why;
    return false;
}

bool ExportStreamWriter::feed(QByteArrayView bytes)
{
    if (!m_error.isEmpty())
        return false;
    const char *p = bytes.data();
    const char *end = p + bytes.size();
    if (!m_carry.isEmpty()) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!nl) {
            m_carry.append(p, end - p);
            if (m_carry.size() > kMaxLineBytes)
                return fail(tr("Line %1 of the server's export is longer than %2 MB.")
                                .arg(m_lineNumber + 1)
                                .arg(kMaxLineBytes >> 20));
            return true;
        }
        m_carry.append(p, nl - p);
        p = nl + 1;
        const QByteArray whole = std::exchange(m_carry, QByteArray());
        if (!line({whole.constData(), size_t(whole.size())}))
            return false;
    }
    while (p < end) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!nl) {
            m_carry.append(p, end - p);
            break;
        }
        if (!line({p, size_t(nl - p)}))
            return false;
        p = nl + 1;
    }
    return true;
}

bool ExportStreamWriter::line(std::string_view text)
{
    ++m_lineNumber;
    if (!text.empty() && text.back() == '\r')
        text.remove_suffix(1);
    if (text.empty())
        return true; // a blank line holds no leaf
    if (m_writer)
        return leafLine(text);
    const auto header =
        exportlines::parseHeader(QByteArrayView(text.data(), qsizetype(text.size())));
    if (!header)
        return fail(tr("The server's export cannot be read: %1.").arg(header.error()));
    m_seq = header->seq;
    m_announced = header->entryCount;
    ExportHeader out;
    out.store = m_store;
    out.path = m_scope.basePath();
    out.seq = header->seq;
    out.entryCount = header->entryCount;
    out.exportedAt = header->exportedAt;
    m_writer = std::make_unique<ExportWriter>(m_format, m_device, m_scope.basePath());
    if (!m_writer->begin(out))
        return fail(tr("Writing failed: %1").arg(m_writer->errorString()));
    return true;
}

bool ExportStreamWriter::leafLine(std::string_view text)
{
    ++m_leafLines;
    const auto leaf = exportlines::parseLeaf(text, m_pathScratch, m_typeScratch);
    if (!leaf)
        return fail(tr("Line %1 of the server's export cannot be read: %2.")
                        .arg(m_lineNumber)
                        .arg(leaf.error()));
    if (!m_scope.isWholeStore() && !m_scope.contains(leaf->path))
        return true;
    if (leaf->type != std::string_view(m_typeUtf8.constData(), size_t(m_typeUtf8.size()))) {
        m_typeUtf8 = QByteArray(leaf->type.data(), qsizetype(leaf->type.size()));
        m_type = QString::fromUtf8(m_typeUtf8);
    }
    const qint64 bad = m_writer->badValues();
    const bool written = m_writer->addLeaf(leaf->path, leaf->value, m_type, leaf->revision);
    if (m_writer->badValues() != bad)
        return fail(tr("Line %1 of the server's export cannot be read: the value of %2 is not "
                       "JSON.")
                        .arg(m_lineNumber)
                        .arg(QString::fromUtf8(leaf->path.data(), qsizetype(leaf->path.size()))));
    if (!written)
        return fail(tr("Writing failed: %1").arg(m_writer->errorString()));
    return true;
}

bool ExportStreamWriter::finish()
{
    if (!m_error.isEmpty())
        return false;
    if (!m_carry.isEmpty()) {
        const QByteArray last = std::exchange(m_carry, QByteArray());
        if (!line({last.constData(), size_t(last.size())}))
            return false;
    }
    if (!m_writer)
        return fail(tr("The server's export was empty: not even its header line came."));
    if (m_leafLines != m_announced)
        return fail(tr("The server's export announced %1 leaves and sent %2.")
                        .arg(m_announced)
                        .arg(m_leafLines));
    if (!m_writer->finish())
        return fail(tr("Writing failed: %1").arg(m_writer->errorString()));
    return true;
}

} // namespace dust
