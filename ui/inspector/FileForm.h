#pragma once

#include "inspector/EditForm.h"

class QLabel;
class QPushButton;

namespace dust {

// A file: Replace… picks a file (QFileDialog), reads it and stages a `put_file` of its bytes
// with its name and the content type QMimeDatabase gives it. The whole file travels in one
// WebSocket frame (base64, a third larger), so files over kMaxFileBytes are refused with
// words. Downloading stays on FilePage.
class FileForm : public EditForm
{
    Q_OBJECT
public:
    static constexpr qint64 kMaxFileBytes = 10 * 1024 * 1024;

    explicit FileForm(QWidget *parent = nullptr);

    void load(const Entry &entry) override;
    std::optional<EditRequest> pending() const override;
    QString problem() const override { return m_problem; }
    bool hasInput() const override { return m_staged.has_value(); }
    void restore(const EditRequest &request) override;
    void applyPolicy(const WhyNot &whyNot) override;

    // Reads `fileName` and stages its upload (what Replace… does once a file is chosen).
    bool replaceWith(const QString &fileName);

    QPushButton *replaceButton() const { return m_replace; }

private:
    void choose();

    QPushButton *m_replace;
    QLabel *m_chosen;
    std::optional<EditRequest> m_staged;
    QString m_problem;
};

} // namespace dust
