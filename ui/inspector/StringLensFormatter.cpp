#include "inspector/StringLensFormatter.h"

#include <QJsonDocument>
#include <QLocale>

namespace dust {

QString StringLensFormatter::name(StringLens lens)
{
    switch (lens) {
    case StringLens::Raw:
        return tr("Raw");
    case StringLens::Json:
        return tr("JSON");
    case StringLens::Base64Text:
        return tr("Base64 (text)");
    case StringLens::Base64Hex:
        return tr("Base64 (hex)");
    case StringLens::Time:
        return tr("Time");
    case StringLens::Link:
        return tr("Link");
    }
    return {};
}

QString StringLensFormatter::hexDump(const QByteArray &bytes, qsizetype maxBytes)
{
    QString out;
    const qsizetype shown = std::min(bytes.size(), maxBytes);
    for (qsizetype row = 0; row < shown; row += 16) {
        out += QStringLiteral("%1  ").arg(row, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype i = row; i < row + 16; ++i) {
            if (i < shown) {
                const auto byte = static_cast<unsigned char>(bytes[i]);
                out += QStringLiteral("%1 ").arg(byte, 2, 16, QLatin1Char('0'));
                ascii += QLatin1Char(byte >= 0x20 && byte < 0x7f ? char(byte) : '.');
            } else {
                out += QStringLiteral("   ");
            }
        }
        out += QLatin1Char(' ') + ascii + QLatin1Char('\n');
    }
    if (shown < bytes.size())
        out += tr("… %n more bytes not shown.", nullptr, int(bytes.size() - shown));
    return out;
}

QString StringLensFormatter::linkHtml(const QString &text)
{
    const auto url = StringLensDetector::link(text);
    if (!url)
        return {};
    const QString href = url->toString(QUrl::FullyEncoded).toHtmlEscaped();
    return QStringLiteral("<a href=\"%1\">%2</a>").arg(href, text.trimmed().toHtmlEscaped());
}

QString StringLensFormatter::format(StringLens lens, const QString &text)
{
    switch (lens) {
    case StringLens::Raw:
        return text;
    case StringLens::Json: {
        if (!StringLensDetector::isJson(text))
            return tr("This text is not a JSON object or array.");
        const QJsonDocument doc = QJsonDocument::fromJson(text.trimmed().toUtf8());
        return QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
    }
    case StringLens::Base64Text:
    case StringLens::Base64Hex: {
        const auto bytes = StringLensDetector::base64(text);
        if (!bytes)
            return tr("This text is not base64.");
        if (lens == StringLens::Base64Hex)
            return tr("%n decoded bytes:", nullptr, int(bytes->size())) + QLatin1Char('\n') +
                   hexDump(*bytes);
        if (!StringLensDetector::isText(*bytes))
            return tr("The decoded bytes are not text; see Base64 (hex).");
        return QString::fromUtf8(*bytes);
    }
    case StringLens::Time: {
        const auto moment = StringLensDetector::timestamp(text);
        if (!moment)
            return tr("This text is not a date and time.");
        QString form;
        switch (moment->form) {
        case StringLensDetector::TimeForm::Iso8601:
            form = tr("written as ISO-8601");
            break;
        case StringLensDetector::TimeForm::UnixSeconds:
            form = tr("written as Unix time in seconds");
            break;
        case StringLensDetector::TimeForm::UnixMilliseconds:
            form = tr("written as Unix time in milliseconds");
            break;
        }
        const QDateTime local = moment->when.toLocalTime();
        const QLocale locale;
        return tr("%1 (local time)\n%2 UTC\n%3")
            .arg(locale.toString(local, QLocale::LongFormat),
                 moment->when.toUTC().toString(Qt::ISODateWithMs), form);
    }
    case StringLens::Link: {
        const auto url = StringLensDetector::link(text);
        return url ? url->toString() : tr("This text is not an http(s) link.");
    }
    }
    return text;
}

} // namespace dust
