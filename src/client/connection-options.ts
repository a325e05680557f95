/**
 * The options of a {@link Connection} (checked and with defaults filled in by
 * {@link resolveConnectionOptions}), its events and its per-request options.
 *
 * @example
 * ```ts
 * import { resolveConnectionOptions } from "./connection-options.ts";
 * const options = resolveConnectionOptions({ brokers: ["localhost:9092"] });
 * options.urls; // ["ws://localhost:9092/"]
 * ```
 * @module
 */
import type { EdgelogError } from "../core/errors.ts";
import type { HelloResponse } from "../protocol/index.ts";
import { brokerUrl } from "./broker-url.ts";
import type { Connection } from "./connection.ts";
import { type ResolvedRetry, resolveRetry, type RetryOptions } from "./retry.ts";
import { resolveWebSocket, type WebSocketConstructor } from "./websocket-like.ts";

/**
 * The library and version sent in `hello`.
 *
 * @example
 * ```ts
 * CLIENT_SOFTWARE; // "edgelog-js/0.1.0"
 * ```
 */
export const CLIENT_SOFTWARE = "edgelog-js/0.1.0";

/**
 * Options of a {@link Connection}.
 *
 * @example
 * ```ts
 * const options: ConnectionOptions = { brokers: ["localhost:9092"], clientId: "app", requestTimeoutMs: 10_000 };
 * ```
 */
export interface ConnectionOptions {
  /** Bootstrap addresses, tried in turn: `host:port` or `ws://`/`wss://` URLs. */
  brokers: readonly string[];
  /** Sent in `hello` (Kafka's client.id). */
  clientId?: string;
  /** The WebSocket class; default `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** How long opening a WebSocket and its `hello` may take; default 10 000 ms. */
  connectionTimeoutMs?: number;
  /** Default timeout of a request; default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Backoff between connection attempts, and how many rounds the first connect tries; see {@link RetryOptions}. */
  retry?: RetryOptions;
  /** Rounds of attempts to reconnect after an open connection closed; default Infinity. */
  reconnectRetries?: number;
}

/**
 * What {@link Connection.on} listeners receive.
 *
 * @example
 * ```ts
 * connection.on("disconnect", (e: ConnectionEvents["disconnect"]) => console.warn(`lost ${e.url}: ${e.code}`));
 * ```
 */
export interface ConnectionEvents {
  /** A connection is open and said hello: the first one, or a new one after a disconnect. */
  connect: { url: string; hello: HelloResponse; reconnected: boolean };
  /** The open connection closed; its requests failed and its subscriptions ended. */
  disconnect: { url: string; code: number; reason: string };
  /** Reconnecting gave up; requests fail with this error until `connect()` is called again. */
  error: EdgelogError;
  /** A push without a subscription id: the `assignment` push of a consumer-group member (protocol §8). */
  push: { readonly push: string; readonly [field: string]: unknown };
}

/**
 * Per-request options of {@link Connection.request}.
 *
 * @example
 * ```ts
 * await connection.request("subscribe", body, { onReply: (r) => connection.route(r.sub, onPush) });
 * ```
 */
export interface RequestOptions<T> {
  /** Default: the connection's `requestTimeoutMs`. Covers waiting for a connection too. */
  timeoutMs?: number;
  /** Called synchronously with the reply before any later frame is handled (e.g. to route a subscription's pushes). */
  onReply?: (reply: T) => void;
}

/**
 * {@link ConnectionOptions} checked, with URLs and defaults.
 *
 * @example
 * ```ts
 * const { urls, requestTimeoutMs }: ResolvedConnectionOptions = resolveConnectionOptions(options);
 * ```
 */
export interface ResolvedConnectionOptions {
  urls: string[];
  clientId: string | undefined;
  WebSocket: WebSocketConstructor;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  retry: ResolvedRetry;
  reconnectRetries: number;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Checks connection options and fills in the defaults; a malformed option is a `TypeError` or
 * `RangeError` naming it.
 *
 * @example
 * ```ts
 * resolveConnectionOptions({ brokers: [] }); // throws TypeError: Option brokers must list at least one broker address
 * ```
 */
export function resolveConnectionOptions(options: ConnectionOptions): ResolvedConnectionOptions {
  if (options === null || typeof options !== "object") throw new TypeError("Connection options are required");
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw new TypeError('Option brokers must list at least one broker address ("host:port" or a ws:// URL)');
  }
  if (options.clientId !== undefined && typeof options.clientId !== "string") throw new TypeError("Option clientId must be a string");
  const reconnectRetries = options.reconnectRetries ?? Infinity;
  if (!(reconnectRetries >= 0)) throw new RangeError(`Option reconnectRetries must be ≥ 0, got ${reconnectRetries}`);
  return {
    urls: options.brokers.map(brokerUrl),
    clientId: options.clientId,
    WebSocket: resolveWebSocket(options.WebSocket),
    connectionTimeoutMs: positive("connectionTimeoutMs", options.connectionTimeoutMs, DEFAULT_CONNECTION_TIMEOUT_MS),
    requestTimeoutMs: positive("requestTimeoutMs", options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
    retry: resolveRetry(options.retry),
    reconnectRetries,
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`Option ${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}
