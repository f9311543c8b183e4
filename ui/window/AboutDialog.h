#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QPushButton;

namespace dust {

// Help › About: the application's icon, name and version (the CMake project's, DUST_VERSION),
// what it is, a button that opens its homepage in the web browser, the Qt it was built with
// and runs on, the libraries it uses, and a button that copies the version details for a bug
// report.
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);

    // "Dust Browser 0.1.0", the Qt versions (built with, running on) and the system: what
    // "Copy Version Information" puts on the clipboard.
    static QString versionDetails();

    QLabel *versionLabel() const { return m_version; }
    QPushButton *homepageButton() const { return m_homepage; }
    QPushButton *copyButton() const { return m_copy; }
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    void copyVersionDetails();
    void openHomepage();

    QLabel *m_icon;
    QLabel *m_title;
    QLabel *m_version;
    QLabel *m_summary;
    QPushButton *m_homepage;
    QLabel *m_details;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QPushButton *m_copy;
};

} // namespace dust
