#pragma once

#include "protocol/Path.h"

#include <QList>
#include <QObject>
#include <QPointer>

class QWidget;

namespace dust {

class EditController;
class InspectorPanel;
class StoreTab;
class StructureCommand;
class Transport;
class UndoHistoryView;

// The editing of one open store, wired: its EditController (conditional saves, conflicts,
// undo) fed by the inspector's forms, and the structure commands of the window's actions —
// new entry, paste JSON into a node, rename, move, delete of the selection — each through
// its dialog, its job with progress and Cancel, and its undo command on the controller's
// stack. Batches (move, delete) go over REST: `rest` is the tab's HTTP transport (the
// transport itself over REST, its interim HttpTransport when live). A child of the tab.
class TabEditing : public QObject
{
    Q_OBJECT
public:
    TabEditing(StoreTab *tab, Transport *writes, Transport *rest, bool readOnly,
               const QString &readOnlyWhy);
    ~TabEditing() override;

    EditController *controller() const { return m_controller; }
    bool canWrite() const;
    // Undo/redo of this store's edits (the window's Undo/Redo actions follow the current
    // tab): whether a step can be taken now, and its text.
    bool canUndo() const;
    bool canRedo() const;
    QString undoText() const;
    QString redoText() const;

    // The window's commands. Each says what it does (or why not) through message().
    void newEntry();
    void pasteJson();
    void rename();
    void move();
    void deleteSelection();
    void undo();
    void redo();
    // Edit ▸ History: the undo history of this store (one per tab, non-modal).
    void showHistory();
    // Moving on would drop the unsaved edit of `path`: asks (Keep Editing is the default).
    // True when the person chose to discard it.
    bool askToDiscard(const Path &path);
    // Follows a structure step pushed on this store's undo stack (its own, or a restore's):
    // Undo and Redo wait while it writes, its outcome is said and the store catches up.
    void track(StructureCommand *command);

signals:
    // Undo/redo/write state changed: the window updates its actions.
    void stateChanged();
    void message(const QString &text, int timeoutMs);

private:
    void wireInspector();
    void applyWritePolicy();
    void startMove(const Path &from, const Path &to);
    void startDelete(const QList<Path> &nodes);
    // After a REST batch: a REST tab re-lists; a live one asks the server what changed (REST
    // writes are not pushed to sockets, dust-protocol.md §5.10).
    void storeChangedOverRest();
    QWidget *window() const;

    StoreTab *m_tab;
    QPointer<Transport> m_rest;
    EditController *m_controller;
    QPointer<UndoHistoryView> m_history;
    int m_busyCommands = 0;
};

} // namespace dust
