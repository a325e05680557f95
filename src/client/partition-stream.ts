/**
 * One assigned partition of a consumer: a `subscribe` on the partition's leader that lives on
 * across reconnects and leader changes, the records received but not yet consumed, and the
 * flow-control credit.
 *
 * - Credit: the broker may push at most a window of records and bytes (the consumer's
 *   `maxBufferedRecords`/`maxBufferedBytes`) beyond what the application has consumed; consumed
 *   credit goes back as `credit-window.ts` describes. Paused, nothing is granted.
 * - Position: the offset after the last record received. After a disconnect the partition is
 *   subscribed again from there with the window minus what is still unconsumed, so the
 *   application sees every offset once, in order. Records below the position are dropped.
 * - Leaders: the subscription goes to the partition's leader (`broker-pool.ts`). When that
 *   connection closes, or the subscription ends with `NOT_LEADER_OR_FOLLOWER`, the stream forgets
 *   the topic's metadata and subscribes again from its position on the leader named then, after a
 *   backoff, until it succeeds (`stream-recovery.ts`): the application sees every offset once.
 * - A position that is no longer in the log (`OFFSET_OUT_OF_RANGE`: retention or deleteRecords
 *   removed it, or a seek past the end) is reported to `onGap`; then the stream goes on from the log
 *   start (`autoOffsetReset: "earliest"`), from the end (`"latest"`), or fails (`"none"`). Other
 *   retriable errors subscribe again after a backoff, up to `retry.retries` times; then the stream
 *   fails. A failure is delivered after the records received before it.
 *
 * @example
 * ```ts
 * import { PartitionStream } from "./partition-stream.ts";
 * const stream = new PartitionStream(host, "orders", 0, "earliest");
 * await stream.start();
 * if (stream.ready) { const { records, release } = stream.take(100); handle(records); release(); }
 * ```
 * @module
 */
import { asEdgelogError, EdgelogError, isEdgelogError } from "../core/errors.ts";
import { decodeRecordBatches } from "../core/record/record-batch.ts";
import { decodeBase64 } from "../protocol/base64.ts";
import type { CreditAmount, PushFrame, SubscribeFrom, SubscribeResponse } from "../protocol/index.ts";
import type { Connection } from "./connection.ts";
import { ConsumedRecord } from "./consumed-record.ts";
import { creditOf } from "./credit-window.ts";
import { ReceivedRecords } from "./received-records.ts";
import { backoffDelay } from "./retry.ts";
import type { StreamHost } from "./stream-host.ts";
import { afterGap, recoveryFor } from "./stream-recovery.ts";
import { fromWireError } from "../protocol/wire-error.ts";

/**
 * Records taken from a stream; call `release()` once they are processed, to grant their credit back.
 *
 * @example
 * ```ts
 * const { records, release } = stream.take(10);
 * try { await handle(records); } finally { release(); }
 * ```
 */
export interface Taken {
  records: ConsumedRecord[];
  /** The partition's high watermark as last pushed. */
  highWatermark: number;
  release(): void;
}

type Phase = "detached" | "subscribing" | "subscribed" | "ending" | "failed" | "stopped";

/**
 * One assigned partition; see the module documentation.
 *
 * @example
 * ```ts
 * stream.pause();
 * await stream.seek(100);
 * stream.resume();
 * ```
 */
export class PartitionStream {
  readonly topic: string;
  readonly partition: number;
  readonly #host: StreamHost;
  #phase: Phase = "detached";
  #from: SubscribeFrom;
  #position: number | undefined;
  #delivered: number | undefined;
  #highWatermark = -1;
  #sub: number | undefined;
  #epoch = 0;
  #paused = false;
  readonly #received: ReceivedRecords;
  #chain: Promise<void> = Promise.resolve();
  #ops: Promise<void> = Promise.resolve();
  #failure: EdgelogError | undefined;
  #failureSurfaced = false;
  #retries = 0;
  #leaderRetries = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The connection of the current (or last) subscription, and the end of listening to it. */
  #connection: Connection | undefined;
  #unlisten: (() => void) | undefined;

