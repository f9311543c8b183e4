#pragma once

#include "protocol/Path.h"

#include <QWidget>

class QHBoxLayout;

namespace dust {

// The current path as a row of buttons, one per segment (shown as rendered, so '~1' and
// '~0' escapes stay visible), after the store's name. A button selects that ancestor.
class PathBreadcrumb : public QWidget
{
    Q_OBJECT
public:
    explicit PathBreadcrumb(QWidget *parent = nullptr);

    void setStore(const QString &store);
    void setPath(const Path &path);
    const Path &path() const { return m_path; }
    // The crumbs as shown, joined by " / " (for tests and the accessible description).
    QString text() const;

signals:
    // The store's button gives an invalid Path.
    void pathClicked(const dust::Path &path);

private:
    void rebuild();

    QHBoxLayout *m_layout;
    QString m_store;
    Path m_path;
};

} // namespace dust
