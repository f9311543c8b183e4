#pragma once

#include "exchange/ExchangeFormat.h"
#include "exchange/ExportOutcome.h"
#include "exchange/ExportScope.h"

class QIODevice;

namespace dust {

class Mirror;
struct ExportProgress;

// An export read from a store's live mirror, on the mirror's thread (SdkTransport's sync
// thread, through withMirror), so every leaf is read at one store_seq: the mirror cannot
// change while it runs. The leaves are visited in place and formatted straight into the
// device's buffer; none is copied out. The sync thread is busy for the duration (about a
// second per 100 MB); other stores' events wait meanwhile.
class MirrorExport
{
public:
    static ExportOutcome run(const Mirror &mirror, const QString &store, const ExportScope &scope,
                             ExchangeFormat format, QIODevice *device, ExportProgress &progress);
};

} // namespace dust
