/**
 * What the per-runtime serve adapters (`bun/serve.ts`, `deno/serve.ts`, `node/serve.ts`) share: their
 * options, the handle they return, the part of the broker they use, and the rules every adapter
 * applies to a WebSocket upgrade (path `/`, subprotocol `edgelog.v1`).
 *
 * @example
 * ```ts
 * const server: RunningServer = await serveNode(broker, { hostname: "127.0.0.1", port: 0 });
 * console.log(`listening on ${server.url}`);
 * await server.close();
 * ```
 * @module
 */
import type { Broker } from "../server/broker.ts";
import { selectSubprotocol } from "../protocol/version.ts";

/** The certificate and key, PEM text, of a wss:// listener. */
export interface TlsPem {
  cert: string;
  key: string;
}

/** Where and how one adapter listens. */
export interface ServeOptions {
  /** The address to bind, e.g. "127.0.0.1", "0.0.0.0" or "::". */
  hostname: string;
  /** 0 asks the runtime for a free port; {@link RunningServer.port} tells which. */
  port: number;
  /** Serve https:// and wss:// with this certificate instead of plain http:// and ws://. */
  tls?: TlsPem;
}

/** A listening server. */
export interface RunningServer {
  /** The port actually bound (differs from the requested one when that was 0). */
  readonly port: number;
  /** The WebSocket URL of this listener, e.g. "ws://127.0.0.1:9092". */
  readonly url: string;
  /**
   * Stops accepting connections, closes the WebSockets still open with 1001 (going away) and the
   * HTTP connections, and resolves once the port is released. Call `broker.close()` first so that
   * sessions end gracefully; this ends whatever is left.
   */
  close(): Promise<void>;
}

/** The part of a {@link Broker} that an adapter serves. */
export type ServedBroker = Pick<Broker, "app" | "config" | "maxFrameBytes" | "openSession">;

/**
 * The WebSocket URL of a listener: the host bracketed when it is an IPv6 address.
 *
 * @example
 * ```ts
 * listenerUrl(false, "::1", 9092);      // "ws://[::1]:9092"
 * listenerUrl(true, "example.org", 443); // "wss://example.org:443"
 * ```
 */
export function listenerUrl(tls: boolean, hostname: string, port: number): string {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return `${tls ? "wss" : "ws"}://${host}:${port}`;
}

/** What to do with an HTTP request, decided by {@link classifyUpgrade}. */
export type UpgradeDecision =
  /** Not a WebSocket upgrade on `/`: hand it to the Hono app. */
  | { kind: "http" }
  /** Upgrade it and answer with this subprotocol (undefined when the client offered none). */
  | { kind: "upgrade"; protocol: string | undefined }
  /** Refuse it with this status and one-line text. */
  | { kind: "reject"; status: number; message: string };

/**
 * Decides what to do with a request from its path (without the query) and headers: a WebSocket
 * upgrade on `/` is the broker's; it selects `edgelog.v1` when offered, accepts a client that offers
 * no subprotocol (tools such as wscat), and refuses one that offers only others (it would fail the
 * handshake anyway).
 *
 * @example
 * ```ts
 * classifyUpgrade("/", "websocket", "edgelog.v1"); // { kind: "upgrade", protocol: "edgelog.v1" }
 * classifyUpgrade("/metrics", null, null);          // { kind: "http" }
 * classifyUpgrade("/", "websocket", "mqtt");        // { kind: "reject", status: 400, ... }
 * ```
 */
export function classifyUpgrade(path: string, upgrade: string | null | undefined, offered: string | null | undefined): UpgradeDecision {
  if (upgrade?.toLowerCase() !== "websocket" || path !== "/") return { kind: "http" };
  if (offered === null || offered === undefined || offered.trim() === "") return { kind: "upgrade", protocol: undefined };
  const protocol = selectSubprotocol(offered);
  if (protocol === undefined) {
    return { kind: "reject", status: 400, message: `Unsupported WebSocket subprotocol ${offered.slice(0, 100)}; offer edgelog.v1` };
  }
  return { kind: "upgrade", protocol };
}

/**
 * The number of bytes `text` takes in UTF-8 (what a WebSocket text frame carries), counted without
 * encoding it.
 *
 * @example
 * ```ts
 * utf8Length("héllo"); // 6
 * ```
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Whether a received message is larger than `maxBytes`, for runtimes that do not enforce the limit
 * themselves; a string is measured in UTF-8 and only when its length leaves a doubt.
 *
 * @example
 * ```ts
 * if (exceedsFrameLimit(event.data, broker.maxFrameBytes)) socket.close(1009, "Frame too large");
 * ```
 */
export function exceedsFrameLimit(data: string | ArrayBuffer | Uint8Array, maxBytes: number): boolean {
  if (typeof data !== "string") return data.byteLength > maxBytes;
  if (data.length > maxBytes) return true;
  if (data.length * 3 <= maxBytes) return false;
  return utf8Length(data) > maxBytes;
}

/** The most a WebSocket close reason may take: 123 bytes of UTF-8 (RFC 6455 §5.5). */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * `reason` cut to fit a close frame (123 bytes of UTF-8), so that no runtime throws on a long one.
 *
 * @example
 * ```ts
 * ws.close(1011, closeReason(error.message));
 * ```
 */
export function closeReason(reason: string | undefined): string | undefined {
  if (reason === undefined || utf8Length(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let cut = reason.slice(0, MAX_CLOSE_REASON_BYTES);
  while (utf8Length(cut) > MAX_CLOSE_REASON_BYTES) cut = cut.slice(0, -1);
  return cut;
}
