#include "MirrorChangeBatch.h"

namespace dust {

MirrorChangeBatch::MirrorChangeBatch()
    : d(std::make_shared<const Data>())
{}

MirrorChangeBatch::MirrorChangeBatch(qint64 firstSeq, qint64 lastSeq,
                                     QList<MirrorLeafChange> changes, QList<MirrorEventInfo> events)
    : d(std::make_shared<const Data>(
          Data{firstSeq, lastSeq, std::move(changes), std::move(events)}))
{}

} // namespace dust
