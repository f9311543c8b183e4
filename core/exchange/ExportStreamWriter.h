#pragma once

#include "exchange/ExchangeFormat.h"
#include "exchange/ExportScope.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <string_view>

class QIODevice;

namespace dust {

class ExportWriter;

// The body of the server's GET …/export?format=jsonl, given in pieces as it arrives (cut
// anywhere, even inside a character), split into lines and written through an ExportWriter
// in any format: the header line begins the file with the server's seq, entry_count and
// exported_at, each leaf line is written if the scope holds it. Nothing is kept but the
// unfinished last line. Runs on one thread (the export job's writing thread).
//
// The scope must be the whole store for NDJSON: the file's header then says the server's
// entry_count. Another scope is filtered here, for the formats that have no count.
//
// A line that is not what the export sends, a value that is not JSON, or a body that ends
// with more or fewer leaves than its header announced fails, with the line and the reason in
// errorString(); so does writing.
class ExportStreamWriter
{
public:
    // `device` must be open for writing and outlive the writer.
    ExportStreamWriter(ExchangeFormat format, QIODevice *device, ExportScope scope, QString store);
    ~ExportStreamWriter();
    ExportStreamWriter(const ExportStreamWriter &) = delete;
    ExportStreamWriter &operator=(const ExportStreamWriter &) = delete;

    // The next piece of the body. False once anything failed.
    bool feed(QByteArrayView bytes);
    // The body ended: its last line, the count its header announced, the writer's finish.
    bool finish();

    bool hasHeader() const { return m_writer != nullptr; }
    qint64 seq() const { return m_seq; }
    // The leaves the header announced (the store's, whatever the scope).
    qint64 announced() const { return m_announced; }
    // The ExportWriter, once the header was read (else null).
    const ExportWriter *writer() const { return m_writer.get(); }
    // What failed, in words; empty while all is well.
    QString errorString() const { return m_error; }

private:
    bool line(std::string_view text);
    bool leafLine(std::string_view text);
    bool fail(const QString &why);

    ExchangeFormat m_format;
    QIODevice *m_device;
    ExportScope m_scope;
    QString m_store;
    std::unique_ptr<ExportWriter> m_writer;
    QByteArray m_carry; // the unfinished line
    QByteArray m_pathScratch;
    QByteArray m_typeScratch;
    QByteArray m_typeUtf8; // the last type and its QString: a store has a handful of them
    QString m_type;
    qint64 m_lineNumber = 0;
    qint64 m_leafLines = 0;
    qint64 m_seq = 0;
    qint64 m_announced = 0;
    QString m_error;
};

} // namespace dust
