// AboutDialog: the version it shows is the CMake project's (read here from CMakeLists.txt,
// the one place it is written), the icon is the application's, Tab goes round its buttons,
// the homepage opens in the browser from the keyboard, "Copy Version Information" fills the
// clipboard, Escape and Close close it, and every control is named for assistive technology.

#include "window/AboutDialog.h"
#include "window/Icons.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace dust;

namespace {

// The version in project(... VERSION x.y.z ...) of the top-level CMakeLists.txt.
QString projectVersion()
{
    QFile file(QStringLiteral(DUST_SOURCE_DIR "/CMakeLists.txt"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    static const QRegularExpression version(
        QStringLiteral(R"(project\s*\(\s*DustBrowser\s+VERSION\s+([0-9.]+))"));
    return version.match(QString::fromUtf8(file.readAll())).captured(1);
}

// Stands in for the web browser: the links QDesktopServices would open.
class UrlCatcher : public QObject
{
    Q_OBJECT
public:
    QList<QUrl> opened;
public slots:
    void open(const QUrl &url) { opened.append(url); }
};

} // namespace

class TestAboutDialog : public QObject
{
    Q_OBJECT

private slots:
    void showsTheProjectVersion();
    void showsTheApplicationIcon();
    void tabGoesRoundTheButtons();
    void homepageOpensFromTheKeyboard_data();
    void homepageOpensFromTheKeyboard();
    void copiesTheVersionDetails();
    void closes_data();
    void closes();
    void controlsAreNamed();
};

void TestAboutDialog::showsTheProjectVersion()
{
    const QString version = projectVersion();
    QVERIFY2(!version.isEmpty(), "no project(DustBrowser VERSION ...) in CMakeLists.txt");
    AboutDialog dialog;
    QCOMPARE(dialog.versionLabel()->text(), QStringLiteral("Version %1").arg(version));
    QVERIFY(AboutDialog::versionDetails().startsWith(QStringLiteral("Dust Browser ") + version +
                                                     QLatin1Char('\n')));
}

void TestAboutDialog::showsTheApplicationIcon()
{
    AboutDialog dialog;
    const auto labels = dialog.findChildren<QLabel *>();
    const auto icon = std::find_if(labels.begin(), labels.end(),
                                   [](QLabel *label) { return !label->pixmap().isNull(); });
    QVERIFY(icon != labels.end());
    QCOMPARE((*icon)->pixmap().size(), QSize(64, 64));
    QCOMPARE((*icon)->pixmap().toImage(), icons::application().pixmap(64, 64).toImage());
}

void TestAboutDialog::tabGoesRoundTheButtons()
{
    AboutDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QPushButton *close = dialog.buttons()->button(QDialogButtonBox::Close);
    QTRY_COMPARE(QApplication::focusWidget(), close);
    QList<QWidget *> order;
    for (int i = 0; i < 3; ++i) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        order.append(QApplication::focusWidget());
    }
    QCOMPARE(order, (QList<QWidget *>{dialog.homepageButton(), dialog.copyButton(), close}));
}

void TestAboutDialog::homepageOpensFromTheKeyboard_data()
{
    QTest::addColumn<int>("key");
    QTest::newRow("Enter") << int(Qt::Key_Return);
    QTest::newRow("Space") << int(Qt::Key_Space);
}

void TestAboutDialog::homepageOpensFromTheKeyboard()
{
    QFETCH(int, key);
    UrlCatcher browser;
    QDesktopServices::setUrlHandler(QStringLiteral("https"), &browser, "open");
    AboutDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QTRY_COMPARE(QApplication::focusWidget(), dialog.buttons()->button(QDialogButtonBox::Close));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), dialog.homepageButton());
    QTest::keyClick(dialog.homepageButton(), Qt::Key(key));
    QDesktopServices::unsetUrlHandler(QStringLiteral("https"));
    QCOMPARE(browser.opened, QList<QUrl>{QUrl(QStringLiteral("https://dustlayer.io"))});
    QVERIFY(dialog.isVisible());
}

void TestAboutDialog::copiesTheVersionDetails()
{
    QGuiApplication::clipboard()->clear();
    AboutDialog dialog;
    dialog.show();
    QTest::mouseClick(dialog.copyButton(), Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), AboutDialog::versionDetails());
    QVERIFY(AboutDialog::versionDetails().contains(QString::fromLatin1(qVersion())));
    // The dialog says it did.
    const auto labels = dialog.findChildren<QLabel *>();
    QVERIFY(std::any_of(labels.begin(), labels.end(), [](QLabel *label) {
        return label->isVisible() && label->text() == AboutDialog::tr("Copied to the clipboard.");
    }));
}

void TestAboutDialog::closes_data()
{
    QTest::addColumn<bool>("escape");
    QTest::newRow("Close button") << false;
    QTest::newRow("Escape") << true;
}

void TestAboutDialog::closes()
{
    QFETCH(bool, escape);
    AboutDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QSignalSpy finished(&dialog, &QDialog::finished);
    if (escape)
        QTest::keyClick(&dialog, Qt::Key_Escape);
    else
        QTest::mouseClick(dialog.buttons()->button(QDialogButtonBox::Close), Qt::LeftButton);
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY(!dialog.isVisible());
}

void TestAboutDialog::controlsAreNamed()
{
    AboutDialog dialog;
    QVERIFY(!dialog.windowTitle().isEmpty());
    const auto labels = dialog.findChildren<QLabel *>();
    for (QLabel *label : labels)
        QVERIFY2(!label->accessibleName().isEmpty(), qPrintable(label->text()));
    const auto buttons = dialog.findChildren<QPushButton *>();
    QCOMPARE(buttons.size(), 3);
    for (QPushButton *button : buttons)
        QVERIFY2(!button->accessibleName().isEmpty(), qPrintable(button->text()));
    QVERIFY(!dialog.copyButton()->accessibleDescription().isEmpty());
    QVERIFY(dialog.homepageButton()->accessibleDescription().contains(
        QLatin1String("https://dustlayer.io")));
    // Alt+C reaches the copy button.
    QVERIFY(dialog.copyButton()->text().contains(QLatin1String("&C")));
}

QTEST_MAIN(TestAboutDialog)
#include "tst_aboutdialog.moc"
