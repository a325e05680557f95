/// <reference path="./bun.d.ts" />
/**
 * Serves a broker with `Bun.serve`. WebSocket upgrades on `/` go straight to Bun's native handlers
 * (open/message/drain/close), which feed `broker.openSession`; every other request goes to
 * `broker.app.fetch`. Hono's WebSocket helper is left out of this path on purpose: it wraps every
 * message in an event object and a context, which costs CPU on Bun's hot path.
 *
 * - Bun closes a connection whose message is larger than `broker.maxFrameBytes` with 1009.
 * - Backpressure: `bufferedAmount()` is `ws.getBufferedAmount()`; Bun's `drain` becomes `onDrain`.
 *   Bun's own backpressure limit (16 MiB by default, above which it drops messages) is lifted, so
 *   that the broker alone decides when to stop sending.
 * - Pings: Bun pings a connection that has been silent for about
 *   `edgelog.websocket.ping.interval.ms` and closes it when it stays silent for the whole interval.
 *
 * The reference directive above lets `deno check` and `deno compile` see `bun.d.ts` too.
 *
 * @example
 * ```ts
 * const server = serveBun(broker, { hostname: "127.0.0.1", port: 9092 });
 * console.log(server.url); // "ws://127.0.0.1:9092"
 * ```
 * @module
 */
import type { SessionHandlers } from "../../server/session-socket.ts";
import { classifyUpgrade, closeReason, listenerUrl, type RunningServer, type ServeOptions, type ServedBroker } from "../serve-options.ts";

/** What each Bun WebSocket carries: its session's handlers, from `open` until `close`. */
interface SocketData {
  handlers: SessionHandlers | undefined;
}

/** The most Bun may hold for one socket before dropping messages: effectively no limit. */
const NO_BACKPRESSURE_LIMIT = 2 ** 32 - 1;
/** Bun's WebSocket idle timeout must lie in 0..960 seconds, and uWS counts in steps of 4. */
const MAX_IDLE_TIMEOUT_S = 960;
const MIN_IDLE_TIMEOUT_S = 8;

/**
 * Starts serving `broker` on Bun and returns the listening server; throws when the port is taken.
 *
 * @example
 * ```ts
 * const server = serveBun(broker, { hostname: "0.0.0.0", port: 0 });
 * console.log(`listening on port ${server.port}`);
 * await broker.close();
 * await server.close();
 * ```
 */
export function serveBun(broker: ServedBroker, options: ServeOptions): RunningServer {
  const pingMs = broker.config.websocketPingIntervalMs;
  const idleTimeout = pingMs === 0 ? 0 : Math.min(MAX_IDLE_TIMEOUT_S, Math.max(MIN_IDLE_TIMEOUT_S, Math.ceil(pingMs / 1000)));
  const server = Bun.serve<SocketData>({
    hostname: options.hostname,
    port: options.port,
    ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
    fetch(request, srv) {
      const decision = classifyUpgrade(
        pathOf(request.url),
        request.headers.get("upgrade"),
        request.headers.get("sec-websocket-protocol"),
      );
      if (decision.kind === "http") return broker.app.fetch(request);
      if (decision.kind === "reject") return new Response(decision.message, { status: decision.status });
      const data: SocketData = { handlers: undefined };
      const upgraded = srv.upgrade(request, {
        data,
        ...(decision.protocol ? { headers: { "Sec-WebSocket-Protocol": decision.protocol } } : {}),
      });
      return upgraded ? undefined : new Response("WebSocket upgrade failed", { status: 400 });
    },
    websocket: {
      maxPayloadLength: broker.maxFrameBytes,
      backpressureLimit: NO_BACKPRESSURE_LIMIT,
      closeOnBackpressureLimit: false,
      idleTimeout,
      sendPings: idleTimeout > 0,
      perMessageDeflate: false,
      open(ws) {
        ws.data.handlers = broker.openSession(
          {
            send(data) {
              ws.send(data);
            },
            bufferedAmount: () => ws.getBufferedAmount(),
            close(code, reason) {
              ws.close(code, closeReason(reason));
            },
          },
          { remoteAddress: ws.remoteAddress },
        );
      },
      message(ws, message) {
        // Bun hands binary messages over as a Buffer; the broker gets a plain Uint8Array view of it
        ws.data.handlers?.onMessage(
          typeof message === "string" ? message : new Uint8Array(message.buffer, message.byteOffset, message.byteLength),
        );
      },
      drain(ws) {
        ws.data.handlers?.onDrain();
      },
      close(ws, code) {
        const handlers = ws.data.handlers;
        ws.data.handlers = undefined;
        handlers?.onClose(code);
      },
    },
  });
  const url = listenerUrl(options.tls !== undefined, options.hostname, server.port);
  let closing: Promise<void> | undefined;
  return {
    port: server.port,
    url,
    close() {
      closing ??= server.stop(true);
      return closing;
    },
  };
}

/** The path of a request URL without parsing it as a whole `URL`. */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const end = url.indexOf("?", start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}
