/**
 * One subscription: a push stream of a partition's stored batches from a position, spending the
 * credit its subscriber grants (`src/protocol/flow-credit.ts`) and pausing while the socket's
 * output is above the high-water mark, so a slow subscriber never makes the broker buffer without
 * bound. It reads only up to the high watermark and waits for appends with the log's long poll.
 *
 * The stream ends with an error push when the position is no longer in the log (retention or
 * DeleteRecords moved the log start past it: OFFSET_OUT_OF_RANGE with the new log start), when the
 * topic is gone, or on a storage error; the subscriber decides where to resume.
 *
 * With record format "records" each push carries the same batches decoded into `records` (from the
 * position on) instead of their bytes, and spends the same credit (`../record-views.ts`).
 *
 * A group subscription (`group-subscription.ts`) runs one Subscription per assigned partition, all
 * sharing one {@link FlowCredit} (a push spends the credit before it is built, so streams sharing it
 * never overspend it) and reporting their failures to it (`onError`) instead of ending with an
 * error push of their own.
 *
 * @example
 * ```ts
 * const sub = new Subscription({ id: 1, topic: "orders", partition: 0, position: 0, credit: { records: 100, bytes: 1 << 20 }, format: "cbor", broker, session });
 * sub.start();
 * sub.grant(100, 1 << 20);
 * const resumeAt = sub.stop();
 * ```
 * @module
 */
import { EdgelogError, isEdgelogError } from "../core/errors.ts";
import type { PartitionLog } from "../core/log/partition-log.ts";
import { FlowCredit, type BatchSize } from "../protocol/flow-credit.ts";
import type { FrameFormat } from "../protocol/frame-codec.ts";
import { errorPush, recordsPush } from "../protocol/push.ts";
import type { RecordFormat, ValueEncoding } from "../protocol/record-view.ts";
import type { BrokerContext } from "./broker-context.ts";
import { planPush, storedBatches } from "./credit.ts";
import { recordViews } from "./record-views.ts";
import type { SessionScope } from "./session-scope.ts";

/**
 * The most bytes one push reads from the log (Kafka's max.partition.fetch.bytes default).
 *
 * @example
 * ```ts
 * await log.read(position, { maxBytes: Math.min(credit.bytes, MAX_PUSH_BYTES) });
 * ```
 */
export const MAX_PUSH_BYTES = 1024 * 1024;

/** How long one long-poll wait of an idle subscription lasts before it looks again. */
const WAIT_SLICE_MS = 30_000;

/**
 * What a {@link Subscription} starts from.
 *
 * @example
 * ```ts
 * const options: SubscriptionOptions = { id: 1, topic: "t", partition: 0, position: 0, credit: { records: 10, bytes: 1 << 20 }, format: "cbor", broker, session };
 * ```
 */
export interface SubscriptionOptions {
  id: number;
  topic: string;
  partition: number;
  /** The first offset to push. */
  position: number;
  /** The initial credit, or a credit pool shared with other streams (a group subscription's). */
  credit: BatchSize | FlowCredit;
  /** The format of the subscribe request; every push uses it. */
  format: FrameFormat;
  /** What pushes carry: stored `batches` (default) or decoded `records`. */
  recordFormat?: RecordFormat;
  /** With record format "records": keys, values and header values as bytes (default) or UTF-8 text. */
  valueEncoding?: ValueEncoding;
  broker: BrokerContext;
  session: SessionScope;
  /** Called, instead of sending an error push, when the stream fails (after it has stopped). */
  onError?: (error: unknown, logStartOffset: number | undefined) => void;
}

/**
 * A running push stream; see the module documentation.
 *
 * @example
 * ```ts
 * session.subscriptions.set(sub.id, sub);
 * scope.afterReply(() => sub.start());
 * ```
 */
export class Subscription {
  readonly id: number;
  readonly topic: string;
  readonly partition: number;
  private readonly credit: FlowCredit;
  private readonly format: FrameFormat;
  private readonly recordFormat: RecordFormat;
  private readonly valueEncoding: ValueEncoding;
  private readonly broker: BrokerContext;
  private readonly session: SessionScope;
  private readonly onError: ((error: unknown, logStartOffset: number | undefined) => void) | undefined;
  private readonly abort = new AbortController();
  private nextOffset: number;
  private wake: (() => void) | undefined;
  private started = false;

  constructor(options: SubscriptionOptions) {
    this.id = options.id;
    this.topic = options.topic;
    this.partition = options.partition;
    this.nextOffset = options.position;
    this.credit = options.credit instanceof FlowCredit ? options.credit : new FlowCredit(options.credit);
    this.format = options.format;
    this.recordFormat = options.recordFormat ?? "batches";
    this.valueEncoding = options.valueEncoding ?? "bytes";
    this.broker = options.broker;
    this.session = options.session;
    this.onError = options.onError;
  }

  /** The next offset to push: where a subscriber resumes after this subscription. */
  get position(): number {
    return this.nextOffset;
  }

  /** Whether the stream has ended (stopped, failed, or its session closed). */
  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** The credit left. */
  get available(): BatchSize {
    return { records: this.credit.records, bytes: this.credit.bytes };
  }

  /** Starts pushing (once); the loop's failures end the subscription, never the process. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.run().catch((error: unknown) => this.fail(error));
  }

  /** Adds credit and wakes the stream; returns the credit now available. */
  grant(records: number, bytes: number): BatchSize {
    this.credit.grant(records, bytes);
    this.wakeUp();
    return this.available;
  }

