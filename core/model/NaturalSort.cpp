#include "NaturalSort.h"

#include <QChar>

namespace dust {

namespace {

constexpr bool isDigit(char16_t c)
{
    return c >= u'0' && c <= u'9';
}

inline char32_t fold(char16_t c)
{
    if (c < 0x80) {
        if (c >= u'A' && c <= u'Z')
            return char32_t(c) + 0x20;
        return c;
    }
    return QChar(c).toCaseFolded().unicode();
}

} // namespace

int naturalCompare(QStringView a, QStringView b)
{
    const char16_t *pa = a.utf16();
    const char16_t *pb = b.utf16();
    const qsizetype na = a.size();
    const qsizetype nb = b.size();
    qsizetype i = 0;
    qsizetype j = 0;
    int tie = 0; // the first difference in case or in leading zeros

    while (i < na && j < nb) {
        const char16_t ca = pa[i];
        const char16_t cb = pb[j];
        const bool da = isDigit(ca);
        const bool db = isDigit(cb);
        if (da && db) {
            qsizetype si = i;
            while (si < na && pa[si] == u'0')
                ++si;
            qsizetype sj = j;
            while (sj < nb && pb[sj] == u'0')
                ++sj;
            qsizetype ei = si;
            while (ei < na && isDigit(pa[ei]))
                ++ei;
            qsizetype ej = sj;
            while (ej < nb && isDigit(pb[ej]))
                ++ej;
            const qsizetype la = ei - si;
            const qsizetype lb = ej - sj;
            if (la != lb)
                return la < lb ? -1 : 1;
            for (qsizetype k = 0; k < la; ++k) {
                if (pa[si + k] != pb[sj + k])
                    return pa[si + k] < pb[sj + k] ? -1 : 1;
            }
            if (tie == 0) {
                const qsizetype za = si - i;
                const qsizetype zb = sj - j;
                if (za != zb)
                    tie = za < zb ? -1 : 1;
            }
            i = ei;
            j = ej;
            continue;
        }
        if (ca != cb) {
            const char32_t ra = da ? char32_t(u'0') : fold(ca);
            const char32_t rb = db ? char32_t(u'0') : fold(cb);
            if (ra != rb)
                return ra < rb ? -1 : 1;
            if (tie == 0)
                tie = ca < cb ? -1 : 1;
        }
        ++i;
        ++j;
    }
    if (i < na)
        return 1;
    if (j < nb)
        return -1;
    return tie;
}

} // namespace dust
