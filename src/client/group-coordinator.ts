/**
 * The connection a group member talks to its group coordinator on (protocol §14.2). In a cluster
 * the coordinator of a group is the leader of its `__consumer_offsets` partition, and the other
 * brokers answer group ops with `NOT_COORDINATOR`, naming it in `details.coordinator`. There is no
 * FindCoordinator: the link starts on the bootstrap connection and follows those answers.
 *
 * - {@link request} sends on the current connection. `NOT_COORDINATOR` with a coordinator id moves
 *   the link to that broker's connection and sends again at once; `COORDINATOR_NOT_AVAILABLE` and
 *   `COORDINATOR_LOAD_IN_PROGRESS` (the offsets topic is being created, or the new coordinator reads
 *   it) are sent again after a backoff. Up to `retry.retries` times; then the error is the caller's.
 * - The link's `connect`/`disconnect`/`push` events are those of its current connection. A move
 *   looks like a reconnect to its listeners: `disconnect` for the old connection, then `connect`
 *   (`reconnected: true`) once the new one is up — the member then heartbeats there at once and
 *   makes its group subscription again (assignment pushes follow the member's latest heartbeat).
 * - When the coordinator's connection is lost (the broker died), the link waits a backoff and
 *   moves to any live broker, whose `NOT_COORDINATOR` names the next coordinator once the cluster
 *   has elected a new leader of the offsets partition. With a broker that runs alone, the bootstrap
 *   connection reconnects by itself and the link stays on it.
 *
 * @example
 * ```ts
 * import { CoordinatorLink } from "./group-coordinator.ts";
 * const link = new CoordinatorLink(pool, "billing", retry);
 * link.on("connect", ({ reconnected }) => reconnected && heartbeatNow());
 * await link.request("groupHeartbeat", { groupId: "billing", memberEpoch: 0, subscribedTopics: ["orders"] });
 * link.close();
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { BrokerPool } from "./broker-pool.ts";
import type { ConnectionEvents, RequestOptions } from "./connection-options.ts";
import type { Connection } from "./connection.ts";
import { EventListeners } from "./event-listeners.ts";
import { backoffDelay, type ResolvedRetry, sleep } from "./retry.ts";

/** Errors after which the group op is sent again, to the coordinator then known. */
const COORDINATOR_ERRORS: ReadonlySet<string> = new Set(["NOT_COORDINATOR", "COORDINATOR_NOT_AVAILABLE", "COORDINATOR_LOAD_IN_PROGRESS"]);

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * link.current.url; // the coordinator's URL once found
 * ```
 */
export class CoordinatorLink {
  readonly #pool: BrokerPool;
  readonly #retry: ResolvedRetry;
  readonly #events = new EventListeners<ConnectionEvents>();
  #current: Connection;
  #unfollow: () => void;
  #connectedBefore = false;
  #locating = false;
  #closed = false;

  /**
   * A link for `groupId`'s ops, starting on the pool's bootstrap connection.
   *
   * @example
   * ```ts
   * new CoordinatorLink(pool, "billing", resolveRetry(undefined));
   * ```
   */
  constructor(pool: BrokerPool, readonly groupId: string, retry: ResolvedRetry) {
    this.#pool = pool;
    this.#retry = retry;
    this.#current = pool.bootstrap;
    this.#connectedBefore = pool.bootstrap.ready;
    this.#unfollow = this.#follow(pool.bootstrap);
  }

  /**
   * The connection group ops go to now (the coordinator's, once found). A group subscription lives
   * on the connection it was made on: its `credit` and `unsubscribe` go there.
   *
   * @example
   * ```ts
   * const connection = link.current;
   * await connection.request("groupSubscribe", body);
   * ```
   */
  get current(): Connection {
    return this.#current;
  }

  /**
   * Whether the current connection is open.
   *
   * @example
   * ```ts
   * if (link.ready) void heartbeat();
   * ```
   */
  get ready(): boolean {
    return this.#current.ready;
  }

  /**
   * Connects the current connection.
   *
   * @example
   * ```ts
   * await link.connect();
   * ```
   */
  connect(): Promise<unknown> {
    return this.#current.connect();
  }

  /**
   * Listens to the current connection's events (a move counts as a disconnect and a reconnect);
   * returns the function that stops listening.
   *
   * @example
   * ```ts
   * const off = link.on("push", (push) => onAssignment(push));
   * ```
   */
  on<K extends keyof ConnectionEvents>(event: K, listener: (event: ConnectionEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Sends a group op to the coordinator, following `NOT_COORDINATOR` and retrying while the
   * coordinator is not available; see the module documentation. Fails like `Connection.request`.
   *
   * @example
   * ```ts
   * const reply = await link.request<OffsetCommitResponse>("offsetCommit", { groupId, offsets });
   * ```
   */
  async request<T = Record<string, unknown>>(op: string, body: Record<string, unknown>, options: RequestOptions<T> = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const connection = this.#current;
      try {
        return await connection.request<T>(op, body, options);
      } catch (error) {
        if (!(error instanceof EdgelogError)) throw error;
        if (error.code === "NETWORK_EXCEPTION" && !connection.ready) this.#lost(connection);
        if (!COORDINATOR_ERRORS.has(error.code) || attempt >= this.#retry.retries || this.#closed) throw error;
        const moved = error.code === "NOT_COORDINATOR" && (await this.#redirect(error));
        if (!moved) await sleep(backoffDelay(attempt, this.#retry));
      }
    }
  }

  /**
   * Stops following connections (the consumer is closing); closes none of them.
   *
   * @example
   * ```ts
   * link.close();
   * ```
   */
  close(): void {
    this.#closed = true;
    this.#unfollow();
  }

  /** Moves to the coordinator an error names; false when it names none the pool can reach, or the current one. */
  async #redirect(error: EdgelogError): Promise<boolean> {
    const coordinator = error.details?.["coordinator"];
    if (typeof coordinator !== "number" || coordinator < 0) return false;
    const connection = await this.#pool.brokerConnection(coordinator);
    if (connection === undefined || connection === this.#current || this.#closed) return false;
    this.#moveTo(connection);
    return true;
  }

  /** Makes `connection` the current one: listeners see a disconnect, then a connect once it is up. */
  #moveTo(connection: Connection): void {
    const old = this.#current;
    if (connection === old) return;
    this.#unfollow();
    this.#current = connection;
    this.#unfollow = this.#follow(connection);
    if (old.ready) this.#events.emit("disconnect", { url: old.url ?? "", code: 1000, reason: "Moved to the group coordinator" });
    if (connection.ready) {
      queueMicrotask(() => {
        if (this.#current === connection && connection.ready && !this.#closed) this.#connected(connection, true);
      });
    } else {
      void connection.connect().catch(() => this.#lost(connection));
    }
  }

  #follow(connection: Connection): () => void {
    const off = [
      connection.on("push", (push) => this.#events.emit("push", push)),
      connection.on("connect", ({ reconnected }) => this.#connected(connection, reconnected)),
      connection.on("disconnect", (event) => {
        this.#events.emit("disconnect", event);
        this.#lost(connection);
      }),
    ];
    return () => {
      for (const stop of off) stop();
    };
  }

  #connected(connection: Connection, reconnected: boolean): void {
    const hello = connection.hello;
    if (hello === undefined) return;
    this.#events.emit("connect", { url: connection.url ?? "", hello, reconnected: reconnected || this.#connectedBefore });
    this.#connectedBefore = true;
  }

  /**
   * The current connection is gone or cannot connect: move to some live broker (after a backoff,
   * unless the connection came back meanwhile). Without routing the bootstrap connection, which
   * reconnects by itself, is the only one; a broker that runs alone is reached through it again.
   */
  #lost(connection: Connection): void {
    if (connection !== this.#current || this.#closed || !this.#pool.routing) return;
    // A search under way looks at whatever connection is current at each turn: a move it did not
    // make (a redirect) that fails is its business too.
    if (this.#locating) return;
    this.#locating = true;
    void (async () => {
      try {
        for (let attempt = 0; !this.#closed && !this.#current.ready; attempt++) {
          await sleep(backoffDelay(Math.min(attempt, 3), this.#retry));
          if (this.#closed || this.#current.ready) return;
          const target = this.#pool.anyConnection();
          const up = await target.connect().then(
            () => true,
            () => false,
          );
          if (!up || this.#closed || this.#current.ready) continue;
          this.#moveTo(target);
        }
      } finally {
        this.#locating = false;
      }
    })();
  }
}
