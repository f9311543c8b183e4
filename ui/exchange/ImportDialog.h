#pragma once

#include "exchange/ImportPlan.h"
#include "exchange/ImportReader.h"

#include <QDialog>
#include <QFutureWatcher>
#include <QPointer>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTreeView;

namespace dust {

class ImportJob;
class ImportPreviewModel;
class Transport;

// File ▸ Import…: a file (JSON, NDJSON or flat JSON) into a node of the current store. The
// file is read and checked off the UI thread as soon as it is chosen; a bad file shows its
// line, column and reason and Import stays disabled. A good one is previewed against the
// store (counts, and the leaves to create, change, remove and those unchanged in a tree).
// Import writes it (ImportJob: conditional batches, typed leaves kept) with progress and
// Cancel, and says how it ended; a conflict names the path.
//
// The dialog owns only its widgets (and, while one runs, the ImportJob as a child); the
// transport is the caller's and must outlive it.
class ImportDialog : public QDialog
{
    Q_OBJECT

public:
    // `store` is "org/name"; `target` the node to import into (invalid = the store's root).
    ImportDialog(Transport *transport, QString store, const Path &target = {},
                 QWidget *parent = nullptr);
    ~ImportDialog() override;

    // Chooses `fileName` as the browse button does, and previews it.
    void setFile(const QString &fileName);
    QString fileName() const;
    void setMode(ImportMode mode);
    ImportMode mode() const;
    // The target as typed, if it is a path (an empty field = the root).
    std::optional<Path> target() const;
    bool isImporting() const;

    // What the preview and the last outcome say, as the user reads them.
    QString summaryText() const;
    QString problemText() const;
    ImportPreviewModel *previewModel() const { return m_model; }

public slots:
    void reject() override;

signals:
    // After an import wrote something (REST writes are not pushed to live connections, so the
    // caller may want to reload `store`).
    void imported(const QString &store);

private:
    void browse();
    void refresh();
    void readDone();
    void plan();
    void startImport();
    void cancelOrClose();
    void finishImport(bool ok, const QString &words);
    void showProblem(const QString &words);
    void updateButtons();

    Transport *m_transport;
    QString m_store;
    QLineEdit *m_file;
    QPushButton *m_browse;
    QComboBox *m_format;
    QLineEdit *m_target;
    QComboBox *m_mode;
    QLabel *m_summary;
    QLabel *m_problem;
    QTreeView *m_tree;
    ImportPreviewModel *m_model;
    QProgressBar *m_progress;
    QDialogButtonBox *m_buttons;
    QPushButton *m_import;
    QPushButton *m_cancel;
    QFutureWatcher<Expected<ImportData, ImportFileError>> *m_reading;
    QFutureWatcher<Result<ImportPlan>> *m_planning;
    std::optional<ImportData> m_data;
    QString m_readName;      // the file name last read
    QString m_plannedTarget; // the target text last previewed
    QPointer<ImportJob> m_job;
    int m_generation = 0; // bumped by each refresh, so late answers of older ones are dropped
    bool m_planned = false;
};

} // namespace dust
