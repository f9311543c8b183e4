#include "exchange/ExportLines.h"

#include "protocol/JsonBytes.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace dust::exportlines {

namespace {

constexpr int kMaxDepth = 512;

QString tr(const char *text)
{
    return QCoreApplication::translate("dust::ExportLines", text);
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// A cursor over one line, with the first problem met.
struct Scan
{
    const char *p;
    const char *begin;
    const char *end;
    QString problem;

    bool fail(const QString &why)
    {
        if (problem.isEmpty())
            problem = why;
        return false;
    }
    bool failAt(const char *what)
    {
        if (p >= end)
            return fail(tr("the line ends early (%1)").arg(QLatin1String(what)));
        return fail(tr("unexpected '%1' at byte %2 (%3)")
                        .arg(QChar::fromLatin1(*p))
                        .arg(p - begin + 1)
                        .arg(QLatin1String(what)));
    }
    void skipSpace()
    {
        while (p < end && isSpace(*p))
            ++p;
    }

    // A string at p (a '"'): its raw text between the quotes, and whether it has escapes.
    bool string(std::string_view &raw, bool &escaped)
    {
        if (p >= end || *p != '"')
            return failAt("a string was expected");
        const char *start = ++p;
        escaped = false;
        while (p < end) {
            const char c = *p;
            if (c == '"') {
                raw = {start, size_t(p - start)};
                ++p;
                return true;
            }
            if (c == '\\') {
                escaped = true;
                p += 2;
                continue;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return failAt("a control character inside a string");
            ++p;
        }
        p = end;
        return failAt("an unterminated string");
    }

    bool literal(std::string_view word)
    {
        if (size_t(end - p) < word.size() || std::string_view(p, word.size()) != word)
            return failAt("not true, false or null");
        p += word.size();
        return true;
    }

    bool number()
    {
        const char *start = p;
        bool digits = false;
        while (p < end) {
            const char c = *p;
            if (c >= '0' && c <= '9')
                digits = true;
            else if (c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E')
                break;
            ++p;
        }
        if (!digits) {
            p = start;
            return failAt("a number was expected");
        }
        return true;
    }

    // Skips one value: its extent only (the writer checks its JSON).
    bool value(int depth = 0)
    {
        if (depth > kMaxDepth)
            return fail(tr("the value is nested deeper than %1 levels").arg(kMaxDepth));
        skipSpace();
        if (p >= end)
            return failAt("a value was expected");
        switch (*p) {
        case '"': {
            std::string_view raw;
            bool escaped = false;
            return string(raw, escaped);
        }
        case '{':
        case '[': {
            const bool object = *p == '{';
            const char close = object ? '}' : ']';
            ++p;
            skipSpace();
            if (p < end && *p == close) {
                ++p;
                return true;
            }
            for (;;) {
                if (object) {
                    skipSpace();
                    std::string_view key;
                    bool escaped = false;
                    if (!string(key, escaped))
                        return false;
                    skipSpace();
                    if (p >= end || *p != ':')
                        return failAt("':' was expected");
                    ++p;
                }
                if (!value(depth + 1))
                    return false;
                skipSpace();
                if (p < end && *p == ',') {
                    ++p;
                    continue;
                }
                if (p < end && *p == close) {
                    ++p;
                    return true;
                }
                return failAt(object ? "',' or '}' was expected" : "',' or ']' was expected");
            }
        }
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return number();
        }
    }
};

} // namespace

Expected<Header, QString> parseHeader(QByteArrayView line)
{
    using Failed = Expected<Header, QString>;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return Failed::failure(tr("the first line is not a JSON object (%1)")
                                   .arg(error.error != QJsonParseError::NoError
                                            ? error.errorString()
                                            : tr("another JSON value")));
    const QJsonObject object = doc.object();
    if (object.value(QLatin1String("_header")) != QJsonValue(true))
        return Failed::failure(tr("the first line is not the export's header (no \"_header\")"));
    const QJsonValue seq = object.value(QLatin1String("seq"));
    const QJsonValue count = object.value(QLatin1String("entry_count"));
    if (!seq.isDouble() || seq.toInteger(-1) < 0)
        return Failed::failure(tr("the header has no store seq"));
    if (!count.isDouble() || count.toInteger(-1) < 0)
        return Failed::failure(tr("the header has no entry_count"));
    Header header;
    header.store = object.value(QLatin1String("store")).toString();
    header.seq = seq.toInteger();
    header.entryCount = count.toInteger();
    header.exportedAt = object.value(QLatin1String("exported_at")).toString();
    return header;
}

Expected<Leaf, QString> parseLeaf(std::string_view line, QByteArray &pathScratch,
                                  QByteArray &typeScratch)
{
    using Failed = Expected<Leaf, QString>;
    Scan scan{line.data(), line.data(), line.data() + line.size(), {}};
    Leaf leaf;
    bool hasPath = false;
    bool hasType = false;
    bool hasValue = false;

    auto text = [&](std::string_view &out, QByteArray &scratch, const char *key) {
        std::string_view raw;
        bool escaped = false;
        if (scan.p >= scan.end || *scan.p != '"')
            return scan.fail(tr("\"%1\" is not a string").arg(QLatin1String(key)));
        if (!scan.string(raw, escaped))
            return false;
        if (!escaped) {
            out = raw;
            return true;
        }
        if (!jsonbytes::decodeString(raw, scratch))
            return scan.fail(tr("\"%1\" has an invalid escape").arg(QLatin1String(key)));
        out = {scratch.constData(), size_t(scratch.size())};
        return true;
    };

    scan.skipSpace();
    if (scan.p >= scan.end || *scan.p != '{')
        return Failed::failure(tr("not a JSON object"));
    ++scan.p;
    scan.skipSpace();
    bool ok = true;
    if (scan.p < scan.end && *scan.p == '}') {
        ++scan.p;
    } else {
        while (ok) {
            scan.skipSpace();
            std::string_view key;
            bool escaped = false;
            if (!scan.string(key, escaped))
                break;
            scan.skipSpace();
            if (scan.p >= scan.end || *scan.p != ':') {
                ok = scan.failAt("':' was expected");
                break;
            }
            ++scan.p;
            scan.skipSpace();
            if (key == "path") {
                ok = text(leaf.path, pathScratch, "path");
                hasPath = true;
            } else if (key == "type") {
                ok = text(leaf.type, typeScratch, "type");
                hasType = true;
            } else if (key == "value") {
                const char *start = scan.p;
                ok = scan.value();
                leaf.value = {start, size_t(scan.p - start)};
                hasValue = true;
            } else if (key == "revision") {
                const char *start = scan.p;
                ok = scan.number();
                if (ok)
                    leaf.revision = QByteArrayView(start, scan.p - start).toLongLong(&ok);
                if (!ok)
                    scan.fail(tr("\"revision\" is not an integer"));
            } else {
                ok = scan.value();
            }
            if (!ok)
                break;
            scan.skipSpace();
            if (scan.p < scan.end && *scan.p == ',') {
                ++scan.p;
                continue;
            }
            if (scan.p < scan.end && *scan.p == '}') {
                ++scan.p;
                break;
            }
            ok = scan.failAt("',' or '}' was expected");
        }
    }
    if (!scan.problem.isEmpty())
        return Failed::failure(scan.problem);
    scan.skipSpace();
    if (scan.p != scan.end)
        return Failed::failure(tr("more after the object at byte %1").arg(scan.p - scan.begin + 1));
    if (!hasPath)
        return Failed::failure(tr("no \"path\""));
    if (leaf.path.empty())
        return Failed::failure(tr("an empty \"path\""));
    if (!hasType)
        return Failed::failure(tr("no \"type\""));
    if (!hasValue)
        return Failed::failure(tr("no \"value\""));
    return leaf;
}

} // namespace dust::exportlines
