#include "AboutDialog.h"

#include "window/Icons.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSysInfo>
#include <QUrl>
#include <QVBoxLayout>

namespace dust {

namespace {

// The project's homepage (CMakeLists.txt, project HOMEPAGE_URL).
constexpr auto kHomepage = "https://dustlayer.io";

} // namespace

AboutDialog::AboutDialog(QWidget *parent)
    : QDialog(parent)
    , m_icon(new QLabel(this))
    , m_title(new QLabel(this))
    , m_version(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_homepage(new QPushButton(QString::fromLatin1(kHomepage), this))
    , m_details(new QLabel(this))
    , m_status(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Close, this))
    , m_copy(m_buttons->addButton(tr("&Copy Version Information"), QDialogButtonBox::ActionRole))
{
    setWindowTitle(tr("About Dust Browser"));

    m_icon->setPixmap(icons::application().pixmap(64, 64));
    m_icon->setAccessibleName(tr("Dust Browser icon"));
    m_icon->setAlignment(Qt::AlignTop);

    m_title->setText(tr("Dust Browser"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setAccessibleName(tr("Application name"));

    m_version->setText(tr("Version %1").arg(QStringLiteral(DUST_VERSION)));
    m_version->setAccessibleName(tr("Version"));
    m_version->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_summary->setText(tr("Browse, edit and watch Dust stores live. With dustlite, a "
                          "Dust-compatible local server, for a store of your own."));
    m_summary->setWordWrap(true);
    m_summary->setAccessibleName(tr("What Dust Browser is"));

    // A link-like button: one Tab stop, and Enter or Space opens it as a click does.
    m_homepage->setFlat(true);
    m_homepage->setCursor(Qt::PointingHandCursor);
    m_homepage->setAccessibleName(tr("Homepage"));
    m_homepage->setAccessibleDescription(
        tr("Opens %1 in your web browser").arg(QString::fromLatin1(kHomepage)));

    m_details->setText(tr("Built with Qt %1, running on Qt %2 on %3.\nUses QtKeychain, "
                          "QScintilla and simdjson.")
                           .arg(QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()),
                                QSysInfo::prettyProductName()));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setAccessibleName(tr("Versions of Qt and the system"));

    m_status->setWordWrap(true);
    m_status->setAccessibleName(tr("Result"));
    m_status->hide();

    m_copy->setAccessibleName(tr("Copy version information"));
    m_copy->setAccessibleDescription(
        tr("Puts the versions of Dust Browser, Qt and the system on the clipboard, for a bug "
           "report"));
    QPushButton *close = m_buttons->button(QDialogButtonBox::Close);
    close->setAccessibleName(tr("Close"));
    close->setDefault(true);

    auto *text = new QVBoxLayout;
    text->addWidget(m_title);
    text->addWidget(m_version);
    text->addSpacing(8);
    text->addWidget(m_summary);
    text->addWidget(m_homepage, 0, Qt::AlignLeft);
    text->addSpacing(8);
    text->addWidget(m_details);
    text->addWidget(m_status);
    auto *top = new QHBoxLayout;
    top->addWidget(m_icon);
    top->addSpacing(12);
    top->addLayout(text, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_buttons);
    setMinimumWidth(420);

    // Round: the homepage, Copy, Close.
    setTabOrder(m_homepage, m_copy);
    setTabOrder(m_copy, close);
    setTabOrder(close, m_homepage);

    connect(m_buttons, &QDialogButtonBox::rejected, this, &AboutDialog::reject);
    connect(m_copy, &QPushButton::clicked, this, &AboutDialog::copyVersionDetails);
    connect(m_homepage, &QPushButton::clicked, this, &AboutDialog::openHomepage);
    close->setFocus();
}

QString AboutDialog::versionDetails()
{
    return QStringLiteral("Dust Browser %1\nQt %2 (built with %3)\n%4 (%5)\n")
        .arg(QStringLiteral(DUST_VERSION), QString::fromLatin1(qVersion()),
             QStringLiteral(QT_VERSION_STR), QSysInfo::prettyProductName(), QSysInfo::buildAbi());
}

void AboutDialog::copyVersionDetails()
{
    QClipboard *clipboard = QGuiApplication::clipboard();
    if (!clipboard) {
        m_status->setText(tr("There is no clipboard to copy to."));
    } else {
        clipboard->setText(versionDetails());
        m_status->setText(tr("Copied to the clipboard."));
    }
    m_status->show();
}

void AboutDialog::openHomepage()
{
    const QString homepage = QString::fromLatin1(kHomepage);
    if (QDesktopServices::openUrl(QUrl(homepage))) {
        m_status->hide();
        return;
    }
    m_status->setText(tr("No web browser could be started. The homepage is %1: copy it from here.")
                          .arg(homepage));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_status->show();
}

} // namespace dust
