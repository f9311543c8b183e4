#pragma once

// The seed of a randomized test. Each run draws a fresh one unless DUST_TEST_SEED=<seed> is
// set, which replays that run; either way the seed is printed before it is used, so the log
// of a failing run says how to replay it.

#include <QtGlobal>

namespace dust::test {

quint32 testSeed();

} // namespace dust::test
