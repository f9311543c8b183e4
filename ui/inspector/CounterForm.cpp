#include "inspector/CounterForm.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

namespace dust {

namespace {

QJsonValue number(double d)
{
    if (std::floor(d) == d && std::fabs(d) <= 9007199254740991.0)
        return QJsonValue(qint64(d));
    return QJsonValue(d);
}

} // namespace

CounterForm::CounterForm(QWidget *parent)
    : EditForm(parent)
    , m_label(new QLabel(tr("&Delta:"), this))
    , m_delta(new QLineEdit(QStringLiteral("1"), this))
    , m_increment(new QPushButton(tr("&Increment"), this))
    , m_decrement(new QPushButton(tr("Decr&ement"), this))
{
    setAccessibleName(tr("Counter form"));
    m_label->setBuddy(m_delta);
    m_delta->setMaximumWidth(m_delta->fontMetrics().horizontalAdvance(QLatin1Char('0')) * 18);
    m_delta->setAccessibleName(tr("Delta"));
    m_delta->setAccessibleDescription(tr("How much Increment adds or Decrement takes away."));
    m_increment->setAccessibleName(tr("Increment"));
    m_increment->setAccessibleDescription(
        tr("Stages an increment by the delta; Save sends it. The server adds it to the total."));
    m_decrement->setAccessibleName(tr("Decrement"));
    m_decrement->setAccessibleDescription(
        tr("Stages an increment by minus the delta; Save sends it."));
    connect(m_increment, &QPushButton::clicked, this, [this] { stage(true); });
    connect(m_decrement, &QPushButton::clicked, this, [this] { stage(false); });
    connect(m_delta, &QLineEdit::textChanged, this, [this] {
        m_staged.reset(); // the staged increment no longer says what the field does
        emit inputChanged();
    });
    connect(m_delta, &QLineEdit::returnPressed, this, [this] {
        if (!m_staged)
            stage(true);
        else
            emit submitted();
    });

    auto *row = new QHBoxLayout;
    row->addWidget(m_label);
    row->addWidget(m_delta);
    row->addWidget(m_increment);
    row->addWidget(m_decrement);
    row->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    setTabOrder(m_delta, m_increment);
    setTabOrder(m_increment, m_decrement);
    setFocusProxy(m_delta);
}

void CounterForm::load(const Entry &entry)
{
    setEntry(entry);
    m_staged.reset();
    emit inputChanged();
}

std::optional<double> CounterForm::delta(QString *why) const
{
    const QString text = m_delta->text().trimmed();
    bool ok = false;
    double d = QLocale::c().toDouble(text, &ok);
    if (!ok)
        d = QLocale().toDouble(text, &ok);
    if (!ok || !std::isfinite(d)) {
        *why = tr("The delta \"%1\" is not a number.").arg(text);
        return std::nullopt;
    }
    if (d == 0) {
        *why = tr("A delta of 0 changes nothing.");
        return std::nullopt;
    }
    return std::fabs(d);
}

void CounterForm::stage(bool up)
{
    QString why;
    const auto d = delta(&why);
    if (!d) {
        m_staged.reset();
    } else {
        m_staged = up ? *d : -*d;
    }
    emit inputChanged();
}

std::optional<EditRequest> CounterForm::pending() const
{
    if (!m_staged)
        return std::nullopt;
    EditRequest request;
    request.kind = EditRequest::Kind::Increment;
    request.value = number(*m_staged);
    return request;
}

QString CounterForm::problem() const
{
    QString why;
    (void)delta(&why);
    return why;
}

void CounterForm::restore(const EditRequest &request)
{
    const double d = request.value.toDouble();
    {
        const QSignalBlocker blocker(m_delta);
        m_delta->setText(number(std::fabs(d)).toVariant().toString());
    }
    m_staged = d;
    emit inputChanged();
}

void CounterForm::applyPolicy(const WhyNot &whyNot)
{
    const QString why = whyNot(EditRequest::Kind::Increment);
    allow(m_delta, why);
    allow(m_increment, why);
    allow(m_decrement, why);
}

QString CounterForm::hint() const
{
    return tr("Increments add up on the server when several are made at once.");
}

} // namespace dust
