#pragma once

#include <QByteArrayView>
#include <QString>

namespace dust {

// A validator of JSON text exactly as RFC 8259 defines it, for input from clients before a
// lenient parser (QJsonDocument) reads it: QJsonDocument takes "\ud800" and stores "?",
// takes raw control characters in strings and a few malformed numbers, so a value could be
// stored changed. StrictJson says where the text first breaks the grammar and how.
//
// What it checks: the grammar (any value at the top, whitespace only " \t\n\r", no trailing
// commas or data), strings (escapes \" \\ \/ \b \f \n \r \t \uXXXX only, no raw U+0000..U+001F,
// surrogate escapes only as a high-low pair), numbers (-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?,
// and finite as a double), the UTF-8 of the whole text (no overlong forms, no encoded
// surrogates, nothing above U+10FFFF, no truncated sequences) and the nesting depth.
// Duplicate object keys are allowed, as RFC 8259 allows them.
//
// One pass over the bytes, no allocation: cheap enough for 8 MB bodies and every WebSocket
// frame.
class StrictJson
{
public:
    enum class Problem {
        None,
        Empty,              // no value at all (empty or only whitespace)
        UnexpectedByte,     // a byte that cannot start or continue a value here
        TrailingData,       // more after the value
        UnexpectedEnd,      // the text ends inside a value
        ExpectedKey,        // an object member must start with a string key
        ExpectedColon,      // ':' after a key
        ExpectedCommaOrEnd, // ',' or the closing bracket after a member or element
        TrailingComma,      // ',' right before '}' or ']'
        BadLiteral,         // not true, false or null
        BadNumber,          // a number outside the grammar (".5", "1.", "01", "-", "1e")
        NumberOutOfRange,   // a number beyond the range of a double (1e400)
        ControlCharacter,   // a raw byte below 0x20 inside a string
        BadEscape,          // a backslash followed by something else than the 9 escapes
        BadUnicodeEscape,   // \u not followed by 4 hex digits
        LoneSurrogate,      // \uD800..\uDBFF not followed by \uDC00..\uDFFF, or a lone low half
        InvalidUtf8,        // bytes that are not UTF-8
        TooDeep,            // nested deeper than the limit
    };

    // Where and how a text fails; problem None when it is valid.
    struct Result
    {
        Problem problem = Problem::None;
        qsizetype offset = -1; // byte offset of the first offending byte
        int maxDepth = 0;      // the depth limit the text was checked against

        bool ok() const { return problem == Problem::None; }
        explicit operator bool() const { return ok(); }
        // "invalid JSON at byte 12: lone surrogate escape (\uD800..\uDBFF must be followed by
        // \uDC00..\uDFFF)". Empty when valid.
        QString message() const;
    };

    // Object and array levels allowed, the top level included.
    static constexpr int kDefaultMaxDepth = 512;

    static Result validate(QByteArrayView text, int maxDepth = kDefaultMaxDepth);
    // What a problem means, in words a user can act on.
    static QString describe(Problem problem, int maxDepth = kDefaultMaxDepth);
    // True for the characters that may follow a backslash on their own (RFC 8259 §7); the
    // other valid escape is 'u' with four hex digits.
    static constexpr bool isSimpleEscape(char c)
    {
        switch (c) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            return true;
        default:
            return false;
        }
    }
};

} // namespace dust
