#include "StrictJson.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <system_error>

namespace dust {

namespace {

using Problem = StrictJson::Problem;

constexpr bool isWhitespace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

constexpr bool isDigit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

constexpr bool isHex(unsigned char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

constexpr unsigned hexValue(unsigned char c)
{
    return isDigit(c) ? unsigned(c - '0') : unsigned((c | 0x20) - 'a' + 10);
}

// Decimal exponents at which a double certainly overflows, and below which it certainly does not.
constexpr qint64 kSurelyOverflows = 309;
constexpr qint64 kMaybeOverflows = 308;

// One pass over the text: a cursor, a stack of open containers as bits (1 = object) and the
// first problem found. Nothing is allocated.
class Scanner
{
public:
    Scanner(QByteArrayView text, int maxDepth)
        : m_begin(reinterpret_cast<const unsigned char *>(text.data()))
        , m_p(m_begin)
        , m_end(m_begin + text.size())
        , m_maxDepth(std::min(maxDepth, kStackBits))
    {}

    StrictJson::Result run()
    {
        skipWhitespace();
        if (m_p == m_end)
            return fail(Problem::Empty);
        if (!document())
            return m_result;
        skipWhitespace();
        if (m_p != m_end)
            return fail(Problem::TrailingData);
        return {};
    }

private:
    static constexpr int kStackBits = 4096;

    StrictJson::Result fail(Problem problem) { return fail(problem, m_p); }
    StrictJson::Result fail(Problem problem, const unsigned char *where)
    {
        m_result.problem = problem;
        m_result.offset = where - m_begin;
        m_result.maxDepth = m_maxDepth;
        return m_result;
    }
    // For the bool-returning steps: records the problem and returns false.
    bool error(Problem problem, const unsigned char *where)
    {
        fail(problem, where);
        return false;
    }
    bool error(Problem problem) { return error(problem, m_p); }

    void skipWhitespace()
    {
        while (m_p != m_end && isWhitespace(*m_p))
            ++m_p;
    }

    bool push(bool object)
    {
        if (m_depth >= m_maxDepth)
            return error(Problem::TooDeep);
        const auto bit = std::uint64_t(1) << (m_depth % 64);
        if (object)
            m_stack[m_depth / 64] |= bit;
        else
            m_stack[m_depth / 64] &= ~bit;
        ++m_depth;
        return true;
    }
    bool inObject() const
    {
        const int top = m_depth - 1;
        return (m_stack[top / 64] >> (top % 64)) & 1;
    }

    // The value at m_p and everything nested in it, iteratively.
    bool document()
    {
        for (;;) {
            // A value starts here.
            skipWhitespace();
            if (m_p == m_end)
                return error(Problem::UnexpectedEnd);
            const unsigned char c = *m_p;
            if (c == '{' || c == '[') {
                const bool object = c == '{';
                if (!push(object))
                    return false;
                ++m_p;
                skipWhitespace();
                if (m_p != m_end && *m_p == (object ? '}' : ']')) {
                    ++m_p;
                    --m_depth;
                } else if (object) {
                    if (!member())
                        return false;
                    continue;
                } else {
                    continue;
                }
            } else if (c == '"') {
                if (!string())
                    return false;
            } else if (c == '-' || isDigit(c)) {
                if (!number())
                    return false;
            } else if (c == 't') {
                if (!literal("true"))
                    return false;
            } else if (c == 'f') {
                if (!literal("false"))
                    return false;
            } else if (c == 'n') {
                if (!literal("null"))
                    return false;
            } else if (c == '.') {
                return error(Problem::BadNumber);
            } else if (c >= 0x80) {
                return error(utf8Length() ? Problem::UnexpectedByte : Problem::InvalidUtf8);
            } else {
                return error(Problem::UnexpectedByte);
            }

            // A value ended: close what it ends, or go on to the next member or element.
            for (;;) {
                if (m_depth == 0)
                    return true;
                skipWhitespace();
                if (m_p == m_end)
                    return error(Problem::UnexpectedEnd);
                const bool object = inObject();
                if (*m_p == (object ? '}' : ']')) {
                    ++m_p;
                    --m_depth;
                    continue;
                }
                if (*m_p != ',')
                    return error(Problem::ExpectedCommaOrEnd);
                const unsigned char *comma = m_p;
                ++m_p;
                skipWhitespace();
                if (m_p != m_end && (*m_p == '}' || *m_p == ']'))
                    return error(Problem::TrailingComma, comma);
                if (object && !member())
                    return false;
                break;
            }
        }
    }

    // A member's key and colon; m_p then points at its value.
    bool member()
    {
        skipWhitespace();
        if (m_p == m_end)
            return error(Problem::UnexpectedEnd);
        if (*m_p != '"')
            return error(Problem::ExpectedKey);
        if (!string())
            return false;
        skipWhitespace();
        if (m_p == m_end)
            return error(Problem::UnexpectedEnd);
        if (*m_p != ':')
            return error(Problem::ExpectedColon);
        ++m_p;
        return true;
    }

    bool literal(const char *word)
    {
        const unsigned char *start = m_p;
        for (const char *w = word; *w; ++w, ++m_p) {
            if (m_p == m_end)
                return error(Problem::UnexpectedEnd);
            if (*m_p != static_cast<unsigned char>(*w))
                return error(Problem::BadLiteral, start);
        }
        return true;
    }

    // The length of the well-formed UTF-8 sequence at m_p (RFC 3629), 0 when it is not one.
    int utf8Length() const
    {
        const qsizetype left = m_end - m_p;
        const unsigned char b0 = m_p[0];
        const auto cont = [&](int i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
            return i < left && m_p[i] >= lo && m_p[i] <= hi;
        };
        if (b0 >= 0xC2 && b0 <= 0xDF)
            return cont(1) ? 2 : 0;
        if (b0 == 0xE0)
            return cont(1, 0xA0) && cont(2) ? 3 : 0;
        if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF)
            return cont(1) && cont(2) ? 3 : 0;
        if (b0 == 0xED) // U+D800..U+DFFF are not characters
            return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
        if (b0 == 0xF0)
            return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
        if (b0 >= 0xF1 && b0 <= 0xF3)
            return cont(1) && cont(2) && cont(3) ? 4 : 0;
        if (b0 == 0xF4) // nothing above U+10FFFF
            return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
        return 0;
    }

    // The four hex digits after "\u" at m_p (which points at the 'u'); advances past them.
    bool unicodeEscape(unsigned *unit, const unsigned char *backslash)
    {
        ++m_p; // 'u'
        unsigned value = 0;
        for (int i = 0; i < 4; ++i, ++m_p) {
            if (m_p == m_end)
                return error(Problem::UnexpectedEnd);
            if (!isHex(*m_p))
                return error(Problem::BadUnicodeEscape, backslash);
            value = value << 4 | hexValue(*m_p);
        }
        *unit = value;
        return true;
    }

    bool string()
    {
        ++m_p; // the opening quote
        for (;;) {
            // The common case: printable ASCII.
            while (m_p != m_end && *m_p >= 0x20 && *m_p < 0x80 && *m_p != '"' && *m_p != '\\')
                ++m_p;
            if (m_p == m_end)
                return error(Problem::UnexpectedEnd);
            const unsigned char c = *m_p;
            if (c == '"') {
                ++m_p;
                return true;
            }
            if (c < 0x20)
                return error(Problem::ControlCharacter);
            if (c >= 0x80) {
                const int length = utf8Length();
                if (!length)
                    return error(Problem::InvalidUtf8);
                m_p += length;
                continue;
            }
            // A backslash.
            const unsigned char *backslash = m_p;
            ++m_p;
            if (m_p == m_end)
                return error(Problem::UnexpectedEnd);
            if (StrictJson::isSimpleEscape(char(*m_p))) {
                ++m_p;
                continue;
            }
            if (*m_p != 'u')
                return error(Problem::BadEscape, backslash);
            unsigned unit = 0;
            if (!unicodeEscape(&unit, backslash))
                return false;
            if (unit >= 0xDC00 && unit <= 0xDFFF)
                return error(Problem::LoneSurrogate, backslash);
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                // The low half must follow at once, as another \u escape.
                if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u')
                    return error(Problem::LoneSurrogate, backslash);
                const unsigned char *second = m_p;
                ++m_p;
                unsigned low = 0;
                if (!unicodeEscape(&low, second))
                    return false;
                if (low < 0xDC00 || low > 0xDFFF)
                    return error(Problem::LoneSurrogate, backslash);
            }
        }
    }

