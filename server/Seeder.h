#pragma once

#include <QString>
#include <QtGlobal>

namespace dust::lite {

class StoreDb;

// The device id every seeded op carries.
QString seedDeviceId();

// Fills an empty store with a small, realistic demo: users with names, emails and prefs,
// settings, feature flags, counters (increment ops), sets (add/remove ops), a file, a lease,
// a node that is both a value and a folder, and segments with '/', '~', spaces, dots, unicode
// and numbers that sort naturally. Returns the number of ops written; 0 when the store was
// not empty (nothing is written then), -1 on a storage error.
qint64 seedDemo(StoreDb &db);

// Fills an empty store with `leaves` leaves in a deep, realistic shape (tenants, users,
// orders, logs by date; strings, numbers, booleans, arrays, nulls), written by bulkSet in
// chunks. Returns the number of leaves written; 0 when the store was not empty or `leaves`
// is not positive, -1 on a storage error.
qint64 seedGenerated(StoreDb &db, qint64 leaves);

} // namespace dust::lite
