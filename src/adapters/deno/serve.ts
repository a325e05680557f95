/**
 * Serves a broker with `Deno.serve`: WebSocket upgrades on `/` through `Deno.upgradeWebSocket` to
 * `broker.openSession`, every other request to `broker.app.fetch`.
 *
 * - Deno enforces no frame limit of ours, so a message larger than `broker.maxFrameBytes` is closed
 *   here with 1009 before the broker sees it. (Deno itself refuses messages above 64 MiB.)
 * - Backpressure: Deno's WebSocket has `bufferedAmount` but no drain event, so after a send that
 *   leaves more than {@link DRAIN_MARK} bytes queued, `bufferedAmount` is polled every
 *   {@link DRAIN_POLL_MS} ms until it falls to the mark, and then `onDrain` is called. No timer runs
 *   while the buffer stays small.
 * - Pings: Deno pings every `edgelog.websocket.ping.interval.ms` and closes a connection that does
 *   not answer within the interval.
 *
 * @example
 * ```ts
 * const server = serveDeno(broker, { hostname: "127.0.0.1", port: 9092 });
 * console.log(server.url); // "ws://127.0.0.1:9092"
 * ```
 * @module
 */
import type { SessionHandlers } from "../../server/session-socket.ts";
import {
  classifyUpgrade,
  closeReason,
  exceedsFrameLimit,
  listenerUrl,
  type RunningServer,
  type ServeOptions,
  type ServedBroker,
} from "../serve-options.ts";

/** Queued bytes above which the adapter watches for the buffer to drain (Node's socket high-water mark). */
export const DRAIN_MARK = 16 * 1024;
/** How often a backed-up socket's `bufferedAmount` is checked. */
export const DRAIN_POLL_MS = 5;

/**
 * Starts serving `broker` on Deno and returns the listening server; throws when the port is taken.
 *
 * @example
 * ```ts
 * const server = serveDeno(broker, { hostname: "0.0.0.0", port: 0 });
 * console.log(`listening on port ${server.port}`);
 * await broker.close();
 * await server.close();
 * ```
 */
export function serveDeno(broker: ServedBroker, options: ServeOptions): RunningServer {
  const idleTimeout = Math.ceil(broker.config.websocketPingIntervalMs / 1000);
  const sockets = new Set<WebSocket>();
  const server = Deno.serve(
    {
      hostname: options.hostname,
      port: options.port,
      ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
      onListen() {},
    },
    (request, info) => {
      const decision = classifyUpgrade(
        new URL(request.url).pathname,
        request.headers.get("upgrade"),
        request.headers.get("sec-websocket-protocol"),
      );
      if (decision.kind === "http") return broker.app.fetch(request);
      if (decision.kind === "reject") return new Response(decision.message, { status: decision.status });
      const remoteAddress = info.remoteAddr.hostname; // unreadable once upgraded
      // The subprotocol header is set here rather than through the `protocol` option, which only
      // finds an offer split by ", " and refuses "other,edgelog.v1" (as the `ws` client sends it).
      const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout });
      if (decision.protocol) response.headers.set("Sec-WebSocket-Protocol", decision.protocol);
      sockets.add(socket);
      attachSession(broker, socket, remoteAddress, () => sockets.delete(socket));
      return response;
    },
  );
  const url = listenerUrl(options.tls !== undefined, options.hostname, server.addr.port);
  let closing: Promise<void> | undefined;
  return {
    port: server.addr.port,
    url,
    close() {
      closing ??= (async () => {
        for (const socket of sockets) socket.close(1001, "Broker shutting down");
        await server.shutdown();
      })();
      return closing;
    },
  };
}

/** Wires one upgraded Deno WebSocket to a broker session. */
function attachSession(broker: ServedBroker, socket: WebSocket, remoteAddress: string, forget: () => void): void {
  socket.binaryType = "arraybuffer";
  let handlers: SessionHandlers | undefined;
  let drainTimer: ReturnType<typeof setInterval> | undefined;
  let closedWith: number | undefined;

  const stopPolling = (): void => {
    if (drainTimer !== undefined) clearInterval(drainTimer);
    drainTimer = undefined;
  };
  const watchDrain = (): void => {
    if (drainTimer !== undefined || socket.bufferedAmount <= DRAIN_MARK) return;
    drainTimer = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return stopPolling();
      if (socket.bufferedAmount > DRAIN_MARK) return;
      stopPolling();
      handlers?.onDrain();
    }, DRAIN_POLL_MS);
  };

  socket.onopen = () => {
    handlers = broker.openSession(
      {
        send(data) {
          if (socket.readyState !== WebSocket.OPEN) return;
          socket.send(data);
          watchDrain();
        },
        bufferedAmount: () => socket.bufferedAmount,
        close(code, reason) {
          closedWith ??= code;
          socket.close(code, closeReason(reason));
        },
      },
      { remoteAddress },
    );
  };
  socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
    if (closedWith !== undefined || handlers === undefined) return;
    const data = event.data;
    if (exceedsFrameLimit(data, broker.maxFrameBytes)) {
      closedWith = 1009;
      socket.close(1009, "Frame larger than socket.request.max.bytes");
      return;
    }
    handlers.onMessage(typeof data === "string" ? data : new Uint8Array(data));
  };
  socket.onclose = (event) => {
    stopPolling();
    forget();
    const ended = handlers;
    handlers = undefined;
    ended?.onClose(closedWith ?? event.code);
  };
  socket.onerror = () => {
    // the close event follows with the code; nothing to add
  };
}
