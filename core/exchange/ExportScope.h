#pragma once

#include "protocol/Path.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <string_view>

namespace dust {

// What an export covers: the whole store, one path (its leaf and everything below), or a
// selection of paths. Kept normalised: sorted by rendered path, no path below another.
class ExportScope
{
public:
    ExportScope() = default; // the whole store
    explicit ExportScope(const Path &path);
    explicit ExportScope(QList<Path> paths); // invalid paths are dropped

    bool isWholeStore() const { return m_paths.isEmpty(); }
    const QList<Path> &paths() const { return m_paths; }
    // The path the nested format is relative to: the one path, else empty (the root).
    QString basePath() const;
    // Whether the leaf at `rendered` is exported.
    bool contains(std::string_view rendered) const;
    // Whether listing the paths one after the other would not give one path order: a path
    // lies between another one and its descendants ("a" < "a-b" < "a/x").
    bool interleaves() const;
    // "the whole store", "a/b", "3 paths" (for messages).
    QString describe() const;

private:
    QList<Path> m_paths;
    QList<QByteArray> m_rendered; // UTF-8, same order
};

} // namespace dust
