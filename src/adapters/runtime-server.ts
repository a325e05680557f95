/**
 * Serves a broker with the serve adapter of the running runtime. Each adapter is loaded by a dynamic
 * import of a string literal, so `bun build --compile` bundles all three while only the running
 * runtime's adapter is ever evaluated (Deno's code never runs on Bun, `ws` never loads on Deno).
 *
 * @example
 * ```ts
 * for (const listener of broker.config.listeners) {
 *   const server = await startRuntimeServer(broker, serveOptionsFor(listener));
 *   console.log(`listening on ${server.url}`);
 * }
 * ```
 * @module
 */
import type { Listener } from "../core/config/broker-config.ts";
import { runtimeName } from "./runtime-file-system.ts";
import type { RunningServer, ServeOptions, ServedBroker, TlsPem } from "./serve-options.ts";

/** The address bound for a listener whose host is empty ("every interface"). */
export const ANY_HOST = "0.0.0.0";

/**
 * Starts serving `broker` with the running runtime's adapter (`Bun.serve`, `Deno.serve`, or
 * `@hono/node-server` with `ws`). Rejects when the address cannot be bound.
 *
 * @example
 * ```ts
 * const server = await startRuntimeServer(broker, { hostname: "127.0.0.1", port: 0 });
 * console.log(server.port); // the port the runtime picked
 * ```
 */
export async function startRuntimeServer(broker: ServedBroker, options: ServeOptions): Promise<RunningServer> {
  switch (runtimeName()) {
    case "bun":
      return (await import("./bun/serve.ts")).serveBun(broker, options);
    case "deno":
      return (await import("./deno/serve.ts")).serveDeno(broker, options);
    case "node":
      return (await import("./node/serve.ts")).serveNode(broker, options);
  }
}

/**
 * The serve options of one configured listener: its host (every interface, {@link ANY_HOST}, when
 * empty) and port, and for a wss:// listener the certificate and key it needs.
 *
 * @example
 * ```ts
 * serveOptionsFor({ scheme: "ws", host: "", port: 9092, url: "ws://:9092" });
 * // { hostname: "0.0.0.0", port: 9092 }
 * serveOptionsFor(wssListener); // throws TypeError: a wss:// listener needs its PEM files
 * ```
 */
export function serveOptionsFor(listener: Listener, tls?: TlsPem): ServeOptions {
  const options: ServeOptions = { hostname: listener.host === "" ? ANY_HOST : listener.host, port: listener.port };
  if (listener.scheme === "wss") {
    if (tls === undefined) throw new TypeError(`The listener ${listener.url} needs a certificate and key`);
    options.tls = tls;
  }
  return options;
}
