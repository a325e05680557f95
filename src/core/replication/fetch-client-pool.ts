/**
 * One {@link ReplicaFetchClient} per leader broker, shared by every partition this broker follows
 * from it and closed when the last one lets go (Kafka keeps one fetcher connection per source broker).
 *
 * @example
 * ```ts
 * const pool = new FetchClientPool(factory);
 * const lease = pool.acquire({ id: 1, url: "ws://broker-1:9092" });
 * await lease.client.fetch(request);
 * lease.release();
 * ```
 * @module
 */
import type { BrokerInfo } from "../cluster/cluster-view.ts";
import type { ReplicaFetchClient, ReplicaFetchClientFactory } from "./replica-transport.ts";

/**
 * A client handed out by the pool; `release` once done with it.
 *
 * @example
 * ```ts
 * const { client, release } = pool.acquire(broker);
 * ```
 */
export interface ClientLease {
  readonly client: ReplicaFetchClient;
  release(): void;
}

/**
 * Reference-counted clients keyed by broker id and URL (a broker that moved gets a new client).
 *
 * @example
 * ```ts
 * const pool = new FetchClientPool((broker) => inProcessFetchClient(() => servers.get(broker.id)));
 * pool.size; // 0
 * ```
 */
export class FetchClientPool {
  private readonly clients = new Map<string, { client: ReplicaFetchClient; refs: number }>();

  constructor(private readonly factory: ReplicaFetchClientFactory) {}

  /** Open clients. */
  get size(): number {
    return this.clients.size;
  }

  /** The client of `broker`, made on first use. */
  acquire(broker: BrokerInfo): ClientLease {
    const key = `${broker.id} ${broker.url}`;
    let entry = this.clients.get(key);
    if (entry === undefined) {
      entry = { client: this.factory({ id: broker.id, url: broker.url }), refs: 0 };
      this.clients.set(key, entry);
    }
    entry.refs++;
    const held = entry;
    let released = false;
    return {
      client: held.client,
      release: () => {
        if (released) return;
        released = true;
        if (--held.refs > 0 || this.clients.get(key) !== held) return;
        this.clients.delete(key);
        held.client.close();
      },
    };
  }

  /** Closes every client. */
  closeAll(): void {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }
}
