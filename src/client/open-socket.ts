/**
 * Opens one WebSocket to a broker URL with subprotocol `edgelog.v1` and binary frames as
 * `ArrayBuffer`s, and says when it is open, or why it is not (closed first, or not open within the
 * timeout).
 *
 * @example
 * ```ts
 * import { openSocket } from "./open-socket.ts";
 * const { socket, opened } = openSocket(WebSocket, "ws://localhost:9092/", 10_000, { onMessage, onClose });
 * await opened;
 * socket.send(bytes);
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import { SUBPROTOCOL } from "../protocol/version.ts";
import type { SocketEvent, WebSocketConstructor, WebSocketLike } from "./websocket-like.ts";

/**
 * What happens on an opened socket: each message's payload, and its close.
 *
 * @example
 * ```ts
 * const handlers: SocketHandlers = { onMessage: (data) => handle(data), onClose: (event) => reconnect(event.code) };
 * ```
 */
export interface SocketHandlers {
  onMessage(data: unknown): void;
  /** Only after the socket opened; a close before is the rejection of `opened`. */
  onClose(event: SocketEvent): void;
}

/**
 * A socket being opened.
 *
 * @example
 * ```ts
 * const attempt: OpeningSocket = openSocket(WebSocket, url, 5_000, handlers);
 * ```
 */
export interface OpeningSocket {
  socket: WebSocketLike;
  /** Resolves once open; rejects with `NETWORK_EXCEPTION` when it closed first or the time ran out. */
  opened: Promise<void>;
}

/**
 * Starts opening a WebSocket; see the module documentation. Throws `NETWORK_EXCEPTION` when the
 * WebSocket class refuses the URL at once.
 *
 * @example
 * ```ts
 * const { socket, opened } = openSocket(globalThis.WebSocket, "wss://edge.example.com/", 10_000, handlers);
 * ```
 */
export function openSocket(WebSocketImpl: WebSocketConstructor, url: string, timeoutMs: number, handlers: SocketHandlers): OpeningSocket {
  let socket: WebSocketLike;
  try {
    socket = new WebSocketImpl(url, SUBPROTOCOL);
    socket.binaryType = "arraybuffer";
  } catch (error) {
    throw new EdgelogError("NETWORK_EXCEPTION", `Cannot open ${url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let open = false;
  const opened = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new EdgelogError("NETWORK_EXCEPTION", `Cannot open ${url} within ${timeoutMs} ms`));
      closeQuietly(socket);
    }, timeoutMs);
    socket.onopen = () => {
      clearTimeout(timer);
      open = true;
      resolve();
    };
    socket.onclose = (event: SocketEvent) => {
      if (open) {
        handlers.onClose(event);
        return;
      }
      clearTimeout(timer);
      reject(new EdgelogError("NETWORK_EXCEPTION", `Connection to ${url} closed${closeText(event)}`));
    };
  });
  socket.onerror = () => {
    // a close event follows, with the code
  };
  socket.onmessage = (event: SocketEvent) => handlers.onMessage(event.data);
  return { socket, opened };
}

/**
 * Closes a socket, ignoring a socket that cannot close (not open yet, or already closed).
 *
 * @example
 * ```ts
 * closeQuietly(socket, 1000, "Client closing");
 * ```
 */
export function closeQuietly(socket: WebSocketLike, code?: number, reason?: string): void {
  try {
    if (code === undefined) socket.close();
    else socket.close(code, reason);
  } catch {
    // nothing to close
  }
}

/**
 * Closes a socket normally (1000, "Client closing") and resolves once it has closed, or after
 * `graceMs`; the socket's own close handler still runs.
 *
 * @example
 * ```ts
 * await closeGracefully(socket, 1000);
 * ```
 */
export function closeGracefully(socket: WebSocketLike, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, graceMs);
    const previous = socket.onclose as ((event: SocketEvent) => unknown) | null;
    socket.onclose = (event: SocketEvent) => {
      previous?.(event);
      clearTimeout(timer);
      resolve();
    };
    closeQuietly(socket, 1000, "Client closing");
  });
}

/**
 * The code and reason of a close event, for messages: " with code 1001 (Broker shutting down)".
 *
 * @example
 * ```ts
 * `Connection closed${closeText(event)}`;
 * ```
 */
export function closeText(event: SocketEvent): string {
  const code = event.code === undefined ? "" : ` with code ${event.code}`;
  return event.reason ? `${code} (${event.reason})` : code;
}
