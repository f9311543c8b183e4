// File ▸ Export… and File ▸ Import… from the main window, as a person does it, against a real
// dustlite: the selected node is exported through the dialog to a file (from the live
// mirror), and that file imported under another node shows up in the live tree without
// waiting for a status poll.
#include "InProcessDustlite.h"
#include "MainWindow.h"
#include "StoreDb.h"
#include "TestAwait.h"
#include "TestDialogs.h"
#include "TestSdkOptions.h"

#include "exchange/ExportDialog.h"
#include "exchange/ImportDialog.h"
#include "model/StoreTreeModel.h"
#include "transport/HttpTransport.h"
#include "transport/SdkTransport.h"
#include "window/StoreTab.h"
#include "window/WindowActions.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace dust;
using namespace dust::test;
using namespace std::chrono_literals;

namespace {

const QString kStore = QStringLiteral("local/demo");

QPushButton *buttonNamed(QWidget *dialog, const QString &name)
{
    for (QPushButton *button : dialog->findChildren<QPushButton *>()) {
        if (button->accessibleName() == name)
            return button;
    }
    return nullptr;
}

} // namespace

class TestWindowExchange : public QObject
{
    Q_OBJECT
private slots:
    void exportThenImportElsewhere();
    void readOnlyCannotImport();
};

void TestWindowExchange::exportThenImportElsewhere()
{
    InProcessDustlite dustlite;
    QVERIFY(dustlite.start());
    QVERIFY(dustlite.store()->bulkSet(
                {{path(QStringLiteral("users/alice/age")), 30},
                 {path(QStringLiteral("users/alice/tags")), QJsonArray{1, 2}},
                 {path(QStringLiteral("users/bob/a~1b")), QStringLiteral("slash")},
                 {path(QStringLiteral("config/theme")), QStringLiteral("dark")}},
                QStringLiteral("dev")) > 0);
    HttpTransport rest(dustlite.baseUrl(), QStringLiteral("dust_tok_dev"));

    MainWindow window;
    window.show();
    SdkOptions o = sdkOptions(dustlite.wsUrl(), QStringLiteral("dust_tok_dev"));
    o.statusPollInterval = std::chrono::hours(1); // only an explicit check sees REST writes
    StoreTab *tab =
        window.addStore(std::make_unique<SdkTransport>(o), kStore, {QStringLiteral("t"), false});
    QTRY_COMPARE_WITH_TIMEOUT(tab->model()->leafCount(), 4, 20000);
    tab->goToPath(path(QStringLiteral("users")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("users"));

    // Export the selected node to NDJSON.
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("users.ndjson"));
    QPointer<ExportDialog> exportDialog;
    whenModal<ExportDialog>(this, [&](ExportDialog *dialog) {
        exportDialog = dialog;
        dialog->setFormat(ExchangeFormat::Ndjson);
        dialog->setFileName(file);
        QPushButton *start = buttonNamed(dialog, QStringLiteral("Start the export"));
        QVERIFY(start);
        start->click();
    });
    window.actions()->exportData->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(file), 20000);
    QFile exported(file);
    QVERIFY(exported.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = exported.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 4); // the header and three leaves
    QVERIFY(
        QJsonDocument::fromJson(lines.first()).object().value(QStringLiteral("_header")).toBool());
    QVERIFY(lines.at(3).contains("a~1b"));
    if (exportDialog)
        exportDialog->close();

    // Import it under "copy": the dialog previews three leaves to create, then writes them.
    tab->goToPath(path(QStringLiteral("config")));
    QTRY_COMPARE(tab->currentPath().rendered(), QStringLiteral("config"));
    QPointer<ImportDialog> importDialog;
    whenModal<ImportDialog>(this, [&](ImportDialog *dialog) { importDialog = dialog; });
    window.actions()->importData->trigger();
    QTRY_VERIFY(importDialog);
    QCOMPARE(importDialog->target(), std::optional<Path>(path(QStringLiteral("config"))));
    importDialog->setFile(file);
    QPushButton *import = buttonNamed(importDialog, QStringLiteral("Import"));
    QVERIFY(import);
    QTRY_VERIFY_WITH_TIMEOUT(import->isEnabled(), 20000);
    QVERIFY2(importDialog->summaryText().contains(QStringLiteral("3")),
             qPrintable(importDialog->summaryText()));
    import->click();
    QTRY_VERIFY_WITH_TIMEOUT(await(rest.get(kStore, path(QStringLiteral("config/users/bob/a~1b")))),
                             20000);
    QCOMPARE(await(rest.get(kStore, path(QStringLiteral("config/users/alice/tags"))))->value,
             QJsonValue(QJsonArray{1, 2}));
    // The live tree catches up at once (REST writes are not pushed to sockets).
    QTRY_COMPARE_WITH_TIMEOUT(tab->model()->leafCount(), 7, 20000);
    importDialog->close();
}

void TestWindowExchange::readOnlyCannotImport()
{
    InProcessDustlite dustlite;
    QVERIFY(dustlite.start());
    MainWindow window;
    window.show();
    StoreTab *tab = window.addStore(std::make_unique<SdkTransport>(sdkOptions(
                                        dustlite.wsUrl(), QStringLiteral("dust_tok_dev"))),
                                    kStore, {QStringLiteral("t"), true});
    QVERIFY(tab);
    QVERIFY(window.actions()->exportData->isEnabled());
    QVERIFY(!window.actions()->importData->isEnabled());
}

QTEST_MAIN(TestWindowExchange)
#include "tst_windowexchange.moc"
