/**
 * The raw WebSocket sink of `npm run bench`'s limits (run as its own process, like the broker): a
 * `Bun.serve` WebSocket server on 127.0.0.1 with no broker logic that counts the bytes of the binary
 * messages it receives and, every {@link ACK_EVERY} bytes, answers with the running count as a text
 * message (the client's flow control). Prints `listening <port>` once ready.
 *
 * @example
 * ```sh
 * bun bench/run/ws-sink.ts    # listening 38211
 * ```
 * @module
 */

/** Bytes between two acknowledgements. */
const ACK_EVERY = 256 * 1024;

interface SinkState {
  bytes: number;
  acked: number;
}

const server = Bun.serve<SinkState>({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request, srv) {
    if (srv.upgrade(request, { data: { bytes: 0, acked: 0 } })) return undefined;
    return new Response("WebSocket only", { status: 400 });
  },
  websocket: {
    maxPayloadLength: 16 * 1024 * 1024,
    message(ws, message) {
      const state = ws.data;
      state.bytes += typeof message === "string" ? message.length : message.byteLength;
      if (state.bytes - state.acked >= ACK_EVERY) {
        state.acked = state.bytes;
        ws.send(String(state.bytes));
      }
    },
  },
});
console.log(`listening ${server.port}`);
