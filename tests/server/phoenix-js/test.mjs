// Talks to a dustlite with the official Phoenix JavaScript client: connects, sees a
// heartbeat reply, joins a store, pushes a write, receives the event before the ok reply,
// checks an error reply, leaves. Exits 0 on success, 1 with a message otherwise.
//
//   node test.mjs WS_URL [TOKEN] [STORE]
//   WS_URL  e.g. ws://127.0.0.1:7755/ws/sync (or DUSTLITE_WS_URL)
//   TOKEN   default dust_tok_dev (or DUSTLITE_TOKEN)
//   STORE   default local/demo (or DUSTLITE_STORE)
import { Socket } from "phoenix";
import WebSocket from "ws";

const url = process.argv[2] || process.env.DUSTLITE_WS_URL;
const token = process.argv[3] || process.env.DUSTLITE_TOKEN || "dust_tok_dev";
const store = process.argv[4] || process.env.DUSTLITE_STORE || "local/demo";
const timeoutMs = Number(process.env.DUSTLITE_JS_TIMEOUT_MS || 20000);

if (!url) {
  console.error("usage: node test.mjs WS_URL [TOKEN] [STORE]");
  process.exit(2);
}

let socket;
function finish(code, message) {
  if (message) (code === 0 ? console.log : console.error)(message);
  if (socket) socket.disconnect();
  process.exit(code);
}
function fail(message) {
  finish(1, `FAIL: ${message}`);
}
function expect(condition, message) {
  if (!condition) fail(message);
}

const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms; state: ${JSON.stringify(state)}`), timeoutMs);

const state = {
  heartbeatOk: false,
  joined: false,
  caughtUp: false,
  eventSeen: false,
  writeOk: false,
  errorReplyOk: false,
  left: false,
};
const clientOpId = `op_js_${process.pid}_${Date.now()}`;
let event = null;

function maybeDone() {
  if (Object.values(state).every(Boolean)) {
    clearTimeout(timer);
    finish(0, "OK: phoenix.js joined, wrote, received the event, the replies and a heartbeat reply");
  }
}

socket = new Socket(url, {
  transport: WebSocket,
  params: { token, device_id: "dev_phoenix_js", capver: 3 },
  heartbeatIntervalMs: 250,
  reconnectAfterMs: () => 60000,
  rejoinAfterMs: () => 60000,
});
socket.onError((error) => fail(`socket error: ${error && (error.message || error.type || error)}`));
socket.onClose((event) => {
  if (!Object.values(state).every(Boolean))
    fail(`socket closed early: code ${event && event.code} ${event && event.reason}`);
});
socket.onMessage((message) => {
  if (message.topic === "phoenix" && message.event === "phx_reply" && message.payload.status === "ok") {
    state.heartbeatOk = true;
    maybeDone();
  }
});
socket.connect();

const channel = socket.channel(`store:${store}`, { last_store_seq: 0 });
channel.on("event", (payload) => {
  if (payload.client_op_id === clientOpId) {
    expect(!state.writeOk, "the event arrived after the write's reply");
    expect(payload.op === "set", `event op ${payload.op}`);
    expect(payload.path === "phoenix-js/check~1slash", `event path ${payload.path}`);
    expect(JSON.stringify(payload.path_segments) === JSON.stringify(["phoenix-js", "check/slash"]),
      `event path_segments ${JSON.stringify(payload.path_segments)}`);
    expect(payload.value && payload.value.hello === "from phoenix.js", `event value ${JSON.stringify(payload.value)}`);
    expect(payload.device_id === "dev_phoenix_js", `event device_id ${payload.device_id}`);
    event = payload;
    state.eventSeen = true;
  }
});
channel.on("catch_up_complete", (payload) => {
  expect(typeof payload.through_seq === "number", `through_seq ${JSON.stringify(payload)}`);
  state.caughtUp = true;
  write();
});

channel
  .join()
  .receive("ok", (reply) => {
    expect(typeof reply.store_seq === "number", `join reply store_seq: ${JSON.stringify(reply)}`);
    expect(reply.capver === 3 && reply.capver_min === 3, `join reply capver: ${JSON.stringify(reply)}`);
    expect(reply.permissions && reply.permissions.write === true, `join reply permissions: ${JSON.stringify(reply)}`);
    state.joined = true;
  })
  .receive("error", (reply) => fail(`join refused: ${JSON.stringify(reply)}`))
  .receive("timeout", () => fail("join timed out"));

function write() {
  channel
    .push("write", {
      op: "set",
      path: "phoenix-js/check~1slash",
      path_segments: ["phoenix-js", "check/slash"],
      value: { hello: "from phoenix.js" },
      client_op_id: clientOpId,
    })
    .receive("ok", (reply) => {
      expect(state.eventSeen, "the write's reply came before its event");
      expect(reply.store_seq === event.store_seq, `reply ${JSON.stringify(reply)} vs event ${event.store_seq}`);
      state.writeOk = true;
      badWrite();
    })
    .receive("error", (reply) => fail(`write refused: ${JSON.stringify(reply)}`))
    .receive("timeout", () => fail("write timed out"));
}

function badWrite() {
  channel
    .push("write", { op: "frobnicate", path: "x", client_op_id: `${clientOpId}_bad` })
    .receive("ok", (reply) => fail(`an invalid op was accepted: ${JSON.stringify(reply)}`))
    .receive("error", (reply) => {
      expect(reply.reason === "invalid op", `error reply ${JSON.stringify(reply)}`);
      state.errorReplyOk = true;
      leave();
    })
    .receive("timeout", () => fail("invalid write timed out"));
}

function leave() {
  channel
    .leave()
    .receive("ok", () => {
      state.left = true;
      maybeDone();
    })
    .receive("timeout", () => fail("leave timed out"));
}
