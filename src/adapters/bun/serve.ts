/// <reference path="./bun.d.ts" />
/**
 * Serves a broker with `Bun.serve`. WebSocket upgrades on `/` go straight to Bun's native handlers
 * (open/message/drain/close), which feed `broker.openSession`; every other request goes to
 * `broker.app.fetch`. Hono's WebSocket helper is left out of this path on purpose: it wraps every
 * message in an event object and a context, which costs CPU on Bun's hot path.
 *
 * - Bun closes a connection whose message is larger than `broker.maxFrameBytes` with 1009.
 * - Output: small messages sent during one turn of the event loop are written together, corked, at
 *   the end of the turn (one system call instead of one per reply; see `TurnOutput`). Bun copies
 *   what it sends before `send` returns, so the socket offers `sendCopied` and the session encodes
 *   into memory it reuses.
 * - Backpressure: `bufferedAmount()` is `ws.getBufferedAmount()` plus what the turn still holds;
 *   Bun's `drain` becomes `onDrain`. Bun's own backpressure limit (16 MiB by default, above which it
 *   drops messages) is lifted, so that the broker alone decides when to stop sending.
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
import { CLOSE_CODES, type SessionHandlers } from "../../server/session-socket.ts";
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
        // plain Uint8Arrays, which the broker reads as they are (a Buffer would need a view made of it)
        ws.binaryType = "uint8array";
        const output = new TurnOutput(ws);
        ws.data.handlers = broker.openSession(
          {
            send: (data) => output.send(data),
            sendCopied: (data) => output.sendCopied(data),
            bufferedAmount: () => ws.getBufferedAmount() + output.queuedBytes,
            close(code, reason) {
              output.flush();
              ws.close(code, closeReason(reason));
            },
          },
          { remoteAddress: ws.remoteAddress },
        );
      },
      message(ws, message) {
        // binary messages come as plain Uint8Arrays (binaryType above); anything else gets a plain view
        ws.data.handlers?.onMessage(
          typeof message === "string" || message.constructor === Uint8Array ? message : new Uint8Array(message.buffer, message.byteOffset, message.byteLength),
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

/** Messages at least this large are written at once: corking gains nothing for them. */
const DIRECT_SEND_BYTES = 16 * 1024;

/** Sockets with small messages queued during this turn of the event loop. */
const queuedOutputs = new Set<TurnOutput>();
let flushScheduled = false;

function flushQueuedOutputs(): void {
  flushScheduled = false;
  const outputs = [...queuedOutputs];
  queuedOutputs.clear();
  for (const output of outputs) output.flush();
}

/**
 * One socket's output. Small messages (replies, pushes of a few records) sent during a turn of the
 * event loop are queued and written together, corked, once the turn's callbacks have run
 * (setImmediate): one write instead of one per message. Sending outside uWS's own callbacks is not
 * corked, so without this every reply costs a system call. Larger messages go out at once, after
 * whatever is queued, so the order of messages never changes.
 */
class TurnOutput {
  queuedBytes = 0;
  private queue: (string | Uint8Array)[] = [];

  constructor(private readonly ws: Bun.ServerWebSocket<SocketData>) {}

  send(data: string | Uint8Array): void {
    const size = typeof data === "string" ? data.length : data.byteLength;
    if (size >= DIRECT_SEND_BYTES) {
      this.flush();
      this.ws.send(data);
      return;
    }
    this.queue.push(data);
    this.queuedBytes += size;
    if (this.queue.length === 1) {
      queuedOutputs.add(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushQueuedOutputs);
      }
    }
  }

  /** As {@link send}, for bytes valid only during the call: Bun copies what it sends, the queue a copy. */
  sendCopied(data: Uint8Array): void {
    this.send(data.byteLength >= DIRECT_SEND_BYTES ? data : data.slice());
  }

  /** Writes what is queued (a closed socket drops it, as it drops any send). */
  flush(): void {
    if (this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    queuedOutputs.delete(this);
    const { ws } = this;
    try {
      ws.cork(() => {
        for (const data of queue) ws.send(data);
      });
    } catch {
      // As a failed send in the session: the connection cannot go on. Never thrown into the timer.
      try {
        ws.close(CLOSE_CODES.INTERNAL_ERROR, "Send failed");
      } catch {
        // Already closed.
      }
    }
  }
}

/** The path of a request URL without parsing it as a whole `URL`. */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const end = url.indexOf("?", start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}
