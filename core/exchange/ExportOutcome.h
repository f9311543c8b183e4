#pragma once

#include <QString>

namespace dust {

// How an export ended, as the thread that wrote it saw it.
struct ExportOutcome
{
    bool ok = false;
    bool cancelled = false;
    QString error;   // what failed, in words, when !ok
    QString warning; // something the user should know although it worked
    qint64 seq = 0;  // the store_seq the leaves are consistent at (0: not known)
    qint64 leaves = 0;
    qint64 bytes = 0;
    qint64 droppedValues = 0;      // nested: values of nodes that are also folders
    qint64 droppedDescendants = 0; // nested: leaves below a base that holds a value
    bool streamed = false;         // over REST, read from the server's /export stream (not paged)
};

} // namespace dust
