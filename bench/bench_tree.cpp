// StoreTreeModel at a million paths, with a real QTreeView (offscreen) attached:
//   1. the tree built from N leaves (default 1,000,000): synchronously, then the way the app
//      does it (worker thread + one model reset) with the longest event-loop stall; peak RSS;
//   2. expanding a node with N/10 children: rowCount, index and data of the visible rows,
//      and the view's own expand;
//   3. 50,000 live changes (updates, new leaves, removals, in bursts as a sync thread sends
//      them): time per flush and the longest event-loop stall;
//   4. filters over the whole tree (substring, glob): time to the applied result and the
//      longest stall meanwhile.
// Usage: bench_tree [leaves]. Prints readable lines and, last, one "FIGURE key value unit"
// line per figure for bench/run.sh.

#include "BenchSupport.h"
#include "model/StoreTreeModel.h"
#include "model/StoreTreeSnapshot.h"
#include "model/TreeFilter.h"
#include "sync/MirrorChangeBatch.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QThread>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace dust;
using namespace dust::bench;

namespace {

struct Figure
{
    QString key;
    double value;
    QString unit;
};

// Sends change batches from another thread, as the sync thread does.
class BatchSender : public QObject
{
    Q_OBJECT
public:
    void send(const QList<MirrorChangeBatch> &batches)
    {
        for (const MirrorChangeBatch &b : batches)
            emit batch(b);
        emit done();
    }
signals:
    void batch(const dust::MirrorChangeBatch &batch);
    void done();
};

QString pathOf(qsizetype i, qsizetype bigCount)
{
    // A tenth of the store in one wide folder, the rest as user records of five leaves.
    if (i < bigCount)
        return QStringLiteral("big/item%1").arg(i);
    const qsizetype k = i - bigCount;
    static const char *const fields[] = {"name", "email", "age", "active", "prefs/theme"};
    return QStringLiteral("users/u%1/%2").arg(k / 5).arg(QLatin1String(fields[k % 5]));
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const qsizetype leaves =
        argc > 1 ? std::max(1000LL, QByteArray(argv[1]).toLongLong()) : 1000000;
    const qsizetype bigCount = leaves / 10;
    std::vector<Figure> figures;
    auto figure = [&](const char *key, double value, const char *unit, const char *what) {
        std::printf("%-34s %12.2f %s  (%s)\n", key, value, unit, what);
        std::fflush(stdout);
        figures.push_back({QString::fromLatin1(key), value, QString::fromLatin1(unit)});
    };
    std::printf("bench_tree: %lld leaves, %lld children in big/\n", qlonglong(leaves),
                qlonglong(bigCount));

    // --- the snapshot, in the Mirror's order (byte-wise by path) --------------------------
    const long rssStart = currentRssKb();
    StoreTreeSnapshot snapshot;
    {
        std::vector<QByteArray> paths;
        paths.reserve(size_t(leaves));
        for (qsizetype i = 0; i < leaves; ++i)
            paths.push_back(pathOf(i, bigCount).toUtf8());
        std::sort(paths.begin(), paths.end());
        snapshot.reserve(leaves, leaves * 24);
        const QString types[] = {QStringLiteral("string"), QStringLiteral("integer"),
                                 QStringLiteral("boolean")};
        for (qsizetype i = 0; i < leaves; ++i) {
            snapshot.append(QByteArrayView(paths[size_t(i)]), types[i % 3],
                            QStringLiteral("value %1").arg(i), i + 1);
        }
        snapshot.setSeq(leaves);
    }
    const long rssSnapshot = currentRssKb();
    std::printf("snapshot: %.1f MB\n", mb(rssSnapshot - rssStart));

    StoreTreeModel model;
    QTreeView view;
    view.setUniformRowHeights(true);
    view.resize(1000, 800);
    const bool withView = !qEnvironmentVariableIsSet("BENCH_TREE_NO_VIEW");
    if (withView) {
        view.setModel(&model);
        view.show();
    } else {
        std::printf("(no view attached)\n");
    }
    QApplication::processEvents();
    StallMeter stall;

    // 1. Build.
    {
        QElapsedTimer t;
        t.start();
        model.rebuildNow(snapshot);
        figure("build_sync_s", double(t.nsecsElapsed()) / 1e9, "s",
               "rebuildNow: the tree built on the calling thread, reset");
        QApplication::processEvents();
    }
    const long rssTree = currentRssKb();
    {
        QSignalSpy rebuilt(&model, &StoreTreeModel::rebuilt);
        QElapsedTimer t;
        t.start();
        stall.start();
        model.rebuild(snapshot);
        rebuilt.wait(120000);
        const double wall = double(t.nsecsElapsed()) / 1e9;
        QApplication::processEvents();
        const double longest = stall.stop();
        figure("build_async_s", wall, "s", "rebuild: worker thread build + swap");
        figure("build_async_stall_ms", longest, "ms",
               "longest event-loop stall during it (the reset)");
    }
    snapshot = StoreTreeSnapshot();
    QApplication::processEvents();
    QThread::msleep(200); // let the old tree's disposal finish on the worker
    QApplication::processEvents();
    figure("tree_rss_mb", mb(rssTree - rssSnapshot), "MB", "RSS the first tree added");
    figure("tree_bytes_per_leaf", double(rssTree - rssSnapshot) * 1024.0 / double(leaves), "B",
           "RSS per leaf (nodes, names, previews)");
    figure("build_peak_rss_mb", mb(peakRssKb()), "MB", "peak RSS so far (snapshot + 2 trees)");
    std::printf("nodes: %lld, leaves: %lld\n", qlonglong(model.nodeCount()),
                qlonglong(model.leafCount()));

    // 2. Expand the wide node.
    {
        const QModelIndex big = model.index(Path::parse(u"big").value());
        QElapsedTimer t;
        t.start();
        const int rows = model.rowCount(big);
        qsizetype touched = 0;
        for (int start : {0, rows / 2, rows - 40}) {
            for (int r = start; r < start + 40 && r < rows; ++r) {
                for (int c = 0; c < StoreTreeModel::ColumnCount; ++c) {
                    const QModelIndex i = model.index(r, c, big);
                    touched += i.data().toString().size();
                    touched += model.parent(i).row();
                }
                touched += model.hasChildren(model.index(r, 0, big)) ? 1 : 0;
            }
        }
        figure("expand_model_ms", double(t.nsecsElapsed()) / 1e6, "ms",
               "rowCount + index/data/parent of 3 screens of rows of the wide node");
        t.restart();
        stall.start();
        view.expand(big);
        view.scrollTo(model.index(rows / 2, 0, big));
        QApplication::processEvents();
        view.viewport()->repaint();
        const double longest = stall.stop();
        figure("expand_view_ms", double(t.nsecsElapsed()) / 1e6, "ms",
               "QTreeView expand + scroll + paint of the wide node");
        figure("expand_view_stall_ms", longest, "ms", "longest stall during it");
        if (touched == 0)
            std::printf("(nothing touched)\n");
    }

    // 3. Live changes, sent from another thread in bursts.
    {
        const int changes = 50000;
        QRandomGenerator rng(42);
        QList<MirrorChangeBatch> batches;
        qint64 seq = leaves;
        int made = 0;
        while (made < changes) {
            QList<MirrorLeafChange> list;
            const int n = 1 + int(rng.bounded(20));
            for (int k = 0; k < n && made < changes; ++k, ++made) {
                MirrorLeafChange c;
                const quint32 kind = rng.bounded(100);
                if (kind < 60) {
                    c.kind = MirrorLeafChange::Kind::Updated;
                    c.path = Path::parse(pathOf(qsizetype(rng.bounded(quint32(leaves))), bigCount))
                                 .value();
                } else if (kind < 85) {
                    c.kind = MirrorLeafChange::Kind::Added;
                    c.path =
                        Path::parse(rng.bounded(2) ? QStringLiteral("big/new%1").arg(made)
                                                   : QStringLiteral("users/n%1/name").arg(made))
                            .value();
                } else {
                    c.kind = MirrorLeafChange::Kind::Removed;
                    c.path = Path::parse(pathOf(qsizetype(rng.bounded(quint32(leaves))), bigCount))
                                 .value();
                }
                if (c.kind != MirrorLeafChange::Kind::Removed) {
                    c.type = QStringLiteral("string");
                    c.preview = QStringLiteral("live %1").arg(made);
                    c.revision = seq + 1;
                }
                list.append(c);
            }
            ++seq;
            batches.append(MirrorChangeBatch(seq, seq, list));
        }
        QThread syncThread;
        BatchSender sender;
        sender.moveToThread(&syncThread);
        QObject::connect(&sender, &BatchSender::batch, &model, &StoreTreeModel::applyBatch);
        bool sent = false;
        QObject::connect(&sender, &BatchSender::done, &model, [&] { sent = true; });
        qint64 longestFlush = 0;
        qint64 totalFlush = 0;
        int flushes = 0;
        QObject::connect(&model, &StoreTreeModel::flushed, &model, [&](int, qint64 ns) {
            longestFlush = std::max(longestFlush, ns);
            totalFlush += ns;
            ++flushes;
        });
        syncThread.start();
        QElapsedTimer t;
        t.start();
        stall.start();
        QMetaObject::invokeMethod(&sender, [&] { sender.send(batches); });
        while (!sent || model.pendingChangeCount() > 0)
            QApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        view.viewport()->repaint();
        QApplication::processEvents();
        const double longest = stall.stop();
        const double wall = double(t.nsecsElapsed()) / 1e6;
        syncThread.quit();
        syncThread.wait();
        std::printf("live: %d changes in %lld batches, %d flushes, %.1f ms in flushes\n", changes,
                    qlonglong(batches.size()), flushes, double(totalFlush) / 1e6);
        figure("live_longest_flush_ms", double(longestFlush) / 1e6, "ms",
               "longest flush (model work on the GUI thread)");
        figure("live_longest_stall_ms", longest, "ms",
               "longest event-loop stall while 50,000 changes arrive (view attached)");
        figure("live_total_ms", wall, "ms", "from the first batch sent to all applied");
        figure("live_flushes", flushes, "", "flushes for 50,000 changes");
    }

    // 4. Filters over the whole tree.
    auto runFilter = [&](const TreeFilter &filter, const char *key, const char *stallKey,
                         const char *what) {
        QSignalSpy applied(&model, &StoreTreeModel::filterApplied);
        QElapsedTimer t;
        t.start();
        stall.start();
        model.setFilter(filter);
        if (applied.isEmpty())
            applied.wait(60000);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        QApplication::processEvents();
        const double longest = stall.stop();
        std::printf("filter %s: %lld matches\n", qPrintable(filter.text()),
                    applied.isEmpty() ? -1LL : qlonglong(applied.at(0).at(0).toLongLong()));
        figure(key, ms, "ms", what);
        figure(stallKey, longest, "ms", "longest stall while it ran and applied");
    };
    runFilter(TreeFilter::substring(QStringLiteral("item99")), "filter_substring_ms",
              "filter_substring_stall_ms", "substring 'item99' on every name");
    runFilter(TreeFilter::glob(QStringLiteral("users/*/prefs/**")).value(), "filter_glob_ms",
              "filter_glob_stall_ms", "glob users/*/prefs/** (everything visible under users)");
    runFilter(TreeFilter::glob(QStringLiteral("big/item12345")).value(), "filter_glob_exact_ms",
              "filter_glob_exact_stall_ms", "glob big/item12345 (pruned walk)");
    runFilter(TreeFilter(), "filter_clear_ms", "filter_clear_stall_ms", "back to no filter");

    figure("peak_rss_mb", mb(peakRssKb()), "MB", "peak RSS of the whole run");
    for (const Figure &f : figures)
        std::printf("FIGURE %s %.3f %s\n", qPrintable(f.key), f.value, qPrintable(f.unit));
    return 0;
}

#include "bench_tree.moc"
