#pragma once

// Shared by the connection suites: a profiles file of the test's own, waiting for keychain
// futures, and a connection dialog filled in for a server.

#include "connection/ConnectionDialog.h"
#include "connection/ProfileForm.h"
#include "connection/TokenVault.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFutureWatcher>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>

namespace dust::test {

// A QSettings INI file in a temporary directory, and its raw bytes.
class ProfilesFile
{
public:
    ProfilesFile()
        : m_settings(std::make_unique<QSettings>(path(), QSettings::IniFormat))
    {}
    QString path() const { return m_dir.filePath(QStringLiteral("profiles.ini")); }
    QSettings &settings() { return *m_settings; }
    // A fresh QSettings on the same file, as a later run of the application would open it.
    std::unique_ptr<QSettings> reopen() const
    {
        return std::make_unique<QSettings>(path(), QSettings::IniFormat);
    }
    QByteArray bytes() const
    {
        m_settings->sync();
        QFile file(path());
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
};

// Keychain entries of this run only, so a run never meets another's.
inline QString testService()
{
    return QStringLiteral("Dust Browser test ") +
           QUuid::createUuid().toString(QUuid::WithoutBraces);
}

inline TokenVault::Outcome awaitOutcome(const QFuture<TokenVault::Outcome> &future)
{
    if (!future.isFinished()) {
        QFutureWatcher<TokenVault::Outcome> watcher;
        QSignalSpy finished(&watcher, &QFutureWatcherBase::finished);
        watcher.setFuture(future);
        if (!future.isFinished() && finished.isEmpty())
            finished.wait(20000);
    }
    if (!future.isFinished() || future.resultCount() == 0)
        return {TokenVault::Status::Unavailable, {}, QStringLiteral("test: no outcome")};
    return future.result();
}

// Types `text` into `edit` as a user would (replacing what is there).
inline void typeInto(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTest::keyClicks(edit, text);
}

// Fills the dialog's fields for `url` with `token`.
inline void fill(ConnectionDialog &dialog, const QString &name, const QString &url,
                 const QString &token)
{
    ProfileForm *form = dialog.form();
    typeInto(form->nameEdit(), name);
    typeInto(form->urlEdit(), url);
    typeInto(form->tokenEdit(), token);
}

} // namespace dust::test
