#pragma once

// Helpers shared by the WebSocket suites: a SyncEndpoint behind a plain QWebSocketServer on
// 127.0.0.1 port 0 (the WebSocket side without the HTTP server), a small Phoenix V2 client
// over a real QWebSocket that records every frame it receives, and the fixture most tests
// start from: a client already joined to a store (WsServer::joined).

#include "WsClient.h"
#include "WsFrames.h"
#include "WsServer.h"
