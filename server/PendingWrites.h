#pragma once

#include "StoreWrite.h"

#include <QList>

#include <deque>
#include <functional>
#include <mutex>

namespace dust::lite {

// The writes to one store waiting for a pool thread to commit them (StoreRegistry::write):
// the server's thread puts each one in with what to call when it is answered, and the pool
// thread that gets the store's write lock takes every one waiting, to commit them together
// (StoreDb::writeGroupWith). Thread-safe; first in, first out.
class PendingWrites
{
public:
    using Done = std::function<void(const WriteResult &result)>;
    struct Write
    {
        GroupedWrite write;
        Done done;
    };

    void push(Write write);
    // The oldest waiting writes, at most `max` of them, taken out; empty when none waits.
    QList<Write> take(qsizetype max);
    qsizetype size() const;

private:
    mutable std::mutex m_lock;
    std::deque<Write> m_writes;
};

} // namespace dust::lite
