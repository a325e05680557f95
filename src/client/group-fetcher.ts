/**
 * A group member's `groupSubscribe` (protocol §7.16): one subscription whose pushes carry the
 * records of every partition the member owns, all spending one credit pool (§9). The fetcher routes
 * each push to its {@link GroupPartition}, in arrival order: records of a partition the member does
 * not own (any more) are dropped and their credit goes back at once.
 *
 * - Credit: the pool's window is the consumer's `maxBufferedRecords`/`maxBufferedBytes`, shared by
 *   all partitions; consumed (or dropped) credit goes back as `credit-window.ts` describes.
 * - A new group subscription (after a reconnect, a seek, a resume, a retriable partition error)
 *   starts each partition at the group's committed offset; records below a partition's `received`
 *   are dropped, so nothing is delivered twice.
 * - Retention gaps: when a push starts past the offset expected while that offset is below the log
 *   start (the broker reset the stream, as Kafka's consumer resets), the gap is reported.
 * - An error push for one partition fails that partition (`OFFSET_OUT_OF_RANGE` after reporting the
 *   gap) or, when retriable, starts the subscription again after a backoff; an error push for the
 *   whole subscription, or `groupSubscribe` failing, leaves it to the member to subscribe again
 *   after its next heartbeat.
 * - In a cluster the group subscription lives on the coordinator (`group-coordinator.ts`), which
 *   streams only the partitions it leads: a partition whose stream ends with
 *   `NOT_LEADER_OR_FOLLOWER` (or, in a cluster, `UNKNOWN_TOPIC_OR_PARTITION`: the coordinator holds
 *   no replica of it) is read from its leader from then on (`group-leader-stream.ts`) until the
 *   member loses it; what the group subscription still pushes of it is dropped.
 *
 * @example
 * ```ts
 * import { GroupFetcher } from "./group-fetcher.ts";
 * const fetcher = new GroupFetcher(host);
 * await fetcher.subscribe();          // after a heartbeat on this connection
 * await fetcher.restart(() => commit()); // a new subscription, from the committed offsets
 * ```
 * @module
 */
import { asEdgelogError, EdgelogError, isEdgelogError } from "../core/errors.ts";
import { decodeRecordBatches } from "../core/record/record-batch.ts";
import { decodeBase64 } from "../protocol/base64.ts";
import type { CreditAmount, GroupSubscribeResponse, PushFrame, RecordsPush } from "../protocol/index.ts";
import type { BrokerPool } from "./broker-pool.ts";
import type { Connection } from "./connection.ts";
import { ConsumedRecord } from "./consumed-record.ts";
import { creditOf, CreditWindow } from "./credit-window.ts";
import type { CoordinatorLink } from "./group-coordinator.ts";
import { GroupLeaderStream, isLeaderCredit } from "./group-leader-stream.ts";
import type { GroupPartition } from "./group-partition.ts";
import { backoffDelay, type ResolvedRetry } from "./retry.ts";
import type { AutoOffsetReset, RetentionGap } from "./stream-host.ts";
import { fromWireError } from "../protocol/wire-error.ts";

/**
 * What the fetcher needs from its group consumer.
 *
 * @example
 * ```ts
 * const host: GroupFetcherHost = { link, pool, groupId: "g", window, retry, memberId: () => id, autoOffsetReset: () => "latest",
 *   partition: (t, p) => owned.get(`${t}/${p}`), committed: (p) => commits.committedOffset(p), onGap, lost: () => heartbeatNow(), crash };
 * ```
 */
export interface GroupFetcherHost {
  /** The connection to the group's coordinator: the group subscription is made on its current connection. */
  readonly link: CoordinatorLink;
  /** The connections to partition leaders, for partitions the coordinator does not stream. */
  readonly pool: BrokerPool;
  readonly groupId: string;
  readonly window: CreditAmount;
  readonly retry: ResolvedRetry;
  memberId(): string | undefined;
  autoOffsetReset(): AutoOffsetReset;
  /** The partition the member owns now, undefined when it does not. */
  partition(topic: string, partition: number): GroupPartition | undefined;
  /** The group's committed offset of a partition (-1: none), asked of the coordinator when not known. */
  committed(p: GroupPartition): Promise<number>;
  onGap(gap: RetentionGap): void;
  /** The group subscription ended (or could not start): subscribe again after the next heartbeat. */
  lost(): void;
  /** A failure that retrying cannot fix. */
  crash(error: EdgelogError): void;
}