    bool number()
    {
        const unsigned char *start = m_p;
        if (*m_p == '-')
            ++m_p;
        if (m_p == m_end || !isDigit(*m_p))
            return error(Problem::BadNumber, start);
        // The decimal exponent of the leading significant digit, to tell overflow.
        qint64 magnitude = 0;
        bool significant = false;
        if (*m_p == '0') {
            ++m_p;
            if (m_p != m_end && isDigit(*m_p))
                return error(Problem::BadNumber, start); // no leading zeros
        } else {
            significant = true;
            magnitude = -1;
            while (m_p != m_end && isDigit(*m_p)) {
                ++magnitude;
                ++m_p;
            }
        }
        if (m_p != m_end && *m_p == '.') {
            ++m_p;
            if (m_p == m_end || !isDigit(*m_p))
                return error(Problem::BadNumber, start);
            while (m_p != m_end && isDigit(*m_p)) {
                if (!significant) {
                    --magnitude;
                    significant = *m_p != '0';
                }
                ++m_p;
            }
        }
        if (m_p != m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            bool negative = false;
            if (m_p != m_end && (*m_p == '+' || *m_p == '-')) {
                negative = *m_p == '-';
                ++m_p;
            }
            if (m_p == m_end || !isDigit(*m_p))
                return error(Problem::BadNumber, start);
            qint64 exponent = 0;
            while (m_p != m_end && isDigit(*m_p)) {
                if (exponent < 1'000'000'000)
                    exponent = exponent * 10 + (*m_p - '0');
                ++m_p;
            }
            magnitude += negative ? -exponent : exponent;
        }
        // A letter or another '.' right after a number is not part of any valid text.
        if (m_p != m_end && (*m_p == '.' || *m_p == 'e' || *m_p == 'E'))
            return error(Problem::BadNumber, start);
        if (!significant || magnitude < kMaybeOverflows)
            return true;
        if (magnitude >= kSurelyOverflows)
            return error(Problem::NumberOutOfRange, start);
        double value = 0;
        const auto [end, ec] = std::from_chars(reinterpret_cast<const char *>(start),
                                               reinterpret_cast<const char *>(m_p), value);
        (void)end;
        if (ec == std::errc::result_out_of_range)
            return error(Problem::NumberOutOfRange, start);
        return true;
    }

    const unsigned char *m_begin;
    const unsigned char *m_p;
    const unsigned char *m_end;
    int m_maxDepth;
    int m_depth = 0;
    std::array<std::uint64_t, kStackBits / 64> m_stack{};
    StrictJson::Result m_result;
};

} // namespace

StrictJson::Result StrictJson::validate(QByteArrayView text, int maxDepth)
{
    return Scanner(text, maxDepth).run();
}

QString StrictJson::describe(Problem problem, int maxDepth)
{
    switch (problem) {
    case Problem::None:
        return {};
    case Problem::Empty:
        return QStringLiteral("no JSON value (the text is empty)");
    case Problem::UnexpectedByte:
        return QStringLiteral("unexpected character (a value is an object, array, string, "
                              "number, true, false or null)");
    case Problem::TrailingData:
        return QStringLiteral("unexpected data after the JSON value");
    case Problem::UnexpectedEnd:
        return QStringLiteral("the text ends inside a value");
    case Problem::ExpectedKey:
        return QStringLiteral("expected a member name in double quotes");
    case Problem::ExpectedColon:
        return QStringLiteral("expected ':' after a member name");
    case Problem::ExpectedCommaOrEnd:
        return QStringLiteral("expected ',' or the closing bracket");
    case Problem::TrailingComma:
        return QStringLiteral("trailing comma (remove the ',' before the closing bracket)");
    case Problem::BadLiteral:
        return QStringLiteral("unknown word (only true, false and null are literals)");
    case Problem::BadNumber:
        return QStringLiteral("malformed number (write digits on both sides of a '.', e.g. 0.5 "
                              "or 1.0, no leading zeros, and digits after an exponent)");
    case Problem::NumberOutOfRange:
        return QStringLiteral("number too large for a double (beyond ±1.7976931348623157e308)");
    case Problem::ControlCharacter:
        return QStringLiteral("raw control character in a string (escape it, e.g. \\n, \\t or "
                              "\\u0001)");
    case Problem::BadEscape:
        return QStringLiteral("invalid escape (use \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or "
                              "\\uXXXX)");
    case Problem::BadUnicodeEscape:
        return QStringLiteral("\\u must be followed by four hex digits");
    case Problem::LoneSurrogate:
        return QStringLiteral("lone surrogate escape (\\uD800..\\uDBFF must be followed by "
                              "\\uDC00..\\uDFFF, and a low half cannot stand alone)");
    case Problem::InvalidUtf8:
        return QStringLiteral("invalid UTF-8 (send the text as UTF-8)");
    case Problem::TooDeep:
        return QStringLiteral("nested deeper than %1 levels of objects and arrays").arg(maxDepth);
    }
    return {};
}

QString StrictJson::Result::message() const
{
    if (ok())
        return {};
    return QStringLiteral("invalid JSON at byte %1: %2")
        .arg(offset)
        .arg(describe(problem, maxDepth));
}

} // namespace dust
