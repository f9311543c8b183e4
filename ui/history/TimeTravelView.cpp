#include "history/TimeTravelView.h"

#include "edit/PathListText.h"
#include "history/TimeTravelModel.h"
#include "history/TimeTravelState.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace dust {

TimeTravelView::TimeTravelView(TimeTravelState *state, QWidget *parent)
    : QDialog(parent)
    , m_state(state)
    , m_model(new TimeTravelModel(this))
    , m_status(new QLabel(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_seq(new QSpinBox(this))
    , m_tree(new QTreeView(this))
    , m_restore(new QPushButton(tr("&Restore to Here…"), this))
{
    const QString what = state->node().isValid() ? state->node().rendered() : tr("the whole store");
    setWindowTitle(tr("Time travel: %1").arg(what));
    setAccessibleName(windowTitle());

    m_status->setWordWrap(true);
    m_status->setAccessibleName(tr("Time travel status"));
    m_status->setText(tr("Reading %1 as it is now…").arg(what));
    auto *seqLabel = new QLabel(tr("&Seq:"), this);
    seqLabel->setBuddy(m_seq);
    m_slider->setAccessibleName(tr("Point in history"));
    m_slider->setAccessibleDescription(
        tr("Moves through the store's seqs; the tree below shows %1 as it was").arg(what));
    m_slider->setEnabled(false);
    m_seq->setAccessibleName(tr("Seq shown"));
    m_seq->setAccessibleDescription(tr("The store seq the tree shows; type one to go there"));
    m_seq->setEnabled(false);
    m_seq->setKeyboardTracking(false);
    m_tree->setModel(m_model);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setAccessibleName(tr("The subtree at the chosen seq"));
    m_tree->setAccessibleDescription(tr("Read-only; rows in bold differ from now"));
    m_tree->header()->setStretchLastSection(true);
    m_restore->setAccessibleName(tr("Restore to here"));
    m_restore->setAccessibleDescription(
        tr("Previews and, once confirmed, restores %1 to the seq shown").arg(what));
    m_restore->setEnabled(false);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_restore, QDialogButtonBox::ActionRole);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *row = new QHBoxLayout;
    row->addWidget(m_slider, 1);
    row->addWidget(seqLabel);
    row->addWidget(m_seq);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addLayout(row);
    layout->addWidget(m_tree, 1);
    layout->addWidget(buttons);
    setTabOrder(m_slider, m_seq);
    setTabOrder(m_seq, m_tree);
    resize(700, 550);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(250);
    connect(&m_debounce, &QTimer::timeout, this, &TimeTravelView::requestSeq);
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        if (m_settingRange)
            return;
        m_seq->blockSignals(true);
        m_seq->setValue(value);
        m_seq->blockSignals(false);
        m_debounce.start();
    });
    connect(m_seq, &QSpinBox::valueChanged, this, [this](int value) {
        if (m_settingRange)
            return;
        m_slider->blockSignals(true);
        m_slider->setValue(value);
        m_slider->blockSignals(false);
        m_debounce.start();
    });
    connect(m_restore, &QPushButton::clicked, this,
            [this] { emit restoreRequested(m_state->node(), m_shown); });
    connect(state, &TimeTravelState::loaded, this, &TimeTravelView::onLoaded);
    connect(state, &TimeTravelState::stateReady, this, &TimeTravelView::onStateReady);
    connect(state, &TimeTravelState::failed, this, &TimeTravelView::onFailed);
}

QString TimeTravelView::statusText() const
{
    return m_status->text();
}

void TimeTravelView::setRange(qint64 minimum, qint64 maximum)
{
    // QSlider counts in int: seqs beyond 2^31 would need scaling; a store that old is not
    // expected from a desktop session, so the range is clamped.
    const int lo = int(std::clamp<qint64>(minimum, 0, std::numeric_limits<int>::max()));
    const int hi = int(std::clamp<qint64>(maximum, lo, std::numeric_limits<int>::max()));
    m_settingRange = true;
    m_slider->setRange(lo, hi);
    m_seq->setRange(lo, hi);
    m_settingRange = false;
}

void TimeTravelView::onLoaded()
{
    const qint64 now = m_state->nowSeq();
    setRange(std::max<qint64>(m_state->earliestSeq(), 0), now);
    m_settingRange = true;
    m_slider->setValue(int(now));
    m_seq->setValue(int(now));
    m_settingRange = false;
    m_slider->setEnabled(true);
    m_seq->setEnabled(true);
    onStateReady(now);
    m_slider->setFocus();
}

void TimeTravelView::requestSeq()
{
    m_status->setText(tr("Reading seq %1…").arg(m_slider->value()));
    m_state->showAt(m_slider->value());
}

void TimeTravelView::onStateReady(qint64 seq)
{
    m_shown = seq;
    m_model->setLeaves(m_state->node(), m_state->leavesAt(), m_state->differing());
    m_tree->expandAll();
    m_tree->resizeColumnToContents(TimeTravelModel::NameColumn);
    const qsizetype leaves = m_state->leavesAt().size();
    const qsizetype differing = m_state->differing().size();
    if (seq >= m_state->nowSeq())
        m_status->setText(leaves == 1
                              ? tr("Seq %1: as it is now (one leaf).").arg(seq)
                              : tr("Seq %1: as it is now (%2 leaves).").arg(seq).arg(leaves));
    else
        m_status->setText(
            differing == 1
                ? tr("Seq %1 of %2: one path differs from now.").arg(seq).arg(m_state->nowSeq())
                : tr("Seq %1 of %2: %3 paths differ from now.")
                      .arg(seq)
                      .arg(m_state->nowSeq())
                      .arg(differing));
    if (const qsizetype unknown = m_state->unknownAt().size();
        unknown > 0 && seq < m_state->nowSeq()) {
        QStringList paths(m_state->unknownAt().cbegin(), m_state->unknownAt().cend());
        paths.sort();
        m_status->setText(
            m_status->text() + QLatin1Char(' ') +
            tr("%n path(s) held null or did not exist then; the op log no longer tells which, "
               "so they are not shown: %1.",
               nullptr, int(unknown))
                .arg(pathlist::names(paths, 5)));
    }
    m_restore->setEnabled(seq < m_state->nowSeq());
}

void TimeTravelView::onFailed(const QString &words, std::optional<qint64> earliest)
{
    m_status->setText(words);
    if (earliest && m_state->nowSeq() > 0) {
        // Compacted: the slider starts where the server's history does.
        setRange(*earliest, m_state->nowSeq());
        m_debounce.start();
    }
    m_restore->setEnabled(false);
}

} // namespace dust