  /**
   * A stream of `topic`/`partition` that will start at `from`.
   *
   * @example
   * ```ts
   * new PartitionStream(host, "orders", 2, { offset: 1000 });
   * ```
   */
  constructor(host: StreamHost, topic: string, partition: number, from: SubscribeFrom) {
    this.#host = host;
    this.#received = new ReceivedRecords(host.window);
    this.topic = topic;
    this.partition = partition;
    this.#from = from;
    if (typeof from === "object" && "offset" in from) {
      this.#position = from.offset;
      this.#delivered = from.offset;
    }
  }

  /**
   * The next offset the application will get (after the last record taken), once known.
   *
   * @example
   * ```ts
   * stream.position; // 120
   * ```
   */
  get position(): number | undefined {
    return this.#delivered;
  }

  /**
   * Whether the stream is paused.
   *
   * @example
   * ```ts
   * if (stream.paused) stream.resume();
   * ```
   */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Whether {@link take} has something: records, or a failure not yet reported. Never while paused.
   *
   * @example
   * ```ts
   * if (stream.ready) deliver(stream.take(1));
   * ```
   */
  get ready(): boolean {
    if (this.#paused) return false;
    return !this.#received.empty || (this.#failure !== undefined && !this.#failureSurfaced);
  }

  /**
   * Subscribes (when the connection is up; otherwise on the next `onConnected`). Resolves after the
   * first attempt, whatever its outcome: failures come out of {@link take}.
   *
   * @example
   * ```ts
   * await stream.start();
   * ```
   */
  start(): Promise<void> {
    return this.#enqueue(() => this.#subscribe());
  }

  /**
   * Takes up to `max` records in offset order. When nothing is left but a failure, throws it (once).
   *
   * @example
   * ```ts
   * const { records, release } = stream.take(500);
   * ```
   */
  take(max: number): Taken {
    if (this.#paused) return { records: [], highWatermark: this.#highWatermark, release: () => {} };
    if (this.#received.empty && this.#failure !== undefined && !this.#failureSurfaced) {
      this.#failureSurfaced = true;
      throw this.#failure;
    }
    const { records, release } = this.#received.take(max, () => this.#maybeGrant());
    if (records.length > 0) this.#delivered = records[records.length - 1]!.offset + 1;
    return { records, highWatermark: this.#highWatermark, release };
  }

  /**
   * Stops delivering and granting credit; the broker stops pushing once the window is spent.
   *
   * @example
   * ```ts
   * stream.pause();
   * ```
   */
  pause(): void {
    this.#paused = true;
  }

  /**
   * Delivers and grants credit again.
   *
   * @example
   * ```ts
   * stream.resume();
   * ```
   */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#maybeGrant();
    this.#host.readable();
  }

  /**
   * Drops what was received and continues from `offset` (clears a failure).
   *
   * @example
   * ```ts
   * await stream.seek(0);
   * ```
   */
  seek(offset: number): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#phase === "stopped") return;
      await this.#end();
      this.#received.drop();
      this.#from = { offset };
      this.#position = offset;
      this.#delivered = offset;
      this.#failure = undefined;
      this.#retries = 0;
      this.#phase = "detached";
      await this.#subscribe();
    });
  }

  /**
   * Ends the subscription for good and drops what was received.
   *
   * @example
   * ```ts
   * await stream.stop();
   * ```
   */
  stop(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#phase === "stopped") return;
      await this.#end();
      this.#received.drop();
      this.#phase = "stopped";
      this.#unlisten?.();
      this.#unlisten = undefined;
    });
  }

  #enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.#ops.then(op);
    this.#ops = run.catch(() => undefined);
    return run;
  }

  async #subscribe(): Promise<void> {
    if (this.#phase !== "detached") return;
    const { pool } = this.#host;
    const epoch = ++this.#epoch;
    this.#phase = "subscribing";
    let connection: Connection;
    try {
      connection = await pool.leaderConnection(this.topic, this.partition);
    } catch (error) {
      if (epoch !== this.#epoch) return;
      this.#phase = "detached";
      this.#onError(asEdgelogError(error));
      return;
    }
    if (epoch !== this.#epoch) return;
    this.#attach(connection);
    if (pool.isBootstrap(connection) && !connection.ready) {
      this.#phase = "detached"; // its "connect" subscribes again; in a cluster, so may another broker
      if (pool.clustered) this.#retryLater(true);
      return;
    }
    const credit = this.#received.credit.start(this.#paused);
    const from: SubscribeFrom = this.#position !== undefined ? { offset: this.#position } : this.#from;
    try {
      await connection.request<SubscribeResponse>(
        "subscribe",
        { topic: this.topic, partition: this.partition, from, credit },
        {
          onReply: (reply) => {
            if (epoch !== this.#epoch) return;
            this.#sub = reply.sub;
            this.#phase = "subscribed";
            this.#position ??= reply.offset;
            this.#delivered ??= reply.offset;
            this.#highWatermark = reply.highWatermark;
            connection.route(reply.sub, (push) => this.#onPush(epoch, push));
          },
        },
      );
      if (epoch !== this.#epoch) return;
      this.#retries = 0;
      this.#leaderRetries = 0;
      this.#maybeGrant();
    } catch (error) {
      if (epoch !== this.#epoch) return;
      this.#phase = "detached";
      this.#onError(asEdgelogError(error));
    }
  }

  /** Follows the connection the stream subscribes on: its close ends the subscription, its (re)connect may start one. */
  #attach(connection: Connection): void {
    if (this.#connection === connection) return;
    this.#unlisten?.();
    this.#connection = connection;
    const offDisconnect = connection.on("disconnect", () => this.#connectionLost(connection));
    const offConnect = connection.on("connect", () => this.#connected());
    this.#unlisten = () => {
      offDisconnect();
      offConnect();
    };
  }

  /** The connection is up again (the bootstrap connection reconnects by itself): subscribe now if detached. */
  #connected(): void {
    if (this.#phase !== "detached") return;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    void this.#enqueue(() => this.#subscribe());
  }

  /** The subscription's connection closed: the subscription is gone; records received stay. */
  #connectionLost(connection: Connection): void {
    if (connection !== this.#connection || (this.#phase !== "subscribed" && this.#phase !== "subscribing")) return;
    this.#phase = "detached";
    this.#sub = undefined;
    this.#epoch++;
    if (this.#host.pool.clustered) this.#retryLater(true);
  }

  #onPush(epoch: number, push: PushFrame): void {
    if (epoch !== this.#epoch) return;
    const generation = this.#received.generation;
    if (push.push === "records") {
      const bytes = typeof push.batches === "string" ? decodeBase64(push.batches) : push.batches;
      if (!(bytes instanceof Uint8Array)) return;
      const credit = creditOf(bytes);
      const min = Math.max(push.firstOffset, this.#position ?? push.firstOffset);
      if (this.#position === undefined || push.nextOffset > this.#position) this.#position = push.nextOffset;
      this.#received.credit.receive(credit);
      this.#highWatermark = push.highWatermark;
      this.#chain = this.#chain.then(() => this.#decode(generation, bytes, min, credit));
    } else if (push.push === "error") {
      if (this.#sub !== undefined) this.#connection?.unroute(this.#sub);
      this.#sub = undefined;
      this.#epoch++;
      this.#phase = "ending";
      this.#chain = this.#chain.then(() => {
        if (generation !== this.#received.generation || this.#phase !== "ending") return;
        this.#phase = "detached";
        this.#onError(fromWireError(push.error), push.logStartOffset);
      });
    }
  }

  async #decode(generation: number, bytes: Uint8Array, min: number, credit: CreditAmount): Promise<void> {
    const records: ConsumedRecord[] = [];
    try {
      for (const batch of await decodeRecordBatches(bytes)) {
        if (batch.isControl) continue;
        for (const record of batch.records) if (record.offset >= min) records.push(new ConsumedRecord(this.topic, this.partition, record));
      }
    } catch (error) {
      if (generation !== this.#received.generation) return;
      this.#received.release(generation, credit, () => this.#maybeGrant());
      void this.#enqueue(async () => {
        if (generation !== this.#received.generation || this.#phase === "stopped") return;
        await this.#end();
        this.#fail(asEdgelogError(error));
      });
      return;
    }
    if (generation !== this.#received.generation) return;
    if (records.length === 0) {
      this.#received.release(generation, credit, () => this.#maybeGrant());
      return;
    }
    this.#received.add(generation, records, credit);
    this.#host.readable();
  }

  /** A subscription failed or ended with an error: report a gap, retry, or fail (see `stream-recovery.ts`). */
  #onError(error: EdgelogError, logStartOffset?: number): void {
    const host = this.#host;
    const recovery = recoveryFor(error, { position: this.#position, clustered: host.pool.clustered, retriesLeft: this.#retries < host.retry.retries });
    if (recovery.action === "reset") {
      this.#reset(error, logStartOffset);
    } else if (recovery.action === "retry") {
      this.#retryLater(recovery.leadership);
    } else if (recovery.action === "reconnect") {
      // the connection is down: its next "connect" subscribes again
      if (this.#connection?.ready) void this.#enqueue(() => this.#subscribe());
    } else {
      this.#fail(error);
    }
  }

  /** The position is not in the log: report the gap, then go on by `autoOffsetReset`. */
  #reset(error: EdgelogError, logStartOffset: number | undefined): void {
    const { topic, partition } = this;
    const host = this.#host;
    const next = afterGap({ topic, partition, error, logStartOffset, position: this.#position, from: this.#from, policy: host.autoOffsetReset, onGap: host.onGap });
    if (next instanceof EdgelogError) {
      this.#fail(next);
      return;
    }
    this.#position = next.position;
    this.#from = next.from;
    if (this.#received.empty) this.#delivered = this.#position;
    void this.#enqueue(() => this.#subscribe());
  }

  /**
   * Subscribes again after a backoff. A leadership problem forgets the topic's metadata and is not
   * counted against `retry.retries`: the stream waits (at most 8 initial backoffs at a time) for as
   * long as the cluster needs to elect a leader.
   */
  #retryLater(leadership: boolean): void {
    const host = this.#host;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    if (leadership) host.pool.metadata.invalidate(this.topic);
    const delay = leadership ? backoffDelay(Math.min(this.#leaderRetries++, 3), host.retry) : backoffDelay(this.#retries++, host.retry);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#enqueue(() => this.#subscribe());
    }, delay);
  }

  #fail(error: EdgelogError): void {
    this.#phase = "failed";
    this.#failure = error;
    this.#failureSurfaced = false;
    this.#host.readable();
  }

  /** Ends the current subscription, if any (unsubscribing when it is live). */
  async #end(): Promise<void> {
    if (this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    const sub = this.#sub;
    const live = this.#phase === "subscribed";
    this.#sub = undefined;
    this.#epoch++;
    if (this.#phase === "subscribed" || this.#phase === "subscribing") this.#phase = "detached";
    const connection = this.#connection;
    if (sub === undefined || connection === undefined) return;
    connection.unroute(sub);
    if (live && connection.ready) await connection.request("unsubscribe", { sub }).catch(() => undefined);
  }

  /** Sends the credit due back when {@link CreditWindow.takeGrant} says so. */
  #maybeGrant(): void {
    const sub = this.#sub;
    const connection = this.#connection;
    if (this.#phase !== "subscribed" || this.#paused || sub === undefined || connection === undefined) return;
    const grant = this.#received.credit.takeGrant();
    if (grant === undefined) return;
    const epoch = this.#epoch;
    connection.request("credit", { sub, records: grant.records, bytes: grant.bytes }).catch((error: unknown) => {
      // The subscription ended meanwhile (INVALID_REQUEST, or the connection is gone): the next
      // subscribe starts with the window minus what is held, so nothing is lost.
      if (epoch !== this.#epoch || isEdgelogError(error, "INVALID_REQUEST") || !connection.ready) return;
      this.#received.credit.giveBack(grant);
      setTimeout(() => this.#maybeGrant(), backoffDelay(0, this.#host.retry));
    });
  }
}
