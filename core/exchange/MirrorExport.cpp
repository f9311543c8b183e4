#include "exchange/MirrorExport.h"

#include "exchange/ExportProgress.h"
#include "exchange/ExportWriter.h"
#include "sync/Mirror.h"

#include <QCoreApplication>

namespace dust {

namespace {

constexpr qint64 kReportEvery = 1024;

std::string_view view(QByteArrayView bytes)
{
    return {bytes.data(), size_t(bytes.size())};
}

} // namespace

ExportOutcome MirrorExport::run(const Mirror &mirror, const QString &store,
                                const ExportScope &scope, ExchangeFormat format, QIODevice *device,
                                ExportProgress &progress)
{
    ExportOutcome outcome;
    outcome.seq = mirror.lastSeq();

    // Walks the leaves of the scope in path order. A selection walks the whole store and
    // keeps what it covers: its subtrees can interleave in path order ("a", "a-b", "a/x").
    auto walk = [&](const std::function<void(const MirrorLeafView &)> &visit) {
        if (scope.isWholeStore()) {
            mirror.forEachLeaf(visit);
        } else if (scope.paths().size() == 1) {
            mirror.forEachLeafUnder(scope.paths().first(), visit);
        } else {
            mirror.forEachLeaf([&](const MirrorLeafView &leaf) {
                if (scope.contains(view(leaf.path)))
                    visit(leaf);
            });
        }
    };

    qint64 count = 0;
    if (scope.isWholeStore())
        count = mirror.leafCount();
    else
        walk([&](const MirrorLeafView &) { ++count; });
    progress.total = count;
    if (count == 0 && !scope.isWholeStore()) {
        outcome.error = QCoreApplication::translate("dust::ExportJob", "Nothing is stored at %1.")
                            .arg(scope.describe());
        return outcome;
    }

    ExportWriter writer(format, device, scope.basePath());
    ExportHeader header;
    header.store = store;
    header.path = scope.basePath();
    header.seq = outcome.seq;
    header.entryCount = count;
    bool ok = writer.begin(header);
    walk([&](const MirrorLeafView &leaf) {
        if (!ok || progress.cancelled.load(std::memory_order_relaxed))
            return;
        ok = writer.addLeaf(view(leaf.path), view(leaf.value), leaf.type, leaf.revision);
        if (writer.leafCount() % kReportEvery == 0) {
            progress.leaves = writer.leafCount();
            progress.bytes = writer.bytesWritten();
        }
    });
    if (progress.cancelled) {
        outcome.cancelled = true;
        return outcome;
    }
    if (ok)
        ok = writer.finish();
    progress.leaves = writer.leafCount();
    progress.bytes = writer.bytesWritten();
    outcome.leaves = writer.leafCount();
    outcome.bytes = writer.bytesWritten();
    outcome.droppedValues = writer.droppedValues();
    outcome.droppedDescendants = writer.droppedDescendants();
    outcome.ok = ok;
    if (!ok)
        outcome.error = QCoreApplication::translate("dust::ExportJob", "Writing failed: %1")
                            .arg(writer.errorString());
    return outcome;
}

} // namespace dust
