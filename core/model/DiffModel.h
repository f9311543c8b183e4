#pragma once

#include "protocol/Glob.h"
#include "transport/Transport.h"

#include <QAbstractTableModel>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace dust {

// The changes of a diff (`GET …/diff`, dust-protocol.md §4.7) as a table: one row per leaf
// path, its value before and after and whether it was added, changed or removed, in path
// order, optionally narrowed by a glob (Glob, §2.3) over the paths.
//
// The changes come from DiffSource::diff(), which tells a side where the leaf did not exist
// (Undefined) from a leaf holding JSON null (null, shown as `null`); the wire alone cannot.
// Kind: before absent → Added, after absent → Removed, otherwise Changed. A side the op log
// could no longer tell (compacted) is shown as "null or absent" and counts as absent.
class DiffModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { PathColumn, KindColumn, BeforeColumn, AfterColumn, ColumnCount };
    enum class Kind { Added, Changed, Removed };
    enum Role {
        PathRole = Qt::UserRole + 1, // the rendered path (QString)
        KindRole,                    // Kind as int
        BeforeRole,                  // the value before (QJsonValue; Undefined when absent)
        AfterRole,                   // the value after (QJsonValue; Undefined when absent)
        UnknownSideRole,             // bool: a side is "null or absent", the log cannot tell
    };

    struct Row
    {
        QString path;
        QJsonValue before; // Undefined when the leaf did not exist
        QJsonValue after;  // Undefined when the leaf does not exist
        Kind kind = Kind::Changed;
        bool beforeUnknown = false; // Undefined, but it may have been a leaf holding null
        bool afterUnknown = false;
    };

    explicit DiffModel(QObject *parent = nullptr);

    // Replaces the rows (a model reset); the filter stays.
    void setChanges(const QList<DiffChange> &changes);
    void clear();

    // Shows only the paths `pattern` matches; an empty pattern shows all. Returns the
    // problem in words when the pattern is not a glob (the filter is then left as it was).
    QString setFilter(const QString &pattern);
    const QString &filter() const { return m_pattern; }
    // The headers of the value columns ("Before" / "After" unless set: a restore's preview
    // says "Now" and "Restored").
    void setSideTitles(const QString &before, const QString &after);

    // Every change, filtered or not, and the count of each kind among them.
    const QList<Row> &allRows() const { return m_all; }
    int count(Kind kind) const;
    // The shown row `row` (after the filter).
    const Row &rowAt(int row) const { return m_all.at(m_shown.at(row)); }
    // The shown row of `path`, or -1.
    int rowOf(const QString &path) const;

    static QString kindName(Kind kind);
    // How a value is shown in one line ("(absent)" for Undefined, `null` for a leaf holding
    // null; "null or absent" when `unknown`).
    static QString valueText(const QJsonValue &value, int maxChars = 120, bool unknown = false);
    // No leaf: Undefined, as DiffSource::diff() gives it (null is a leaf holding null).
    static bool isAbsent(const QJsonValue &value) { return value.isUndefined(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void refilter();

    QList<Row> m_all;   // in path order
    QList<int> m_shown; // indexes into m_all that pass the filter
    QString m_pattern;
    Glob m_glob; // invalid = no filter
    QString m_beforeTitle;
    QString m_afterTitle;
};

} // namespace dust