type State = "none" | "subscribing" | "subscribed";

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * fetcher.onDisconnected(); // the subscription ended with the connection
 * ```
 */
export class GroupFetcher {
  readonly #host: GroupFetcherHost;
  readonly #credit: CreditWindow;
  #state: State = "none";
  #sub: number | undefined;
  /** The connection the group subscription was made on. */
  #connection: Connection | undefined;
  /** Partitions read from their leaders instead. */
  readonly #direct = new Map<GroupPartition, GroupLeaderStream>();
  /** Pushes and replies of an older subscription are ignored. */
  #epoch = 0;
  #chain: Promise<void> = Promise.resolve();
  #ops: Promise<void> = Promise.resolve();
  #retries = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  /**
   * A fetcher with a pool of `host.window`; subscribes on {@link subscribe}.
   *
   * @example
   * ```ts
   * new GroupFetcher(host);
   * ```
   */
  constructor(host: GroupFetcherHost) {
    this.#host = host;
    this.#credit = new CreditWindow(host.window);
  }

  /**
   * Whether a group subscription is live or being made.
   *
   * @example
   * ```ts
   * if (!fetcher.active) await fetcher.subscribe();
   * ```
   */
  get active(): boolean {
    return this.#state !== "none";
  }

  /**
   * Makes the group subscription when there is none (the member must have heartbeated on this
   * connection). Resolves after the attempt; a failure leaves it to the next heartbeat.
   *
   * @example
   * ```ts
   * await fetcher.subscribe();
   * ```
   */
  subscribe(): Promise<void> {
    return this.#enqueue(() => this.#subscribe());
  }

  /**
   * Ends the group subscription (pushes in transit are ignored from now on), runs `between` (e.g. a
   * commit that tells the broker where to start), and subscribes again.
   *
   * @example
   * ```ts
   * await fetcher.restart(async () => { await commit([{ topic, partition, offset }]); });
   * ```
   */
  restart(between?: () => Promise<void>): Promise<void> {
    const ending = this.#detach();
    return this.#enqueue(async () => {
      await ending();
      await between?.();
      await this.#subscribe();
      for (const stream of this.#direct.values()) stream.restart();
    });
  }

  /**
   * The coordinator's connection closed, or the member moved to another coordinator: the
   * subscription is gone with it (one left on a connection still open is ended there).
   *
   * @example
   * ```ts
   * link.on("disconnect", () => fetcher.onDisconnected());
   * ```
   */
  onDisconnected(): void {
    void this.#detach()();
  }

  /**
   * Ends the leader streams of partitions the member no longer owns.
   *
   * @example
   * ```ts
   * owned.apply(assignment);
   * fetcher.dropClosed();
   * ```
   */
  dropClosed(): void {
    for (const [p, stream] of this.#direct) {
      if (!p.closed) continue;
      this.#direct.delete(p);
      void stream.stop();
    }
  }

  /**
   * Ends the group subscription for good.
   *
   * @example
   * ```ts
   * await fetcher.stop();
   * ```
   */
  stop(): Promise<void> {
    this.#stopped = true;
    const ending = this.#detach();
    const direct = [...this.#direct.values()];
    this.#direct.clear();
    return this.#enqueue(async () => {
      await Promise.all([ending(), ...direct.map((stream) => stream.stop())]);
    });
  }

  /**
   * Credit of records consumed or dropped: it goes back to the broker when due.
   *
   * @example
   * ```ts
   * fetcher.release({ records: 3, bytes: 250 });
   * ```
   */
  release(credit: CreditAmount): void {
    if (isLeaderCredit(credit)) {
      credit.returned();
      return;
    }
    this.#credit.release(credit);
    this.#maybeGrant();
  }

  #enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.#ops.then(op);
    this.#ops = run.catch(() => undefined);
    return run;
  }

  /** Forgets the current subscription at once; the returned function unsubscribes it. */
  #detach(): () => Promise<void> {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const sub = this.#sub;
    const live = this.#state === "subscribed";
    const connection = this.#connection;
    this.#epoch++;
    this.#state = "none";
    this.#sub = undefined;
    if (sub === undefined || connection === undefined) return async () => {};
    connection.unroute(sub);
    return async () => {
      if (live && connection.ready) await connection.request("unsubscribe", { sub }).catch(() => undefined);
    };
  }

  async #subscribe(): Promise<void> {
    const host = this.#host;
    const memberId = host.memberId();
    const connection = host.link.current;
    if (this.#stopped || this.#state !== "none" || memberId === undefined || !connection.ready) return;
    const epoch = ++this.#epoch;
    this.#state = "subscribing";
    this.#connection = connection;
    const body = { groupId: host.groupId, memberId, credit: this.#credit.start(false), autoOffsetReset: host.autoOffsetReset() };
    try {
      await connection.request<GroupSubscribeResponse>("groupSubscribe", body, {
        onReply: (reply) => {
          if (epoch !== this.#epoch) {
            // Replaced while the request was out: end the subscription the broker made (before the next groupSubscribe goes out).
            connection.request("unsubscribe", { sub: reply.sub }).catch(() => undefined);
            return;
          }
          this.#sub = reply.sub;
          this.#state = "subscribed";
          connection.route(reply.sub, (push) => this.#onPush(epoch, push));
        },
      });
      if (epoch === this.#epoch) this.#maybeGrant();
    } catch (error) {
      if (epoch !== this.#epoch) return;
      this.#state = "none";
      const e = asEdgelogError(error);
      if (e.retriable || e.code === "UNKNOWN_MEMBER_ID" || e.code === "BROKER_NOT_AVAILABLE") host.lost();
      else host.crash(e);
    }
  }

  #onPush(epoch: number, push: PushFrame): void {
    if (epoch !== this.#epoch) return;
    if (push.push === "records") {
      const bytes = typeof push.batches === "string" ? decodeBase64(push.batches) : push.batches;
      if (!(bytes instanceof Uint8Array)) return;
      const spent = creditOf(bytes);
      this.#credit.receive(spent);
      this.#retries = 0;
      const p = this.#host.partition(push.topic, push.partition);
      if (p === undefined || p.closed || this.#direct.has(p)) {
        this.release(spent);
        return;
      }
      p.pushed();
      this.#chain = this.#chain.then(() => this.#onRecords(p, push, bytes, spent));
    } else if (push.push === "error") {
      if (push.topic === undefined || push.partition === undefined) {
        this.#detach();
        this.#host.lost();
        return;
      }
      const { topic, partition } = push;
      this.#chain = this.#chain.then(() => this.#onPartitionError(topic, partition, fromWireError(push.error), push.logStartOffset));
    }
  }

  /** In push order: checks for a gap, decodes, and hands the records not seen before to the partition. */
  async #onRecords(p: GroupPartition, push: RecordsPush, bytes: Uint8Array, spent: CreditAmount): Promise<void> {
    const generation = p.generation;
    if (p.closed || p.paused) {
      p.accept(generation, [], spent, push.highWatermark, push.nextOffset);
      return;
    }
    const expected = p.received;
    if (expected === undefined) {
      p.firstPush ??= { firstOffset: push.firstOffset, logStartOffset: push.logStartOffset };
    } else if (push.firstOffset > expected && expected < push.logStartOffset) {
      this.#host.onGap({ topic: p.topic, partition: p.partition, requestedOffset: expected, logStartOffset: push.logStartOffset });
    }
    const min = Math.max(push.firstOffset, expected ?? push.firstOffset);
    const records: ConsumedRecord[] = [];
    try {
      for (const batch of await decodeRecordBatches(bytes)) {
        if (batch.isControl) continue;
        for (const record of batch.records) if (record.offset >= min) records.push(new ConsumedRecord(p.topic, p.partition, record));
      }
    } catch (error) {
      p.accept(generation, [], spent, push.highWatermark, undefined);
      if (generation === p.generation) p.fail(asEdgelogError(error));
      return;
    }
    p.accept(generation, records, spent, push.highWatermark, push.nextOffset);
  }

  #onPartitionError(topic: string, partition: number, error: EdgelogError, logStartOffset: number | undefined): void {
    const p = this.#host.partition(topic, partition);
    if (p === undefined || this.#direct.has(p)) return;
    if (error.code === "NOT_LEADER_OR_FOLLOWER" || (error.code === "UNKNOWN_TOPIC_OR_PARTITION" && this.#host.pool.clustered)) {
      this.#readFromLeader(p);
      return;
    }
    if (error.code === "OFFSET_OUT_OF_RANGE") {
      const requestedOffset = p.received ?? p.committed ?? -1;
      if (logStartOffset !== undefined) this.#host.onGap({ topic, partition, requestedOffset, logStartOffset });
      const where = logStartOffset === undefined ? "" : ` (it starts at ${logStartOffset})`;
      p.fail(
        new EdgelogError("OFFSET_OUT_OF_RANGE", `Offset ${requestedOffset} of ${topic}-${partition} is not in the log${where}: ${error.message}`, {
          details: { topic, partition, requestedOffset, logStartOffset: logStartOffset ?? -1 },
          cause: error,
        }),
      );
      return;
    }
    if ((error.retriable || error.code === "BROKER_NOT_AVAILABLE") && this.#retries < this.#host.retry.retries) {
      if (this.#retryTimer !== undefined) return;
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        void this.restart();
      }, backoffDelay(this.#retries++, this.#host.retry));
      return;
    }
    p.fail(error);
  }

  /** The coordinator does not stream `p`: read it from its leader, after what the member received. */
  #readFromLeader(p: GroupPartition): void {
    if (this.#stopped || p.closed) return;
    const host = this.#host;
    const stream = new GroupLeaderStream(
      {
        pool: host.pool,
        window: host.window,
        retry: host.retry,
        autoOffsetReset: () => host.autoOffsetReset(),
        onGap: (gap) => host.onGap(gap),
        committed: (partition) => host.committed(partition),
      },
      p,
    );
    this.#direct.set(p, stream);
    void stream.start();
  }

  /** Sends the credit due back when {@link CreditWindow.takeGrant} says so. */
  #maybeGrant(): void {
    const sub = this.#sub;
    const connection = this.#connection;
    if (this.#state !== "subscribed" || sub === undefined || connection === undefined) return;
    const grant = this.#credit.takeGrant();
    if (grant === undefined) return;
    const epoch = this.#epoch;
    connection.request("credit", { sub, records: grant.records, bytes: grant.bytes }).catch((error: unknown) => {
      // The subscription ended meanwhile: the next one starts with the window minus what is held.
      if (epoch !== this.#epoch || isEdgelogError(error, "INVALID_REQUEST") || !connection.ready) return;
      this.#credit.giveBack(grant);
      setTimeout(() => this.#maybeGrant(), backoffDelay(0, this.#host.retry));
    });
  }
}
