/**
 * The WebSocket class for Node before 22, which has no global one: the `ws` package, loaded on
 * demand. Only Node programs (the edgelog CLI) import this module; the client itself (and so the
 * browser bundle) never does.
 *
 * @example
 * ```ts
 * import { createClient } from "edgelog/client";
 * import { nodeWebSocket } from "edgelog/client/node";
 * const client = createClient({ brokers: ["localhost:9092"], WebSocket: await nodeWebSocket() });
 * ```
 * @module
 */
import type { WebSocketConstructor } from "./websocket-like.ts";

/**
 * The runtime's global `WebSocket` when it has one, else `ws`'s (a dependency of edgelog).
 *
 * @example
 * ```ts
 * const WebSocket = await nodeWebSocket();
 * ```
 */
export async function nodeWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof global === "function") return global as WebSocketConstructor;
  const ws = await import("ws");
  return (ws.default ?? ws.WebSocket) as unknown as WebSocketConstructor;
}
