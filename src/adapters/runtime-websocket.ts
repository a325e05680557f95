/**
 * The WebSocket class of the running runtime, for the broker's connections to the other brokers of
 * its cluster: the global `WebSocket` of Bun, Deno and Node 22+, else (Node 20) the `ws` package's,
 * loaded by a dynamic import so that Bun and Deno never load it.
 *
 * @example
 * ```ts
 * const broker = await createBroker({ fs, config, coordination, WebSocket: await runtimeWebSocket() });
 * ```
 * @module
 */
import type { WebSocketConstructor } from "../protocol/websocket-like.ts";

/**
 * The runtime's WebSocket class; see the module documentation.
 *
 * @example
 * ```ts
 * const WebSocket = await runtimeWebSocket();
 * ```
 */
export async function runtimeWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof global === "function") return global as WebSocketConstructor;
  return (await import("./node/websocket.ts")).nodeWebSocketClass();
}
