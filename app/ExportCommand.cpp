#include "ExportCommand.h"

#include <cstdio>

namespace dust {

int runExportCommand(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    std::fprintf(stderr, "dust-browser export: not built yet\n");
    return 1;
}

} // namespace dust
