/**
 * The entry point: `createClient({ brokers, clientId })` gives a client that makes producers,
 * consumers and admin clients, as kafkajs's `new Kafka({ brokers, clientId })` does. Each of them
 * has its own WebSocket connection to the cluster.
 *
 * @example
 * ```ts
 * import { createClient } from "edgelog/client";
 * const client = createClient({ brokers: ["localhost:9092"], clientId: "checkout" });
 * const producer = client.producer();
 * await producer.send({ topic: "orders", messages: [{ key: "user-1", value: "hello" }] });
 * ```
 * @module
 */
import { Admin } from "./admin.ts";
import type { AdminOptions } from "./admin-types.ts";
import { Connection } from "./connection.ts";
import { Consumer } from "./consumer.ts";
import type { ConsumerOptions } from "./consumer-options.ts";
import { Producer } from "./producer.ts";
import type { ProducerOptions } from "./producer-options.ts";
import { type ResolvedRetry, resolveRetry, type RetryOptions } from "./retry.ts";
import { resolveWebSocket, type WebSocketConstructor } from "./websocket-like.ts";

/**
 * Options of {@link createClient}.
 *
 * @example
 * ```ts
 * const options: ClientOptions = { brokers: ["localhost:9092", "wss://edge-2.example.com/"], clientId: "app", retry: { retries: 8 } };
 * ```
 */
export interface ClientOptions {
  /** Bootstrap addresses, tried in turn: `host:port` or `ws://`/`wss://` URLs. */
  brokers: string[];
  /** Sent to the broker in `hello` (Kafka's client.id). */
  clientId?: string;
  /** The WebSocket class; default `globalThis.WebSocket` (Node < 22: pass `ws`, e.g. `await nodeWebSocket()`). */
  WebSocket?: WebSocketConstructor;
  /** How long opening a connection and its `hello` may take; default 10 000 ms. */
  connectionTimeoutMs?: number;
  /** Default timeout of a request; default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Retries and backoff of connecting and of retriable errors; producers, consumers and admins may override. */
  retry?: RetryOptions;
  /** Rounds of attempts to reconnect after a connection drops; default Infinity. */
  reconnectRetries?: number;
}

/**
 * Makes producers, consumers and admin clients for one cluster; see {@link createClient}.
 *
 * @example
 * ```ts
 * const consumer = client.consumer({ autoOffsetReset: "earliest" });
 * ```
 */
export class EdgelogClient {
  readonly #options: ClientOptions;
  readonly #retry: ResolvedRetry;

  /**
   * Checks the options (a `TypeError`/`RangeError` when malformed, or when the runtime has no
   * WebSocket and none is given); connects nothing yet.
   *
   * @example
   * ```ts
   * const client = new EdgelogClient({ brokers: ["localhost:9092"] });
   * ```
   */
  constructor(options: ClientOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("createClient() needs { brokers }");
    this.#retry = resolveRetry(options.retry);
    resolveWebSocket(options.WebSocket);
    this.#options = { ...options, brokers: [...(options.brokers ?? [])] };
    this.#connection(); // validates the addresses and timeouts now
  }

  /**
   * A new producer with its own connection.
   *
   * @example
   * ```ts
   * const producer = client.producer({ lingerMs: 5, compression: "gzip" });
   * ```
   */
  producer(options: ProducerOptions = {}): Producer {
    return new Producer(this.#connection(), options, { ownsConnection: true, retry: this.#retry });
  }

  /**
   * A new consumer with its own connection; with a `groupId` it can join that consumer group.
   *
   * @example
   * ```ts
   * const consumer = client.consumer({ groupId: "billing", maxBufferedRecords: 1000 });
   * ```
   */
  consumer(options: ConsumerOptions = {}): Consumer {
    return new Consumer(this.#connection(), options, { ownsConnection: true, retry: this.#retry });
  }

  /**
   * A new admin client with its own connection.
   *
   * @example
   * ```ts
   * const admin = client.admin();
   * ```
   */
  admin(options: AdminOptions = {}): Admin {
    return new Admin(this.#connection(), options, { ownsConnection: true, retry: this.#retry });
  }

  #connection(): Connection {
    const o = this.#options;
    return new Connection({
      brokers: o.brokers,
      ...(o.clientId === undefined ? {} : { clientId: o.clientId }),
      ...(o.WebSocket === undefined ? {} : { WebSocket: o.WebSocket }),
      ...(o.connectionTimeoutMs === undefined ? {} : { connectionTimeoutMs: o.connectionTimeoutMs }),
      ...(o.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: o.requestTimeoutMs }),
      ...(o.reconnectRetries === undefined ? {} : { reconnectRetries: o.reconnectRetries }),
      retry: this.#retry,
    });
  }
}

/**
 * A client for the cluster at `brokers`.
 *
 * @example
 * ```ts
 * const client = createClient({ brokers: ["localhost:9092"], clientId: "sensor-7" });
 * const admin = client.admin();
 * await admin.createTopics({ topics: [{ topic: "readings", numPartitions: 3 }] });
 * ```
 */
export function createClient(options: ClientOptions): EdgelogClient {
  return new EdgelogClient(options);
}
