#include "inspector/StringLensDetector.h"

#include <QJsonDocument>
#include <QStringDecoder>

namespace dust {

namespace {

bool allOf(QStringView text, bool (*test)(QChar))
{
    for (const QChar c : text)
        if (!test(c))
            return false;
    return true;
}

bool isDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

bool isHexDigit(QChar c)
{
    return isDigit(c) || (c >= QLatin1Char('a') && c <= QLatin1Char('f')) ||
           (c >= QLatin1Char('A') && c <= QLatin1Char('F'));
}

bool isAsciiAlnum(QChar c)
{
    return isDigit(c) || (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
           (c >= QLatin1Char('A') && c <= QLatin1Char('Z'));
}

bool plausibleYear(const QDateTime &when)
{
    const int year = when.date().year();
    return when.isValid() && year >= 1990 && year <= 2100;
}

} // namespace

QList<StringLens> StringLensDetector::detect(QStringView text)
{
    QList<StringLens> lenses{StringLens::Raw};
    if (text.size() > maxLength())
        return lenses;
    if (isJson(text))
        lenses.append(StringLens::Json);
    if (const auto bytes = base64(text)) {
        if (isText(*bytes))
            lenses.append(StringLens::Base64Text);
        lenses.append(StringLens::Base64Hex);
    }
    if (timestamp(text))
        lenses.append(StringLens::Time);
    if (link(text))
        lenses.append(StringLens::Link);
    return lenses;
}

bool StringLensDetector::isJson(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    if (trimmed.size() < 2)
        return false;
    const QChar first = trimmed.front();
    const QChar last = trimmed.back();
    if (!((first == QLatin1Char('{') && last == QLatin1Char('}')) ||
          (first == QLatin1Char('[') && last == QLatin1Char(']'))))
        return false;
    QJsonParseError error;
    QJsonDocument::fromJson(trimmed.toUtf8(), &error);
    return error.error == QJsonParseError::NoError;
}

std::optional<QByteArray> StringLensDetector::base64(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    if (trimmed.size() < 12 || allOf(trimmed, isHexDigit))
        return std::nullopt;
    qsizetype padding = 0;
    bool standard = false; // '+' or '/'
    bool urlSafe = false;  // '-' or '_'
    for (qsizetype i = 0; i < trimmed.size(); ++i) {
        const QChar c = trimmed[i];
        if (c == QLatin1Char('=')) {
            ++padding;
            continue;
        }
        if (padding > 0) // '=' only at the end
            return std::nullopt;
        if (c == QLatin1Char('+') || c == QLatin1Char('/'))
            standard = true;
        else if (c == QLatin1Char('-') || c == QLatin1Char('_'))
            urlSafe = true;
        else if (!isAsciiAlnum(c))
            return std::nullopt;
    }
    if (padding > 2 || (standard && urlSafe))
        return std::nullopt;
    const qsizetype body = trimmed.size() - padding;
    if (padding > 0 ? trimmed.size() % 4 != 0 : body % 4 == 1)
        return std::nullopt;
    const auto options = (urlSafe ? QByteArray::Base64UrlEncoding : QByteArray::Base64Encoding) |
                         QByteArray::AbortOnBase64DecodingErrors;
    const auto decoded = QByteArray::fromBase64Encoding(trimmed.toLatin1(), options);
    if (!decoded || decoded.decoded.isEmpty())
        return std::nullopt;
    return decoded.decoded;
}

bool StringLensDetector::isText(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return false;
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control && c != QLatin1Char('\t') &&
            c != QLatin1Char('\n') && c != QLatin1Char('\r'))
            return false;
    }
    return true;
}

std::optional<StringLensDetector::Moment> StringLensDetector::timestamp(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    if (allOf(trimmed, isDigit)) {
        if (trimmed.size() != 10 && trimmed.size() != 13)
            return std::nullopt;
        const qint64 number = trimmed.toLongLong();
        const bool seconds = trimmed.size() == 10;
        const QDateTime when =
            QDateTime::fromMSecsSinceEpoch(seconds ? number * 1000 : number, Qt::UTC);
        if (!plausibleYear(when))
            return std::nullopt;
        return Moment{when, seconds ? TimeForm::UnixSeconds : TimeForm::UnixMilliseconds};
    }
    // yyyy-MM-dd, then optionally a time.
    if (trimmed.size() < 10 || !allOf(trimmed.first(4), isDigit) ||
        trimmed[4] != QLatin1Char('-') || trimmed[7] != QLatin1Char('-'))
        return std::nullopt;
    QDateTime when = QDateTime::fromString(trimmed.toString(), Qt::ISODateWithMs);
    if (!when.isValid() && trimmed.size() > 10 && trimmed[10] == QLatin1Char(' ')) {
        QString withT = trimmed.toString();
        withT[10] = QLatin1Char('T');
        when = QDateTime::fromString(withT, Qt::ISODateWithMs);
    }
    if (!plausibleYear(when))
        return std::nullopt;
    return Moment{when, TimeForm::Iso8601};
}

std::optional<QUrl> StringLensDetector::link(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    if (!trimmed.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) &&
        !trimmed.startsWith(QLatin1String("https://"), Qt::CaseInsensitive))
        return std::nullopt;
    for (const QChar c : trimmed)
        if (c.isSpace())
            return std::nullopt;
    const QUrl url(trimmed.toString(), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return std::nullopt;
    return url;
}

} // namespace dust
