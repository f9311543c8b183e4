#include "inspector/LeaseForm.h"

#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace dust {

LeaseForm::LeaseForm(QWidget *parent)
    : EditForm(parent)
    , m_label(new QLabel(tr("Renew &for:"), this))
    , m_ttl(new QSpinBox(this))
    , m_renew(new QPushButton(tr("Re&new"), this))
    , m_release(new QPushButton(tr("Re&lease"), this))
{
    setAccessibleName(tr("Lease form"));
    m_ttl->setRange(1, 24 * 3600);
    m_ttl->setValue(30);
    m_ttl->setSuffix(tr(" s"));
    m_ttl->setAccessibleName(tr("Time to live"));
    m_ttl->setAccessibleDescription(tr("How long a renewed lease lasts from now, in seconds."));
    m_label->setBuddy(m_ttl);
    m_renew->setAccessibleName(tr("Renew lease"));
    m_renew->setAccessibleDescription(
        tr("Stages renewing the lease with its token for the time to live; Save sends it."));
    m_release->setAccessibleName(tr("Release lease"));
    m_release->setAccessibleDescription(
        tr("Stages releasing the lease with its token, which deletes the entry; Save sends it."));
    connect(m_renew, &QPushButton::clicked, this, &LeaseForm::stageRenew);
    connect(m_release, &QPushButton::clicked, this, &LeaseForm::stageRelease);
    connect(m_ttl, &QSpinBox::valueChanged, this, [this] {
        if (m_staged && m_staged->kind == EditRequest::Kind::LeaseRenew)
            stageRenew(); // the staged renew follows the time shown
    });

    auto *row = new QHBoxLayout;
    row->addWidget(m_label);
    row->addWidget(m_ttl);
    row->addWidget(m_renew);
    row->addStretch(1);
    row->addWidget(m_release);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    setTabOrder(m_ttl, m_renew);
    setTabOrder(m_renew, m_release);
    setFocusProxy(m_ttl);
}

qint64 LeaseForm::token() const
{
    return entry().value.toObject().value(QLatin1String("token")).toInteger();
}

void LeaseForm::load(const Entry &entry)
{
    setEntry(entry);
    m_staged.reset();
    emit inputChanged();
}

void LeaseForm::stageRenew()
{
    if (token() <= 0)
        return;
    EditRequest request;
    request.kind = EditRequest::Kind::LeaseRenew;
    request.value = QJsonValue(QJsonValue::Null);
    request.leaseToken = token();
    request.leaseTtlMs = qint64(m_ttl->value()) * 1000;
    m_staged = request;
    emit inputChanged();
}

void LeaseForm::stageRelease()
{
    if (token() <= 0)
        return;
    EditRequest request;
    request.kind = EditRequest::Kind::LeaseRelease;
    request.value = QJsonValue(QJsonValue::Null);
    request.leaseToken = token();
    m_staged = request;
    emit inputChanged();
}

std::optional<EditRequest> LeaseForm::pending() const
{
    return m_staged;
}

QString LeaseForm::problem() const
{
    return token() > 0 ? QString()
                       : tr("This lease has no token: it cannot be renewed or released.");
}

void LeaseForm::restore(const EditRequest &request)
{
    if (request.kind == EditRequest::Kind::LeaseRenew) {
        const QSignalBlocker blocker(m_ttl);
        m_ttl->setValue(int(request.leaseTtlMs / 1000));
    }
    m_staged = request;
    emit inputChanged();
}

void LeaseForm::applyPolicy(const WhyNot &whyNot)
{
    const QString renew = whyNot(EditRequest::Kind::LeaseRenew);
    allow(m_ttl, renew);
    allow(m_renew, renew);
    allow(m_release, whyNot(EditRequest::Kind::LeaseRelease));
}

} // namespace dust
