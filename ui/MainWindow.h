#pragma once

#include <QMainWindow>

namespace dust {

// The browser's main window. For now it shows where the store tree, the value inspector and
// the live change log will sit.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace dust
