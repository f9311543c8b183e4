#include "TestSeed.h"

#include <QRandomGenerator>
#include <QString>

namespace dust::test {

quint32 testSeed()
{
    bool fromEnvironment = false;
    const quint32 replayed = qEnvironmentVariable("DUST_TEST_SEED").toUInt(&fromEnvironment);
    const quint32 seed = fromEnvironment ? replayed : QRandomGenerator::global()->generate();
    qInfo("random seed %u (set DUST_TEST_SEED=%u to replay)", seed, seed);
    return seed;
}

} // namespace dust::test
