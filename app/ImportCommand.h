#pragma once

#include <QStringList>

namespace dust {

// `dust-browser import ...`: the headless import (no display needed). `arguments` are the
// whole command line (program name, "import", options...). Returns the process exit code:
// 0 done, 1 failed, 2 usage error. Needs a QCoreApplication.
int runImportCommand(const QStringList &arguments);

} // namespace dust
