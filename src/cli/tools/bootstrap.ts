/**
 * How the tools reach the cluster: `--bootstrap-server` (or Kafka's older `--broker-list`, or
 * `bootstrap.servers` in producer properties) takes `host:port` or `ws://`/`wss://` URLs, several
 * comma-separated, tried in turn. The tools connect with the client library over the runtime's
 * WebSocket (Node < 22: the `ws` package), and give up on an unreachable cluster after a few quick
 * rounds so that a mistyped address answers with one error line instead of a long wait.
 *
 * @example
 * ```ts
 * const brokers = bootstrapServers("localhost:9092,ws://edge-2:9092/", "topics");
 * const { admin, connection } = await openAdmin(brokers, "topics");
 * try { console.log(await admin.listTopics()); } finally { await admin.disconnect(); }
 * ```
 * @module
 */
import { Admin } from "../../client/admin.ts";
import { brokerUrl } from "../../client/broker-url.ts";
import { createClient, type EdgelogClient } from "../../client/client.ts";
import { Connection } from "../../client/connection.ts";
import { nodeWebSocket } from "../../client/node-websocket.ts";
import type { RetryOptions } from "../../client/retry.ts";
import { UsageError } from "../usage-error.ts";

/**
 * Connection attempts of a tool: two more rounds after the first, a fifth of a second apart at
 * first. Producers and consumers keep reconnecting for as long as they run once connected.
 *
 * @example
 * ```ts
 * new Connection({ brokers, retry: TOOL_RETRY });
 * ```
 */
export const TOOL_RETRY: RetryOptions = Object.freeze({ retries: 2, initialRetryTimeMs: 200, maxRetryTimeMs: 2_000 });

/** How long opening one WebSocket and its hello may take. */
const CONNECTION_TIMEOUT_MS = 10_000;

/**
 * The bootstrap addresses of a comma-separated list; a missing list or a malformed address is a
 * {@link UsageError} naming the option.
 *
 * @example
 * ```ts
 * bootstrapServers("127.0.0.1:9092, 127.0.0.1:9093", "console-producer"); // ["127.0.0.1:9092", "127.0.0.1:9093"]
 * bootstrapServers("http://x:1", "topics"); // throws UsageError
 * ```
 */
export function bootstrapServers(value: string | undefined, command: string, option = "--bootstrap-server"): string[] {
  if (value === undefined || value.trim() === "") throw new UsageError(`missing required option ${option}`, command);
  const addresses = value
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  if (addresses.length === 0) throw new UsageError(`${option} needs at least one address`, command);
  for (const address of addresses) {
    try {
      brokerUrl(address);
    } catch (error) {
      throw new UsageError(`${option}: ${error instanceof Error ? error.message : String(error)}`, command);
    }
  }
  return addresses;
}

/**
 * A client for producers and consumers of a tool.
 *
 * @example
 * ```ts
 * const client = await toolClient(["localhost:9092"], "console-producer");
 * const producer = client.producer({ lingerMs: 1000 });
 * ```
 */
export async function toolClient(brokers: string[], clientId: string, options: { reconnectRetries?: number } = {}): Promise<EdgelogClient> {
  return createClient({
    brokers,
    clientId,
    WebSocket: await nodeWebSocket(),
    connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
    retry: TOOL_RETRY,
    ...(options.reconnectRetries === undefined ? {} : { reconnectRetries: options.reconnectRetries }),
  });
}

/**
 * An admin client on its own connection, and the connection itself for the ops the admin client
 * does not wrap (metadata with internal topics).
 *
 * @example
 * ```ts
 * const { admin, connection } = await openAdmin(["localhost:9092"], "topics");
 * await connection.request("metadata", { topics: null });
 * await admin.disconnect(); // closes the connection
 * ```
 */
export async function openAdmin(brokers: string[], clientId: string): Promise<{ admin: Admin; connection: Connection }> {
  const connection = new Connection({
    brokers,
    clientId,
    WebSocket: await nodeWebSocket(),
    connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
    retry: TOOL_RETRY,
    reconnectRetries: TOOL_RETRY.retries!,
  });
  const admin = new Admin(connection, { retry: TOOL_RETRY }, { ownsConnection: true });
  return { admin, connection };
}

/**
 * Runs `work` with an admin client and closes it afterwards, whatever happens.
 *
 * @example
 * ```ts
 * const topics = await withAdmin(brokers, "topics", ({ admin }) => admin.listTopics());
 * ```
 */
export async function withAdmin<T>(brokers: string[], clientId: string, work: (tools: { admin: Admin; connection: Connection }) => Promise<T>): Promise<T> {
  const tools = await openAdmin(brokers, clientId);
  try {
    return await work(tools);
  } finally {
    await tools.admin.disconnect().catch(() => undefined);
  }
}
