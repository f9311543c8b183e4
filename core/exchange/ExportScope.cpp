#include "exchange/ExportScope.h"

#include <QCoreApplication>

#include <algorithm>

namespace dust {

namespace {

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() && text.substr(0, prefix.size()) == prefix;
}

std::string_view view(const QByteArray &bytes)
{
    return {bytes.constData(), size_t(bytes.size())};
}

} // namespace

ExportScope::ExportScope(const Path &path)
    : ExportScope(QList<Path>{path})
{}

ExportScope::ExportScope(QList<Path> paths)
{
    paths.removeIf([](const Path &path) { return !path.isValid(); });
    std::sort(paths.begin(), paths.end(), [](const Path &a, const Path &b) {
        return a.rendered().toUtf8() < b.rendered().toUtf8();
    });
    for (const Path &path : std::as_const(paths)) {
        const bool covered = std::any_of(m_paths.cbegin(), m_paths.cend(), [&](const Path &kept) {
            return kept.isSelfOrAncestorOf(path);
        });
        if (covered)
            continue;
        m_paths.append(path);
        m_rendered.append(path.rendered().toUtf8());
    }
}

QString ExportScope::basePath() const
{
    return m_paths.size() == 1 ? m_paths.first().rendered() : QString();
}

bool ExportScope::contains(std::string_view rendered) const
{
    if (m_paths.isEmpty())
        return true;
    for (const QByteArray &base : m_rendered) {
        const std::string_view b = view(base);
        if (startsWith(rendered, b) && (rendered.size() == b.size() || rendered[b.size()] == '/'))
            return true;
    }
    return false;
}

bool ExportScope::interleaves() const
{
    for (qsizetype i = 0; i + 1 < m_rendered.size(); ++i) {
        const std::string_view a = view(m_rendered[i]);
        const std::string_view b = view(m_rendered[i + 1]);
        if (startsWith(b, a) && b.size() > a.size() &&
            static_cast<unsigned char>(b[a.size()]) < '/')
            return true;
    }
    return false;
}

QString ExportScope::describe() const
{
    if (m_paths.isEmpty())
        return QCoreApplication::translate("dust::ExportScope", "the whole store");
    if (m_paths.size() == 1)
        return m_paths.first().rendered();
    return QCoreApplication::translate("dust::ExportScope", "%n paths", nullptr,
                                       int(m_paths.size()));
}

} // namespace dust
