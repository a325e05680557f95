/**
 * One assigned partition of a consumer: a `subscribe` on the connection that lives on across
 * reconnects, the records received but not yet consumed, and the flow-control credit.
 *
 * - Credit: the broker may push at most a window of records and bytes (the consumer's
 *   `maxBufferedRecords`/`maxBufferedBytes`) beyond what the application has consumed; consumed
 *   credit goes back as `credit-window.ts` describes. Paused, nothing is granted.
 * - Position: the offset after the last record received. After a disconnect the partition is
 *   subscribed again from there with the window minus what is still unconsumed, so the
 *   application sees every offset once, in order. Records below the position are dropped.
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
import { EdgelogError, isEdgelogError } from "../core/errors.ts";
import { decodeRecordBatches } from "../core/record/record-batch.ts";
import { decodeBase64 } from "../protocol/base64.ts";
import type { CreditAmount, PushFrame, SubscribeFrom, SubscribeResponse } from "../protocol/index.ts";
import { ConsumedRecord } from "./consumed-record.ts";
import { creditOf, CreditWindow } from "./credit-window.ts";
import { backoffDelay } from "./retry.ts";
import type { StreamHost } from "./stream-host.ts";
import { fromWireError } from "./wire-error.ts";

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

interface Entry {
  records: ConsumedRecord[];
  taken: number;
  credit: CreditAmount;
}

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
  #generation = 0;
  #paused = false;
  #entries: Entry[] = [];
  readonly #credit: CreditWindow;
  #chain: Promise<void> = Promise.resolve();
  #ops: Promise<void> = Promise.resolve();
  #failure: EdgelogError | undefined;
  #failureSurfaced = false;
  #retries = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

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
    this.#credit = new CreditWindow(host.window);
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
    return this.#entries.length > 0 || (this.#failure !== undefined && !this.#failureSurfaced);
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
   * Tells the stream a connection is up (first or new): a stream without a subscription subscribes
   * from its position.
   *
   * @example
   * ```ts
   * connection.on("connect", () => stream.onConnected());
   * ```
   */
  onConnected(): void {
    if (this.#phase === "detached" && this.#retryTimer === undefined) void this.#enqueue(() => this.#subscribe());
  }

  /**
   * Tells the stream the connection closed: its subscription is gone; records received stay.
   *
   * @example
   * ```ts
   * connection.on("disconnect", () => stream.onDisconnected());
   * ```
   */
  onDisconnected(): void {
    if (this.#phase === "subscribed" || this.#phase === "subscribing") {
      this.#phase = "detached";
      this.#sub = undefined;
      this.#epoch++;
    }
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
    if (this.#entries.length === 0 && this.#failure !== undefined && !this.#failureSurfaced) {
      this.#failureSurfaced = true;
      throw this.#failure;
    }
    const records: ConsumedRecord[] = [];
    const exhausted: CreditAmount[] = [];
    while (records.length < max && this.#entries.length > 0) {
      const entry = this.#entries[0]!;
      const count = Math.min(max - records.length, entry.records.length - entry.taken);
      for (let i = 0; i < count; i++) records.push(entry.records[entry.taken + i]!);
      entry.taken += count;
      if (entry.taken === entry.records.length) {
        this.#entries.shift();
        exhausted.push(entry.credit);
      }
    }
    if (records.length > 0) this.#delivered = records[records.length - 1]!.offset + 1;
    const generation = this.#generation;
    let released = false;
    return {
      records,
      highWatermark: this.#highWatermark,
      release: () => {
        if (released) return;
        released = true;
        for (const credit of exhausted) this.#release(generation, credit);
      },
    };
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
      this.#dropBuffer();
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
      this.#dropBuffer();
      this.#phase = "stopped";
    });
  }

  #enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.#ops.then(op);
    this.#ops = run.catch(() => undefined);
    return run;
  }

  async #subscribe(): Promise<void> {
    if (this.#phase !== "detached") return;
    const { connection } = this.#host;
    if (!connection.ready) return;
    const epoch = ++this.#epoch;
    this.#phase = "subscribing";
    const credit = this.#credit.start(this.#paused);
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
      this.#maybeGrant();
    } catch (error) {
      if (epoch !== this.#epoch) return;
      this.#phase = "detached";
      this.#onError(asEdgelogError(error));
    }
  }

  #onPush(epoch: number, push: PushFrame): void {
    if (epoch !== this.#epoch) return;
    const generation = this.#generation;
    if (push.push === "records") {
      const bytes = typeof push.batches === "string" ? decodeBase64(push.batches) : push.batches;
      if (!(bytes instanceof Uint8Array)) return;
      const credit = creditOf(bytes);
      const min = Math.max(push.firstOffset, this.#position ?? push.firstOffset);
      if (this.#position === undefined || push.nextOffset > this.#position) this.#position = push.nextOffset;
      this.#credit.receive(credit);
      this.#highWatermark = push.highWatermark;
      this.#chain = this.#chain.then(() => this.#decode(generation, bytes, min, credit));
    } else if (push.push === "error") {
      if (this.#sub !== undefined) this.#host.connection.unroute(this.#sub);
      this.#sub = undefined;
      this.#epoch++;
      this.#phase = "ending";
      this.#chain = this.#chain.then(() => {
        if (generation !== this.#generation || this.#phase !== "ending") return;
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
      if (generation !== this.#generation) return;
      this.#release(generation, credit);
      void this.#enqueue(async () => {
        if (generation !== this.#generation || this.#phase === "stopped") return;
        await this.#end();
        this.#fail(asEdgelogError(error));
      });
      return;
    }
    if (generation !== this.#generation) return;
    if (records.length === 0) {
      this.#release(generation, credit);
      return;
    }
    this.#entries.push({ records, taken: 0, credit });
    this.#host.readable();
  }

  /** A subscription failed or ended with an error: report a gap, retry, or fail. */
  #onError(error: EdgelogError, logStartOffset?: number): void {
    const host = this.#host;
    if (error.code === "OFFSET_OUT_OF_RANGE") {
      const start = logStartOffset ?? numberOr(error.details?.["logStartOffset"], -1);
      const requestedOffset = this.#position ?? (typeof this.#from === "object" && "offset" in this.#from ? this.#from.offset : -1);
      try {
        host.onGap?.({ topic: this.topic, partition: this.partition, requestedOffset, logStartOffset: start });
      } catch {
        // the application's callback must not stop the stream
      }
      if (host.autoOffsetReset === "none") {
        this.#fail(
          new EdgelogError(
            "OFFSET_OUT_OF_RANGE",
            `Offset ${requestedOffset} of ${this.topic}-${this.partition} is not in the log${start >= 0 ? ` (it starts at ${start})` : ""}`,
            { details: { topic: this.topic, partition: this.partition, requestedOffset, logStartOffset: start }, cause: error },
          ),
        );
        return;
      }
      if (host.autoOffsetReset === "earliest" && start >= 0) {
        this.#position = start;
      } else {
        this.#position = undefined;
        this.#from = host.autoOffsetReset;
      }
      if (this.#entries.length === 0) this.#delivered = this.#position;
      void this.#enqueue(() => this.#subscribe());
      return;
    }
    if (error.code === "NETWORK_EXCEPTION") {
      // the connection is down: the next "connect" subscribes again
      if (host.connection.ready) void this.#enqueue(() => this.#subscribe());
      return;
    }
    if (error.retriable && this.#retries < host.retry.retries) {
      const delay = backoffDelay(this.#retries++, host.retry);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        void this.#enqueue(() => this.#subscribe());
      }, delay);
      return;
    }
    this.#fail(error);
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
    if (sub === undefined) return;
    const { connection } = this.#host;
    connection.unroute(sub);
    if (live && connection.ready) await connection.request("unsubscribe", { sub }).catch(() => undefined);
  }

  #dropBuffer(): void {
    this.#generation++;
    this.#entries = [];
    this.#credit.reset();
  }

  #release(generation: number, credit: CreditAmount): void {
    if (generation !== this.#generation) return;
    this.#credit.release(credit);
    this.#maybeGrant();
  }

  /** Sends the credit due back when {@link CreditWindow.takeGrant} says so. */
  #maybeGrant(): void {
    const sub = this.#sub;
    if (this.#phase !== "subscribed" || this.#paused || sub === undefined) return;
    const grant = this.#credit.takeGrant();
    if (grant === undefined) return;
    const epoch = this.#epoch;
    this.#host.connection.request("credit", { sub, records: grant.records, bytes: grant.bytes }).catch((error: unknown) => {
      // The subscription ended meanwhile (INVALID_REQUEST, or the connection is gone): the next
      // subscribe starts with the window minus what is held, so nothing is lost.
      if (epoch !== this.#epoch || isEdgelogError(error, "INVALID_REQUEST") || !this.#host.connection.ready) return;
      this.#credit.giveBack(grant);
      setTimeout(() => this.#maybeGrant(), backoffDelay(0, this.#host.retry));
    });
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function asEdgelogError(error: unknown): EdgelogError {
  if (error instanceof EdgelogError) return error;
  return new EdgelogError("UNKNOWN_SERVER_ERROR", error instanceof Error ? error.message : String(error), { cause: error });
}
