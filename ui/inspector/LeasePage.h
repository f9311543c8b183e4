#pragma once

#include "inspector/InspectorPage.h"

#include <QDateTime>
#include <QTimer>

class QLabel;

namespace dust {

// A lease (dust-protocol.md §5.6): its holder, fencing token and expiry, and the time left,
// counted down every second, or "expired" once it has passed (the server only notices at
// the next acquire: an expired lease stays until then).
class LeasePage : public InspectorPage
{
    Q_OBJECT
public:
    explicit LeasePage(QWidget *parent = nullptr);

    // "holder: …", "token: …", "expires at: …" and the time left, one per line.
    QString valueText() const override;
    // The time left as shown ("expires in 42 s", "expired 3 s ago").
    QString remainingText() const;
    bool isExpired() const;

protected:
    void showEntry(const Entry &entry) override;

private:
    void tick();

    QLabel *m_holder;
    QLabel *m_token;
    QLabel *m_expiresAt;
    QLabel *m_remaining;
    QTimer m_countdown; // every second while shown
    QDateTime m_expiry; // invalid when the lease has no expires_at
};

} // namespace dust
