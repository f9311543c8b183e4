// Writes a burst of changes to a store over the WebSocket, as another client would: for the
// change-log screenshot and for trying the window under a flood by hand.
//
//   node tools/burst.mjs WS_URL TOKEN [STORE] [WRITES] [PER_SECOND]
//   e.g. node tools/burst.mjs ws://127.0.0.1:7755/ws/sync dust_tok_… local/demo 20000 2000
//
// Uses the Phoenix client installed for the tests (tests/server/phoenix-js: npm ci there).
import { createRequire } from "module";
const require = createRequire(new URL("../tests/server/phoenix-js/package.json", import.meta.url));
const { Socket } = require("phoenix");
const WebSocket = require("ws");

const [url, token, store = "local/demo", writesArg = "20000", rateArg = "2000"] = process.argv.slice(2);
if (!url || !token) {
  console.error("usage: node tools/burst.mjs WS_URL TOKEN [STORE] [WRITES] [PER_SECOND]");
  process.exit(2);
}
const writes = Number(writesArg);
const perSecond = Number(rateArg);
const socket = new Socket(url, {
  transport: WebSocket,
  params: { token, device_id: `dev_burst_${process.pid}`, capver: 3 },
});
socket.connect();
const channel = socket.channel(`store:${store}`, { last_store_seq: 0 });
let sent = 0;
let acked = 0;
channel.join().receive("ok", () => {
  const tick = 20; // ms
  const perTick = Math.max(1, Math.round((perSecond * tick) / 1000));
  const timer = setInterval(() => {
    for (let i = 0; i < perTick && sent < writes; ++i, ++sent) {
      const sensor = `s${sent % 40}`;
      channel
        .push("write", {
          op: "set",
          path: `sensors/${sensor}/reading`,
          path_segments: ["sensors", sensor, "reading"],
          value: Math.round(Math.random() * 1000) / 10,
          client_op_id: `burst_${process.pid}_${sent}`,
        })
        .receive("ok", () => {
          if (++acked === writes) {
            console.log(`${acked} writes acknowledged`);
            socket.disconnect();
            process.exit(0);
          }
        })
        .receive("error", (reply) => console.error("refused:", JSON.stringify(reply)));
    }
    if (sent >= writes) clearInterval(timer);
  }, tick);
}).receive("error", (reply) => {
  console.error("join refused:", JSON.stringify(reply));
  process.exit(1);
});
