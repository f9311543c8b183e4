#include "PathOrder.h"

#include "protocol/Path.h"

#include <QStringList>

#include <algorithm>

namespace dust::lite {

namespace {

// Surrogates sort above the rest of the BMP in code-point order.
char32_t codePointOrderKey(char16_t unit)
{
    if (unit >= 0xD800 && unit <= 0xDFFF)
        return char32_t(unit) + 0x2000;
    if (unit >= 0xE000)
        return char32_t(unit) - 0x800;
    return unit;
}

} // namespace

int PathOrder::compare(QStringView a, QStringView b)
{
    const qsizetype n = std::min(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t x = a[i].unicode();
        const char16_t y = b[i].unicode();
        if (x != y)
            return codePointOrderKey(x) < codePointOrderKey(y) ? -1 : 1;
    }
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

QString PathOrder::descendantEnd(const QString &rendered)
{
    return rendered + QLatin1Char('0');
}

QString PathOrder::literalBase(const Glob &glob)
{
    QStringList escaped;
    for (const QString &segment : glob.literalPrefix())
        escaped.append(Path::escapeSegment(segment));
    return escaped.join(QLatin1Char('/'));
}

} // namespace dust::lite
