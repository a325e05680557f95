/**
 * The connections of one producer, consumer or admin client to the brokers of a cluster (protocol
 * §14.1): the bootstrap {@link Connection} (its addresses tried in turn), plus one connection per
 * other broker, by broker id, at the URL `metadata` gives for it. Requests that only a partition's
 * leader serves go to {@link leaderConnection}; the rest may go to {@link anyConnection}.
 *
 * - Routing: when the bootstrap broker's `hello` lists `metadata` among its ops, partitions are
 *   routed to their leaders by {@link ClusterMetadata}; otherwise every request goes to the bootstrap
 *   connection. A broker that runs alone leads everything: its leader connection is the bootstrap
 *   connection itself (matched by `hello`'s broker id), so it needs no second WebSocket.
 * - A broker connection that closes is dropped at once (it does not reconnect): its users get
 *   `NETWORK_EXCEPTION` or their `disconnect` event, forget the topic's metadata and ask
 *   again, which finds the new leader once the cluster has elected one.
 * - A partition without a leader (or whose leader is not among the live brokers) is
 *   `LEADER_NOT_AVAILABLE`, retriable.
 *
 * @example
 * ```ts
 * import { BrokerPool } from "./broker-pool.ts";
 * const pool = new BrokerPool(new Connection({ brokers: ["10.0.0.1:9092", "10.0.0.2:9092"] }), { metadataMaxAgeMs: 300_000 });
 * const leader = await pool.leaderConnection("orders", 2);
 * await leader.request("produce", body);
 * await pool.close();
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { HelloResponse, MetadataResponse } from "../protocol/index.ts";
import { ClusterMetadata } from "./cluster-metadata.ts";
import type { Connection } from "./connection.ts";

/**
 * The default of `metadataMaxAgeMs` (Kafka's metadata.max.age.ms).
 *
 * @example
 * ```ts
 * new BrokerPool(connection, { metadataMaxAgeMs: DEFAULT_METADATA_MAX_AGE_MS });
 * ```
 */
export const DEFAULT_METADATA_MAX_AGE_MS = 300_000;

interface Pooled {
  url: string;
  connection: Connection;
  unlisten: () => void;
}

/**
 * The pool; see the module documentation.
 *
 * @example
 * ```ts
 * const any = pool.anyConnection(); // for metadata and topic administration
 * ```
 */
export class BrokerPool {
  /** The connection to the bootstrap addresses. */
  readonly bootstrap: Connection;
  /** Brokers and partition leaders as `metadata` told them. */
  readonly metadata: ClusterMetadata;
  readonly #pooled = new Map<number, Pooled>();
  readonly #unlisten: () => void;
  #routing: boolean | undefined;
  #rotation = 0;
  #closed = false;

  /**
   * A pool around `bootstrap` (which stays the caller's to close).
   *
   * @example
   * ```ts
   * new BrokerPool(connection, { metadataMaxAgeMs: 60_000 });
   * ```
   */
  constructor(bootstrap: Connection, options: { metadataMaxAgeMs?: number } = {}) {
    this.bootstrap = bootstrap;
    this.metadata = new ClusterMetadata(
      (topics) => this.anyConnection().request<MetadataResponse>("metadata", { topics }),
      options.metadataMaxAgeMs ?? DEFAULT_METADATA_MAX_AGE_MS,
    );
    if (bootstrap.hello !== undefined) this.#routing = answersMetadata(bootstrap.hello);
    this.#unlisten = bootstrap.on("connect", ({ hello }) => (this.#routing = answersMetadata(hello)));
  }

