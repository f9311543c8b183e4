#include "DustliteProcess.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QRegularExpression>
#include <QTimer>

namespace dust::test {

DustliteProcess::DustliteProcess(QObject *parent)
    : QObject(parent)
{}

DustliteProcess::~DustliteProcess()
{
    kill();
}

QString DustliteProcess::executable()
{
#ifdef DUSTLITE_EXECUTABLE
    return QStringLiteral(DUSTLITE_EXECUTABLE);
#else
    return QString();
#endif
}

bool DustliteProcess::start(const QStringList &extraArgs, Storage storage, int timeoutMs)
{
    kill();
    m_extraArgs = extraArgs;
    m_storage = storage;
    if (storage == Storage::TempDir && m_dataDir.isEmpty()) {
        m_tempDir = std::make_unique<QTemporaryDir>();
        if (!m_tempDir->isValid()) {
            m_error = QStringLiteral("cannot create a temporary directory");
            return false;
        }
        m_dataDir = m_tempDir->path();
    }
    return launch(0, timeoutMs);
}

bool DustliteProcess::restart(int timeoutMs)
{
    const quint16 previous = m_port;
    kill();
    if (previous && launch(previous, timeoutMs))
        return true;
    return launch(0, timeoutMs);
}

bool DustliteProcess::launch(quint16 port, int timeoutMs)
{
    m_error.clear();
    m_stdout.clear();
    m_stderr.clear();
    m_port = 0;
    if (executable().isEmpty()) {
        m_error = QStringLiteral("the dustlite executable is not part of this build");
        return false;
    }

    QStringList args{QStringLiteral("--port"), QString::number(port)};
    if (m_storage == Storage::Memory)
        args << QStringLiteral("--memory");
    else
        args << QStringLiteral("--data") << m_dataDir;
    if (!m_token.isEmpty() && !m_extraArgs.contains(QStringLiteral("--token")))
        args << QStringLiteral("--token") << m_token;
    args << m_extraArgs;

    m_process = std::make_unique<QProcess>();
    QProcess *process = m_process.get();
    QEventLoop loop;
    const QRegularExpression ready(
        QStringLiteral("^dustlite listening on http://(.+):(\\d+)\\r?\\n"),
        QRegularExpression::MultilineOption);
    connect(process, &QProcess::readyReadStandardOutput, &loop, [&] {
        m_stdout += process->readAllStandardOutput();
        const auto match = ready.match(QString::fromUtf8(m_stdout));
        if (match.hasMatch()) {
            m_port = match.captured(2).toUShort();
            loop.quit();
        }
    });
    connect(process, &QProcess::readyReadStandardError, this,
            [this, process] { m_stderr += process->readAllStandardError(); });
    connect(process, &QProcess::finished, &loop, &QEventLoop::quit);
    connect(process, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
    QTimer timeout;
    timeout.setSingleShot(true);
    connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(timeoutMs);

    process->start(executable(), args);
    loop.exec();

    // Keep collecting output after the ready line.
    disconnect(process, &QProcess::readyReadStandardOutput, &loop, nullptr);
    connect(process, &QProcess::readyReadStandardOutput, this,
            [this, process] { m_stdout += process->readAllStandardOutput(); });

    if (m_port)
        return true;
    m_stderr += process->readAllStandardError();
    if (process->state() == QProcess::NotRunning && process->error() == QProcess::FailedToStart)
        m_error = QStringLiteral("cannot start %1: %2").arg(executable(), process->errorString());
    else if (process->state() == QProcess::NotRunning)
        m_error = QStringLiteral("dustlite exited with code %1: %2")
                      .arg(process->exitCode())
                      .arg(QString::fromUtf8(m_stderr).trimmed());
    else
        m_error = QStringLiteral("dustlite printed no ready line within %1 ms").arg(timeoutMs);
    kill();
    return false;
}

void DustliteProcess::kill()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(30000);
    }
    m_stderr += m_process->readAllStandardError();
    m_stdout += m_process->readAllStandardOutput();
}

void DustliteProcess::terminate()
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        m_process->terminate();
}

bool DustliteProcess::waitForExit(int timeoutMs)
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return true;
    QEventLoop loop;
    connect(m_process.get(), &QProcess::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    m_stderr += m_process->readAllStandardError();
    m_stdout += m_process->readAllStandardOutput();
    return m_process->state() == QProcess::NotRunning;
}

bool DustliteProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

QString DustliteProcess::generatedToken() const
{
    const QRegularExpression line(QStringLiteral("^dustlite token: (\\S+)\\r?$"),
                                  QRegularExpression::MultilineOption);
    return line.match(QString::fromUtf8(m_stdout)).captured(1);
}

QUrl DustliteProcess::baseUrl() const
{
    return m_port ? QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port)) : QUrl();
}

QUrl DustliteProcess::wsUrl() const
{
    return m_port ? QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/sync").arg(m_port)) : QUrl();
}

int DustliteProcess::exitCode() const
{
    return m_process ? m_process->exitCode() : -1;
}

QProcess::ExitStatus DustliteProcess::exitStatus() const
{
    return m_process ? m_process->exitStatus() : QProcess::CrashExit;
}

} // namespace dust::test
