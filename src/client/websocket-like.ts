/**
 * The part of the standard `WebSocket` the client uses, so that the browser's, Deno's, Bun's and
 * Node 22's global `WebSocket`, the `ws` package on older Node, and test fakes all fit.
 *
 * @example
 * ```ts
 * import { resolveWebSocket } from "./websocket-like.ts";
 * const WebSocketImpl = resolveWebSocket(options.WebSocket); // the injected one, else globalThis.WebSocket
 * const socket = new WebSocketImpl("ws://localhost:9092/", "edgelog.v1");
 * ```
 * @module
 */

/**
 * A message, close or error event as the client reads it.
 *
 * @example
 * ```ts
 * socket.onclose = (event: SocketEvent) => console.log(event.code, event.reason);
 * ```
 */
export interface SocketEvent {
  /** A message's payload: `ArrayBuffer` (binaryType "arraybuffer") or text. */
  readonly data?: unknown;
  readonly code?: number;
  readonly reason?: string;
}

/**
 * One WebSocket connection: what the client calls and the handlers it sets.
 *
 * @example
 * ```ts
 * const socket: WebSocketLike = new WebSocket(url, "edgelog.v1");
 * socket.binaryType = "arraybuffer";
 * socket.onmessage = (event) => handle(event.data);
 * ```
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: never) => unknown) | null;
  onmessage: ((event: never) => unknown) | null;
  onclose: ((event: never) => unknown) | null;
  onerror: ((event: never) => unknown) | null;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
}

/**
 * A WebSocket class: the global `WebSocket`, `ws`'s default export, or a fake.
 *
 * @example
 * ```ts
 * const WebSocketImpl: WebSocketConstructor = globalThis.WebSocket;
 * ```
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/**
 * The WebSocket class to use: the injected one, else `globalThis.WebSocket`. Throws a `TypeError`
 * naming the fix when the runtime has none (Node before 22).
 *
 * @example
 * ```ts
 * resolveWebSocket(undefined); // globalThis.WebSocket in browsers, Deno, Bun and Node ≥ 22
 * ```
 */
export function resolveWebSocket(injected: WebSocketConstructor | undefined): WebSocketConstructor {
  if (injected !== undefined) {
    if (typeof injected !== "function") throw new TypeError("Option WebSocket must be a WebSocket class");
    return injected;
  }
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof global !== "function") {
    throw new TypeError(
      "This runtime has no global WebSocket: pass { WebSocket } in the client options (on Node < 22: await nodeWebSocket() from the client's node entry, or the ws package)",
    );
  }
  return global as WebSocketConstructor;
}
