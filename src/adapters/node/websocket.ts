/**
 * The WebSocket class of Node before 22, which has no global one: the `ws` package's client, which
 * has the standard `WebSocket` interface (`binaryType`, `onopen`, `onmessage`, `onclose`, `send`).
 * The broker dials other brokers of its cluster with it.
 *
 * @example
 * ```ts
 * const broker = await createBroker({ fs, config, coordination, WebSocket: nodeWebSocketClass() });
 * ```
 * @module
 */
import WebSocket from "ws";
import type { WebSocketConstructor } from "../../protocol/websocket-like.ts";

/**
 * `ws`'s WebSocket class.
 *
 * @example
 * ```ts
 * const socket = new (nodeWebSocketClass())("ws://127.0.0.1:9092", "edgelog.v1");
 * ```
 */
export function nodeWebSocketClass(): WebSocketConstructor {
  return WebSocket as unknown as WebSocketConstructor;
}
