#include "connection/TokenVault.h"

#include <QPromise>

#include <qt6keychain/keychain.h>

#include <memory>

namespace dust {

namespace {

TokenVault::Status statusOf(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoError:
        return TokenVault::Status::Ok;
    case QKeychain::EntryNotFound:
        return TokenVault::Status::NotFound;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return TokenVault::Status::Denied;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    return TokenVault::Status::Unavailable;
}

// Starts `job` and finishes the returned future with its outcome; `onDone` adjusts it.
//
// The job has no parent and deletes itself once finished (autoDelete): QtKeychain's
// libsecret backend calls back into a job even after it was deleted, so a job must live
// until its answer, even when the vault (a dialog's, say) is gone by then. Nothing here
// refers to the vault.
template <typename Job, typename Done>
QFuture<TokenVault::Outcome> run(Job *job, const QString &profile, Done onDone)
{
    auto promise = std::make_shared<QPromise<TokenVault::Outcome>>();
    promise->start();
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(profile);
    QObject::connect(job, &QKeychain::Job::finished, job, [promise, job, onDone](QKeychain::Job *) {
        TokenVault::Outcome outcome;
        outcome.status = statusOf(job->error());
        if (outcome.status != TokenVault::Status::Ok) {
            outcome.message = TokenVault::describe(outcome.status);
            if (outcome.status != TokenVault::Status::NotFound && !job->errorString().isEmpty())
                outcome.message += QLatin1Char(' ') + job->errorString();
        }
        onDone(*job, outcome);
        promise->addResult(outcome);
        promise->finish();
    });
    job->start();
    return promise->future();
}

} // namespace

TokenVault::TokenVault(QObject *parent, QString service)
    : QObject(parent)
    , m_service(std::move(service))
{}

TokenVault::~TokenVault() = default;

QFuture<TokenVault::Outcome> TokenVault::read(const QString &profile)
{
    return run(new QKeychain::ReadPasswordJob(m_service), profile,
               [](QKeychain::ReadPasswordJob &job, Outcome &outcome) {
                   if (outcome.ok())
                       outcome.token = job.textData();
               });
}

QFuture<TokenVault::Outcome> TokenVault::write(const QString &profile, const QString &token)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setTextData(token);
    return run(job, profile, [](QKeychain::WritePasswordJob &, Outcome &) {});
}

QFuture<TokenVault::Outcome> TokenVault::remove(const QString &profile)
{
    return run(new QKeychain::DeletePasswordJob(m_service), profile,
               [](QKeychain::DeletePasswordJob &, Outcome &outcome) {
                   if (outcome.status == Status::NotFound) {
                       outcome.status = Status::Ok;
                       outcome.message.clear();
                   }
               });
}

QString TokenVault::describe(Status status)
{
    switch (status) {
    case Status::Ok:
        return {};
    case Status::NotFound:
        return tr("No token is stored in the system keychain for this connection.");
    case Status::Unavailable:
        return tr("No system keychain is available, so the token cannot be remembered and is "
                  "asked for each session.");
    case Status::Denied:
        return tr("The system keychain refused access to the token.");
    }
    return {};
}

} // namespace dust
