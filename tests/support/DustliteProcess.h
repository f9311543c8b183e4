#pragma once

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace dust::test {

// The built dustlite executable as a child process, for tests that need a real separate
// server (kill -9, restart, the command line). It always adds `--port` (0 on the first
// start), either `--memory` or `--data DIR`, and `--token dust_tok_dev` unless the arguments
// name a token or setToken() changed it; the ready line tells the port.
//
//     DustliteProcess dustlite;
//     QVERIFY2(dustlite.start({"--seed", "demo"}), qPrintable(dustlite.errorString()));
//     auto url = dustlite.baseUrl();   // http://127.0.0.1:PORT
//     dustlite.kill();                 // SIGKILL
//     QVERIFY(dustlite.restart());     // same data dir, same port when it is free
class DustliteProcess : public QObject
{
    Q_OBJECT
public:
    enum class Storage { Memory, TempDir };

    explicit DustliteProcess(QObject *parent = nullptr);
    ~DustliteProcess() override; // kills a running server

    // The path of the dustlite executable the tests were built with.
    static QString executable();

    // Starts dustlite with `extraArgs`, waiting up to `timeoutMs` for its ready line. With
    // Storage::TempDir the stores live in a temporary directory owned by this object (or in
    // dataDir() when setDataDir() was called). False on failure; see errorString().
    bool start(const QStringList &extraArgs = {}, Storage storage = Storage::Memory,
               int timeoutMs = 30000);
    // Starts again with the same arguments and data directory, on the same port if it can.
    bool restart(int timeoutMs = 30000);
    // SIGKILL, then waits until the process is gone.
    void kill();
    // SIGTERM; use waitForExit() to see how it ended.
    void terminate();
    // Waits (spinning the event loop) for the process to end; false on timeout.
    bool waitForExit(int timeoutMs = 30000);
    bool isRunning() const;

    void setDataDir(const QString &dir) { m_dataDir = dir; }
    // The token passed as --token when the arguments name none; empty passes no token, so
    // dustlite generates one (printed on stdout, see generatedToken()).
    void setToken(const QString &token) { m_token = token; }
    // The token dustlite printed on stdout because it generated one ("" when it did not).
    QString generatedToken() const;
    QString dataDir() const { return m_dataDir; }
    quint16 port() const { return m_port; }
    QUrl baseUrl() const; // http://127.0.0.1:PORT
    QUrl wsUrl() const;   // ws://127.0.0.1:PORT/ws/sync
    QString errorString() const { return m_error; }
    QByteArray standardOutput() const { return m_stdout; }
    QByteArray standardError() const { return m_stderr; }
    QProcess *process() const { return m_process.get(); }
    int exitCode() const;
    QProcess::ExitStatus exitStatus() const;

private:
    bool launch(quint16 port, int timeoutMs);

    std::unique_ptr<QProcess> m_process;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    QStringList m_extraArgs;
    Storage m_storage = Storage::Memory;
    QString m_dataDir;
    QString m_token = QStringLiteral("dust_tok_dev");
    quint16 m_port = 0;
    QString m_error;
    QByteArray m_stdout;
    QByteArray m_stderr;
};

} // namespace dust::test
