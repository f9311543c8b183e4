#include "MainWindow.h"

#include <QLabel>
#include <QStatusBar>

namespace dust {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Dust Browser"));
    resize(1100, 700);
    auto *placeholder = new QLabel(tr("No store open"), this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
    statusBar()->showMessage(tr("Ready"));
}

} // namespace dust
