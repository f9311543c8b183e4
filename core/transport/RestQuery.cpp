#include "RestQuery.h"

#include <QString>
#include <QUrl>

namespace dust {

void RestQuery::add(const char *key, QStringView value)
{
    if (!m_bytes.isEmpty())
        m_bytes += '&';
    m_bytes += key;
    m_bytes += '=';
    m_bytes += QUrl::toPercentEncoding(value.toString(), QByteArrayLiteral("/*"));
}

void RestQuery::add(const char *key, qint64 value)
{
    add(key, QString::number(value));
}

void RestQuery::add(const QueryItems &items)
{
    for (const auto &[key, value] : items)
        add(key.toLatin1().constData(), value);
}

QByteArray RestQuery::appendedTo(QByteArray encodedPath) const
{
    if (!m_bytes.isEmpty())
        encodedPath += '?' + m_bytes;
    return encodedPath;
}

} // namespace dust
