// Glob compilation from arbitrary text, and matching against arbitrary paths. The input is
// "pattern\npath".

#include "FuzzCheck.h"

#include "protocol/Glob.h"
#include "protocol/Path.h"

#include <QByteArrayView>
#include <QString>

#include <cstddef>
#include <cstdint>

using dust::Glob;
using dust::Path;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QString input =
        QString::fromUtf8(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    const qsizetype newline = input.indexOf(QLatin1Char('\n'));
    const QString patternText = newline < 0 ? input : input.left(newline);
    const QString pathText = newline < 0 ? QString() : input.mid(newline + 1);

    const auto glob = Glob::compile(patternText);
    const auto patternAsPath = Path::parse(patternText);
    if (!glob) {
        if (patternAsPath)
            FUZZ_CHECK(glob.error() == dust::GlobError::WildcardManyNotTail);
        return 0;
    }
    FUZZ_CHECK(patternAsPath.hasValue());
    FUZZ_CHECK(glob->isValid());
    FUZZ_CHECK(glob->pattern() == patternText);
    FUZZ_CHECK(glob->segments().size() == patternAsPath->depth());
    FUZZ_CHECK(!glob->matches(QStringList()));

    const QStringList prefix = glob->literalPrefix();
    FUZZ_CHECK(prefix.size() <= glob->segments().size());

    QStringList literals;
    for (const Glob::Segment &s : glob->segments()) {
        if (s.kind != Glob::Kind::Literal)
            break;
        literals.append(s.literal);
    }
    if (glob->isExact()) {
        FUZZ_CHECK(literals.size() == glob->segments().size());
        FUZZ_CHECK(glob->matches(literals));
    }

    const auto path = Path::parse(pathText);
    if (path && glob->matches(*path)) {
        // A match starts with the literal prefix and has the right length.
        FUZZ_CHECK(path->segments().first(prefix.size()) == prefix);
        if (glob->endsWithMany())
            FUZZ_CHECK(path->depth() >= glob->segments().size());
        else
            FUZZ_CHECK(path->depth() == glob->segments().size());
    }
    return 0;
}
