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
import type { WebSocketConstructor } from "../protocol/websocket-like.ts";

export type { SocketEvent, WebSocketConstructor, WebSocketLike } from "../protocol/websocket-like.ts";

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
