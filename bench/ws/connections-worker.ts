/**
 * A child process of the WebSocket bench that opens many idle connections: each connects, sends
 * `hello` and waits for its reply, a bounded number at a time. When all are up it prints one line
 * `connected <ok> failed <failed> in <ms> ms` and then holds them open until it is killed.
 *
 * @example
 * ```sh
 * bash -c 'ulimit -n 65536; exec bun bench/ws/connections-worker.ts ws://127.0.0.1:9092 5000'
 * ```
 * @module
 */
import process from "node:process";
import { decodeFrame, encodeFrame } from "../../src/protocol/frame-codec.ts";

const [url, countText, concurrencyText] = process.argv.slice(2);
const count = Number(countText);
const concurrency = Number(concurrencyText ?? 200);
if (url === undefined || !(count > 0)) {
  console.error("usage: connections-worker.ts <ws url> <count> [concurrency]");
  process.exit(2);
}

const hello = encodeFrame({ id: 1, op: "hello", versions: [1], clientId: "edgelog-bench-idle" }, "cbor");
const sockets: WebSocket[] = [];

/** Opens one connection and says hello; resolves true once the hello reply arrived. */
function connectOne(): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url!, "edgelog.v1");
    ws.binaryType = "arraybuffer";
    let settled = false;
    const settle = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      if (ok) sockets.push(ws);
      else ws.close();
      resolve(ok);
    };
    ws.onopen = () => ws.send(hello);
    ws.onmessage = (event: MessageEvent) => {
      const reply = decodeFrame(new Uint8Array(event.data as ArrayBuffer)) as Record<string, unknown>;
      settle(reply["id"] === 1 && reply["error"] === undefined);
    };
    ws.onerror = () => settle(false);
    ws.onclose = () => settle(false);
  });
}

const started = performance.now();
let next = 0;
let ok = 0;
let failed = 0;
async function lane(): Promise<void> {
  while (next < count) {
    next++;
    let connected = false;
    for (let attempt = 0; attempt < 3 && !connected; attempt++) connected = await connectOne();
    if (connected) ok++;
    else failed++;
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
console.log(`connected ${ok} failed ${failed} in ${Math.round(performance.now() - started)} ms`);
// Hold the connections until killed.
setInterval(() => {}, 60_000);
