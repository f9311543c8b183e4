#include "PathBreadcrumb.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace dust {

PathBreadcrumb::PathBreadcrumb(QWidget *parent)
    : QWidget(parent)
    , m_layout(new QHBoxLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(0);
    setAccessibleName(tr("Current path"));
    rebuild();
}

void PathBreadcrumb::setStore(const QString &store)
{
    m_store = store;
    rebuild();
}

void PathBreadcrumb::setPath(const Path &path)
{
    if (path == m_path && m_layout->count() > 0)
        return;
    m_path = path;
    rebuild();
}

QString PathBreadcrumb::text() const
{
    QStringList parts{m_store};
    for (const QString &segment : m_path.segments())
        parts.append(Path::escapeSegment(segment));
    return parts.join(QStringLiteral(" / "));
}

void PathBreadcrumb::rebuild()
{
    while (QLayoutItem *item = m_layout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    const auto addCrumb = [this](const QString &label, const Path &target, bool current) {
        auto *button = new QToolButton(this);
        button->setText(label);
        button->setAutoRaise(true);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setAccessibleName(target.isValid() ? tr("Go to %1").arg(target.rendered())
                                                   : tr("Go to the store's top"));
        QFont font = button->font();
        font.setBold(current);
        button->setFont(font);
        connect(button, &QToolButton::clicked, this, [this, target] { emit pathClicked(target); });
        m_layout->addWidget(button);
    };
    addCrumb(m_store.isEmpty() ? tr("(no store)") : m_store, Path(), !m_path.isValid());
    Path partial;
    const QStringList &segments = m_path.segments();
    for (qsizetype i = 0; i < segments.size(); ++i) {
        auto *slash = new QLabel(QStringLiteral("/"), this);
        slash->setEnabled(false);
        m_layout->addWidget(slash);
        partial = partial.isValid() ? partial.child(segments[i])
                                    : *Path::fromSegments(QStringList{segments[i]});
        addCrumb(Path::escapeSegment(segments[i]), partial, i == segments.size() - 1);
    }
    m_layout->addStretch(1);
    setAccessibleDescription(text());
}

} // namespace dust
