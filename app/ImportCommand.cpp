#include "ImportCommand.h"

#include <cstdio>

namespace dust {

int runImportCommand(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    std::fprintf(stderr, "dust-browser import: not built yet\n");
    return 1;
}

} // namespace dust
