#pragma once

// SdkTransport options for tests: fast reconnects and short waits, everything else as in
// production unless a test says otherwise.

#include "transport/SdkOptions.h"

#include <QString>
#include <QUrl>

#include <chrono>

namespace dust::test {

inline SdkOptions sdkOptions(const QUrl &url, const QString &token = QStringLiteral("dust_tok_dev"))
{
    using namespace std::chrono_literals;
    SdkOptions o;
    o.url = url;
    o.token = token;
    o.reconnectDelay = 50ms;
    o.maxReconnectDelay = 400ms;
    o.connectTimeout = 5000ms;
    o.readTimeout = 30000ms;
    return o;
}

} // namespace dust::test
