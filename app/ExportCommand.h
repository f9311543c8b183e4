#pragma once

#include <QStringList>

namespace dust {

// `dust-browser export ...`: the headless export (no display needed). `arguments` are the
// whole command line (program name, "export", options...). Returns the process exit code:
// 0 done, 1 failed, 2 usage error. Needs a QCoreApplication.
int runExportCommand(const QStringList &arguments);

} // namespace dust
