// Path parsing from arbitrary text and from arbitrary URL bytes.

#include "FuzzCheck.h"

#include "protocol/Glob.h"
#include "protocol/Path.h"

#include <QByteArrayView>
#include <QString>

#include <cstddef>
#include <cstdint>

using dust::Path;

namespace {

void checkValid(const Path &path)
{
    FUZZ_CHECK(path.isValid());
    FUZZ_CHECK(!path.rendered().isEmpty());
    const auto again = Path::parse(path.rendered());
    FUZZ_CHECK(again.hasValue());
    FUZZ_CHECK(again->segments() == path.segments());
    const auto built = Path::fromSegments(path.segments());
    FUZZ_CHECK(built.hasValue() && *built == path);
    for (const QString &segment : path.segments()) {
        FUZZ_CHECK(!segment.isEmpty());
        const auto back = Path::unescapeSegment(Path::escapeSegment(segment));
        FUZZ_CHECK(back.hasValue() && *back == segment);
    }
    if (path.depth() > 1) {
        FUZZ_CHECK(path.parent().isAncestorOf(path));
        FUZZ_CHECK(path.parent().child(path.lastSegment()) == path);
    }
    FUZZ_CHECK(!path.isAncestorOf(path));
    // A path travels through a URL unchanged when its text has a UTF-8 form.
    if (path.rendered().isValidUtf16()) {
        const QByteArray url = path.urlEncoded();
        FUZZ_CHECK(!url.contains("%2F") && !url.contains('+') && !url.contains(' '));
        const auto decoded = Path::fromUrlEncoded(url);
        FUZZ_CHECK(decoded.hasValue() && *decoded == path);
    }
    // Every path compiles as a glob pattern unless it uses `**` before the end.
    const auto glob = dust::Glob::compile(path.rendered());
    if (!glob)
        FUZZ_CHECK(glob.error() == dust::GlobError::WildcardManyNotTail);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    const QString text = QString::fromUtf8(bytes);
    const auto parsed = Path::parse(text);
    if (parsed) {
        FUZZ_CHECK(parsed->rendered() == text);
        checkValid(*parsed);
    } else {
        FUZZ_CHECK(!dust::Glob::compile(text).hasValue());
    }

    const auto fromUrl = Path::fromUrlEncoded(bytes);
    if (fromUrl)
        checkValid(*fromUrl);
    return 0;
}
