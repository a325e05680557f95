/**
 * Serves a broker on Node: `@hono/node-server` answers HTTP with `broker.app.fetch`, and the `ws`
 * package takes over WebSocket upgrades on `/` (from the HTTP server's `upgrade` event) and hands
 * each connection to `broker.openSession`. With TLS options it serves https:// and wss://.
 *
 * - `ws` closes a connection whose message is larger than `broker.maxFrameBytes` with 1009.
 * - Backpressure: `bufferedAmount()` is `ws.bufferedAmount`; the TCP socket's `drain` event becomes
 *   `onDrain` (it fires once a write has filled the socket past its 16 KiB high-water mark and the
 *   queue has emptied).
 * - Pings: every `edgelog.websocket.ping.interval.ms` each connection is pinged, and one that sent
 *   nothing (not even a pong) since the previous ping is terminated.
 *
 * @example
 * ```ts
 * const server = await serveNode(broker, { hostname: "127.0.0.1", port: 9092 });
 * console.log(server.url); // "ws://127.0.0.1:9092"
 * ```
 * @module
 */
import { serve } from "@hono/node-server";
import type { IncomingMessage, Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { SUBPROTOCOL } from "../../protocol/version.ts";
import {
  classifyUpgrade,
  closeReason,
  listenerUrl,
  type RunningServer,
  type ServeOptions,
  type ServedBroker,
} from "../serve-options.ts";

/** How long `close()` waits for clients to answer the closing handshake before cutting them off. */
const CLOSE_GRACE_MS = 1000;

/**
 * Starts serving `broker` on Node. Resolves once listening; rejects when the port is taken.
 *
 * @example
 * ```ts
 * const server = await serveNode(broker, { hostname: "0.0.0.0", port: 0 });
 * console.log(`listening on port ${server.port}`);
 * await broker.close();
 * await server.close();
 * ```
 */
export async function serveNode(broker: ServedBroker, options: ServeOptions): Promise<RunningServer> {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: broker.maxFrameBytes,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  const server = serve({
    fetch: (request) => broker.app.fetch(request),
    hostname: options.hostname,
    port: options.port,
    ...(options.tls ? { createServer: createHttpsServer, serverOptions: { cert: options.tls.cert, key: options.tls.key } } : {}),
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once("listening", resolve);
    server.once("error", reject);
  });

  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const decision = classifyUpgrade(
      pathOf(request.url ?? "/"),
      request.headers.upgrade,
      request.headers["sec-websocket-protocol"],
    );
    if (decision.kind !== "upgrade") {
      refuse(socket, decision.kind === "reject" ? decision.status : 404, decision.kind === "reject" ? decision.message : "Not Found");
      return;
    }
    const remoteAddress = request.socket.remoteAddress;
    wss.handleUpgrade(request, socket, head, (ws) => {
      // In noServer mode ws does not emit "connection" by itself; startPinging listens for it.
      wss.emit("connection", ws, request);
      attachSession(broker, ws, socket, remoteAddress);
    });
  });

  const stopPinging = startPinging(wss, broker.config.websocketPingIntervalMs);
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: listenerUrl(options.tls !== undefined, options.hostname, port),
    close() {
      closing ??= closeAll(server, wss, stopPinging);
      return closing;
    },
  };
}

/** Wires one accepted `ws` connection to a broker session. */
function attachSession(broker: ServedBroker, ws: WebSocket, socket: Duplex, remoteAddress: string | undefined): void {
  const handlers = broker.openSession(
    {
      send(data) {
        if (ws.readyState === ws.OPEN) ws.send(data);
      },
      bufferedAmount: () => ws.bufferedAmount,
      close(code, reason) {
        ws.close(code, closeReason(reason));
      },
    },
    remoteAddress === undefined ? {} : { remoteAddress },
  );
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    handlers.onMessage(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8"));
  });
  socket.on("drain", () => handlers.onDrain());
  ws.on("close", (code: number) => handlers.onClose(code));
  // a protocol violation or an oversize frame: ws closes the connection itself and "close" follows
  ws.on("error", () => {});
}

/** Pings every client each interval and terminates one that stayed silent since the previous ping. */
function startPinging(wss: WebSocketServer, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  const heard = new WeakSet<WebSocket>();
  const markHeard = (ws: WebSocket) => () => heard.add(ws);
  wss.on("connection", (ws: WebSocket) => {
    heard.add(ws);
    ws.on("pong", markHeard(ws));
    ws.on("message", markHeard(ws));
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (!heard.has(ws)) {
        ws.terminate();
        continue;
      }
      heard.delete(ws);
      ws.ping();
    }
  }, intervalMs);
  return () => clearInterval(timer);
}

/** Stops listening, closes the WebSockets (cutting off those that do not answer), then HTTP. */
async function closeAll(server: Server, wss: WebSocketServer, stopPinging: () => void): Promise<void> {
  stopPinging();
  const released = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const clients = [...wss.clients];
  if (clients.length > 0) {
    await new Promise<void>((resolve) => {
      let open = clients.length;
      const timer = setTimeout(() => {
        for (const ws of clients) ws.terminate();
      }, CLOSE_GRACE_MS);
      for (const ws of clients) {
        ws.once("close", () => {
          if (--open === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        ws.close(1001, "Broker shutting down");
      }
    });
  }
  server.closeAllConnections();
  wss.close();
  await released;
}

/** Answers a refused upgrade with a plain HTTP response and closes the socket. */
function refuse(socket: Duplex, status: number, message: string): void {
  const reason = status === 404 ? "Not Found" : "Bad Request";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

/** The path of a request target, without the query. */
function pathOf(target: string): string {
  const q = target.indexOf("?");
  return q < 0 ? target : target.slice(0, q);
}
