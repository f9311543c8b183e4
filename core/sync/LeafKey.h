#pragma once

#include "protocol/JsonBytes.h"
#include "protocol/Path.h"

#include <QByteArrayView>
#include <QString>

#include <string_view>

namespace dust::leafkey {

// A leaf's key in the Mirror's LeafTable is its rendered path as UTF-8 bytes; these convert
// between the byte views Qt and the table use, and from a key to its Path.

inline std::string_view view(QByteArrayView bytes)
{
    return {bytes.data(), size_t(bytes.size())};
}

inline QByteArrayView bytes(std::string_view key)
{
    return QByteArrayView(key.data(), qsizetype(key.size()));
}

// The Path of a rendered key; an invalid Path for bytes that do not parse.
inline Path toPath(std::string_view rendered)
{
    auto parsed = Path::parse(
        jsonbytes::textFromUtf8(QByteArrayView(rendered.data(), qsizetype(rendered.size()))));
    return parsed ? *parsed : Path();
}

} // namespace dust::leafkey
