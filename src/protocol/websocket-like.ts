/**
 * The part of the standard `WebSocket` that edgelog's own WebSocket clients use — the client
 * library and the broker-to-broker replica fetcher — so that the browser's, Deno's, Bun's and
 * Node 22's global `WebSocket`, the `ws` package on older Node, and test fakes all fit.
 *
 * @example
 * ```ts
 * import type { WebSocketConstructor } from "./websocket-like.ts";
 * const WebSocketImpl: WebSocketConstructor = globalThis.WebSocket;
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
