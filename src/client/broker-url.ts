/**
 * Bootstrap addresses: `host:port` (as Kafka clients write them) or a full `ws://`/`wss://` URL.
 *
 * @example
 * ```ts
 * import { brokerUrl } from "./broker-url.ts";
 * brokerUrl("localhost:9092");          // "ws://localhost:9092/"
 * brokerUrl("wss://logs.example.com/"); // "wss://logs.example.com/"
 * ```
 * @module
 */

/**
 * The WebSocket URL of a bootstrap address. `host:port` and `[ipv6]:port` become `ws://…/`; `ws://`
 * and `wss://` URLs are taken as they are. Anything else is a `TypeError`.
 *
 * @example
 * ```ts
 * brokerUrl("[::1]:9092");     // "ws://[::1]:9092/"
 * brokerUrl("http://x:9092");  // throws TypeError
 * ```
 */
export function brokerUrl(address: string): string {
  if (typeof address !== "string" || address.trim() === "") {
    throw new TypeError(`A broker address must be "host:port" or a ws:// or wss:// URL, got ${JSON.stringify(address)}`);
  }
  const text = address.trim();
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "ws" && scheme !== "wss") {
    throw new TypeError(`Broker address ${JSON.stringify(text)} must use ws:// or wss://, not ${scheme}://`);
  }
  const candidate = scheme === undefined ? `ws://${text}` : text;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new TypeError(`Broker address ${JSON.stringify(text)} is neither "host:port" nor a ws:// or wss:// URL`);
  }
  if (url.hostname === "") throw new TypeError(`Broker address ${JSON.stringify(text)} has no host`);
  if (scheme === undefined && url.port === "") {
    throw new TypeError(`Broker address ${JSON.stringify(text)} needs a port ("host:port")`);
  }
  return url.href;
}