  /** Wakes a stream waiting for credit, after credit it shares with other streams was granted. */
  creditGranted(): void {
    this.wakeUp();
  }

  /** Ends the stream without a push; returns the position to resume from. */
  stop(): number {
    if (!this.stopped) {
      this.abort.abort();
      // A group subscription's partition streams carry its id but are not registered under it.
      if (this.session.subscriptions.get(this.id) === this) this.session.subscriptions.delete(this.id);
      this.wakeUp();
    }
    return this.nextOffset;
  }

  private async run(): Promise<void> {
    const { session } = this;
    while (!this.stopped && !session.signal.aborted) {
      if (!this.credit.canPush) {
        await this.sleep();
        continue;
      }
      if (!session.writable()) {
        await Promise.race([session.waitForDrain(), this.sleep()]);
        continue;
      }
      let log: PartitionLog;
      try {
        log = this.broker.leaderLog(this.topic, this.partition);
      } catch (error) {
        this.fail(error);
        return;
      }
      const position = this.nextOffset;
      if (position < log.logStartOffset || position > log.logEndOffset) {
        this.fail(outOfRange(position, log.logStartOffset, log.logEndOffset), log.logStartOffset);
        return;
      }
      if (position >= log.highWatermark) {
        if (!(await this.waitForAppend(log, position))) return;
        continue;
      }
      let read;
      try {
        read = await log.read(position, { maxBytes: Math.min(this.credit.bytes, MAX_PUSH_BYTES) });
      } catch (error) {
        const start = isEdgelogError(error, "OFFSET_OUT_OF_RANGE") ? log.logStartOffset : undefined;
        this.fail(error, start);
        return;
      }
      if (this.stopped || session.signal.aborted) return;
      const plan = planPush(this.credit, storedBatches(read.bytes));
      if (!plan) {
        // Nothing fits the credit: wait for more. Or no whole batch ends below the high watermark
        // yet (a follower's high watermark can sit inside a batch): wait for it to move.
        if (read.bytes.length > 0) await this.sleep();
        else if (!(await this.waitForAppend(log, Math.max(position, read.highWatermark)))) return;
        continue;
      }
      const head = { sub: this.id, topic: this.topic, partition: this.partition };
      const batches = read.bytes.subarray(0, plan.end);
      const tail = { firstOffset: position, nextOffset: plan.nextOffset, highWatermark: read.highWatermark, logStartOffset: read.logStartOffset };
      // Spent before the push is built: a stream sharing the credit must not plan against it meanwhile.
      this.credit.spend(plan.records, plan.bytes);
      if (this.recordFormat === "records") {
        let records;
        try {
          records = await recordViews(batches, position, this.valueEncoding);
        } catch (error) {
          this.fail(error);
          return;
        }
        if (this.stopped || session.signal.aborted) return;
        session.send(recordsPush({ ...head, records, ...tail }), this.format);
      } else {
        session.send(recordsPush({ ...head, batches, ...tail }), this.format);
      }
      this.nextOffset = plan.nextOffset;
      this.broker.metrics.recordOut(this.topic, plan.records, plan.bytes);
    }
  }

  /**
   * Long-polls the log for records past `position`. A wait that ends without records on a log that
   * has meanwhile closed or been deleted ends the stream (returns false) instead of spinning.
   */
  private async waitForAppend(log: PartitionLog, position: number): Promise<boolean> {
    if (await log.waitForAppend(position, WAIT_SLICE_MS, this.abort.signal)) {
      // Woken by an append: let the requests already received append too, so that one push carries them all.
      await nextTurn();
      return true;
    }
    if (this.stopped || this.session.signal.aborted) return false;
    try {
      await log.read(position, { maxBytes: 1 }); // throws once the log is closed or deleted
      return true;
    } catch (error) {
      if (isEdgelogError(error, "OFFSET_OUT_OF_RANGE")) {
        this.fail(error, log.logStartOffset);
      } else {
        // A log closing because its topic is being deleted reports the deletion.
        let gone: unknown;
        try {
          this.broker.partitionLog(this.topic, this.partition);
        } catch (missing) {
          gone = missing;
        }
        this.fail(gone ?? error);
      }
      return false;
    }
  }

  /** Ends the stream with an error push, or by telling `onError` (once). */
  private fail(error: unknown, logStartOffset?: number): void {
    if (this.stopped) return;
    if (!isEdgelogError(error)) this.broker.logger("error", `Subscription ${this.topic}-${this.partition} failed: ${describeError(error)}`);
    this.stop();
    if (this.onError !== undefined) this.onError(error, logStartOffset);
    else if (!this.session.signal.aborted) this.session.send(errorPush(this.id, error, logStartOffset), this.format);
  }

  /** Waits for the next grant or stop. */
  private sleep(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Resolves after the event loop has run the I/O callbacks that are due (setImmediate on Bun, Node and Deno). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function outOfRange(offset: number, logStartOffset: number, logEndOffset: number): EdgelogError {
  return new EdgelogError(
    "OFFSET_OUT_OF_RANGE",
    `Offset ${offset} is out of range [${logStartOffset}, ${logEndOffset}]`,
    { details: { offset, logStartOffset, logEndOffset } },
  );
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
