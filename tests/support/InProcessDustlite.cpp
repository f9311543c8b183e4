#include "InProcessDustlite.h"

#include "StoreRegistry.h"

namespace dust::test {

InProcessDustlite::InProcessDustlite()
    : m_config(testConfig())
{}

InProcessDustlite::~InProcessDustlite()
{
    stop();
}

lite::ServerConfig InProcessDustlite::testConfig()
{
    lite::ServerConfig config;
    config.listen = QHostAddress::LocalHost;
    config.port = 0;
    config.inMemory = true;
    // dustlite has no fixed default token (it generates one); the suites use this one.
    config.tokens = {{QStringLiteral("dust_tok_dev"), {}, {}}};
    return config;
}

bool InProcessDustlite::start()
{
    const auto started = m_server.start(m_config);
    if (!started) {
        m_error = started.error();
        return false;
    }
    return true;
}

void InProcessDustlite::stop()
{
    m_server.stop();
}

lite::StoreDb *InProcessDustlite::store(const QString &fullName)
{
    lite::StoreRegistry *registry = m_server.registry();
    return registry ? registry->find(fullName) : nullptr;
}

} // namespace dust::test