  /**
   * Whether requests are routed to partition leaders (the bootstrap broker answers `metadata`);
   * connects the bootstrap connection to find out, and says no while it cannot.
   *
   * @example
   * ```ts
   * if (await pool.routes()) console.log("routing by metadata");
   * ```
   */
  async routes(): Promise<boolean> {
    if (this.#routing === undefined) await this.bootstrap.connect().catch(() => undefined);
    return this.#routing ?? false;
  }

  /**
   * Whether requests are known to be routed by metadata (false until the bootstrap broker said
   * hello); see {@link routes}.
   *
   * @example
   * ```ts
   * if (pool.routing) pool.metadata.invalidate(topic);
   * ```
   */
  get routing(): boolean {
    return this.#routing ?? false;
  }

  /**
   * Whether requests are routed and the cluster, as last told, has more than one live broker: when
   * a broker is lost, another may take over its partitions. (A broker that runs alone is waited
   * for: the bootstrap connection reconnects to it.)
   *
   * @example
   * ```ts
   * if (pool.clustered) findTheNewLeader();
   * ```
   */
  get clustered(): boolean {
    return this.routing && this.metadata.brokers.size > 1;
  }

  /**
   * Whether `connection` is the bootstrap connection (which reconnects by itself).
   *
   * @example
   * ```ts
   * if (!pool.isBootstrap(connection)) forgetLeader();
   * ```
   */
  isBootstrap(connection: Connection): boolean {
    return connection === this.bootstrap;
  }

  /**
   * The connection to a partition's leader: from the metadata (cached for `metadataMaxAgeMs`, else
   * asked for). Without routing, or while the topic or partition is unknown to the cluster, the
   * bootstrap connection (whose broker then answers for itself). Rejects with `LEADER_NOT_AVAILABLE` (retriable) while the partition
   * has no live leader.
   *
   * @example
   * ```ts
   * const connection = await pool.leaderConnection("orders", 0);
   * ```
   */
  async leaderConnection(topic: string, partition: number): Promise<Connection> {
    if (!(await this.routes())) return this.bootstrap;
    let leader: number | undefined;
    try {
      leader = (await this.metadata.topic(topic)).partitions[partition]?.leader;
    } catch {
      leader = this.metadata.leader(topic, partition); // what was known, while metadata cannot be had
    }
    if (leader === undefined) return this.bootstrap;
    if (leader < 0) {
      this.metadata.invalidate(topic);
      throw new EdgelogError("LEADER_NOT_AVAILABLE", `${topic}-${partition} has no leader right now`, { details: { topic, partition } });
    }
    const connection = await this.brokerConnection(leader);
    if (connection === undefined) {
      this.metadata.invalidate(topic);
      throw new EdgelogError("LEADER_NOT_AVAILABLE", `Broker ${leader}, the leader of ${topic}-${partition}, is not among the live brokers`, {
        details: { topic, partition, leader },
      });
    }
    return connection;
  }

  /**
   * The connection to a broker by id: the bootstrap connection when that is the broker it is
   * connected to (or the only broker of the cluster), else the pooled one (made on first use, at
   * the broker's URL from `metadata`).
   * Undefined when the cluster does not list the broker as alive.
   *
   * @example
   * ```ts
   * const coordinator = await pool.brokerConnection(error.details.coordinator);
   * ```
   */
  async brokerConnection(brokerId: number): Promise<Connection | undefined> {
    const bootstrap = this.bootstrap;
    // Alone in its cluster, the bootstrap broker is reached through the bootstrap connection even
    // while it reconnects (its advertised URL may not be the address the client knows it by).
    if (bootstrap.hello?.brokerId === brokerId && (bootstrap.ready || !this.clustered)) return bootstrap;
    let url = this.metadata.brokers.get(brokerId);
    if (url === undefined) {
      await this.metadata.refreshBrokers().catch(() => undefined);
      url = this.metadata.brokers.get(brokerId);
    }
    if (url === undefined || this.#closed) return undefined;
    return this.#pooledConnection(brokerId, url);
  }

  /**
   * A connection to some live broker, for requests any broker answers (`metadata`, topic
   * administration): the bootstrap connection while it is up, else a pooled one that is up, else
   * in turn the bootstrap addresses and the brokers `metadata` named.
   *
   * @example
   * ```ts
   * await pool.anyConnection().request("createTopics", body);
   * ```
   */
  anyConnection(): Connection {
    if (this.bootstrap.ready || this.#closed) return this.bootstrap;
    for (const { connection } of this.#pooled.values()) if (connection.ready) return connection;
    const known = [...this.metadata.brokers].filter(([id]) => id !== this.bootstrap.hello?.brokerId);
    const turn = this.#rotation++ % (known.length + 1);
    if (turn === known.length) return this.bootstrap;
    const [id, url] = known[turn]!;
    return this.#pooledConnection(id, url);
  }

  /**
   * Every connection that is open now, the bootstrap one first.
   *
   * @example
   * ```ts
   * pool.openConnections().length; // 3
   * ```
   */
  openConnections(): Connection[] {
    const open = this.bootstrap.ready ? [this.bootstrap] : [];
    for (const { connection } of this.#pooled.values()) if (connection.ready) open.push(connection);
    return open;
  }

  /**
   * Closes the broker connections (not the bootstrap one, which is the caller's).
   *
   * @example
   * ```ts
   * await pool.close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unlisten();
    const pooled = [...this.#pooled.values()];
    this.#pooled.clear();
    await Promise.all(pooled.map((p) => (p.unlisten(), p.connection.close())));
  }

  #pooledConnection(brokerId: number, url: string): Connection {
    const entry = this.#pooled.get(brokerId);
    if (entry !== undefined && entry.url === url) return entry.connection;
    if (entry !== undefined) this.#drop(brokerId, entry);
    const connection = this.bootstrap.forBroker(url);
    const unlisten = connection.on("disconnect", () => {
      const current = this.#pooled.get(brokerId);
      if (current?.connection === connection) this.#drop(brokerId, current);
    });
    this.#pooled.set(brokerId, { url, connection, unlisten });
    return connection;
  }

  #drop(brokerId: number, entry: Pooled): void {
    this.#pooled.delete(brokerId);
    entry.unlisten();
    void entry.connection.close();
  }
}

function answersMetadata(hello: HelloResponse): boolean {
  return Array.isArray(hello.ops) && hello.ops.includes("metadata");
}
