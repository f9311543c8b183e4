#include "LiveStoreSource.h"

namespace dust {

LiveStoreSource::~LiveStoreSource() = default;

} // namespace dust
