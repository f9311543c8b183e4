#pragma once

#include "model/HistoryModel.h"

#include <QDateTime>
#include <QString>
#include <QStringView>
#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;

namespace dust {

// The history pane's filters: the op (a combo, "Any op" first), the device id (exact, as the
// log names it) and since when (ISO-8601, a date, or a span back from now: "30m", "1h",
// "2d", "1w"). A change is announced with filterChanged() when the combo changes or a field
// is confirmed (Enter or leaving it); a since text that is not understood is said in red
// under the fields and changes nothing.
class HistoryFilterBar : public QWidget
{
    Q_OBJECT
public:
    explicit HistoryFilterBar(QWidget *parent = nullptr);

    HistoryModel::Filter filter() const { return m_filter; }
    // Why the since text is not understood (empty when it is).
    QString problem() const;

    QComboBox *opBox() const { return m_op; }
    QLineEdit *deviceEdit() const { return m_device; }
    QLineEdit *sinceEdit() const { return m_since; }

    // The time `text` names, relative to `now`: an invalid QDateTime for an empty text (no
    // limit), nullopt when it is not understood. Times without an offset are local.
    static std::optional<QDateTime> parseSince(QStringView text, const QDateTime &now);

signals:
    void filterChanged(const dust::HistoryModel::Filter &filter);

private:
    void apply();

    QComboBox *m_op = nullptr;
    QLineEdit *m_device = nullptr;
    QLineEdit *m_since = nullptr;
    QLabel *m_problem = nullptr;
    HistoryModel::Filter m_filter;
};

} // namespace dust
