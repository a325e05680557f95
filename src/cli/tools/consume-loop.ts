/**
 * The consuming loop the console and perf consumers share: hands records to the tool one by one
 * until `maxMessages` were consumed, no record came for `idleTimeoutMs`, a SIGINT/SIGTERM arrived,
 * or the consumer failed; and says which of these ended it. It iterates the consumer, so a record
 * counts as processed (and, in a group, may be committed) only once the tool handled it: stopping
 * after `maxMessages` leaves the records after them for the next reader of the group.
 *
 * @example
 * ```ts
 * const { count, reason } = await consumeLoop({ consumer, maxMessages: 10, onRecord: (record) => print(record) });
 * console.error(`Processed a total of ${count} messages`);
 * ```
 * @module
 */
import type { ConsumedRecord } from "../../client/consumed-record.ts";
import type { Consumer } from "../../client/consumer.ts";
import { onStopSignal } from "./stop-signals.ts";

/**
 * What {@link consumeLoop} runs.
 *
 * @example
 * ```ts
 * const options: ConsumeLoopOptions = { consumer, idleTimeoutMs: 5000, onRecord: async (record) => {} };
 * ```
 */
export interface ConsumeLoopOptions {
  /** An assigned or subscribed consumer. */
  consumer: Consumer;
  /** Stop after this many records; undefined: no limit. */
  maxMessages?: number;
  /** Stop when no record arrives for this long; undefined: wait forever. */
  idleTimeoutMs?: number;
  /** Handles one record; the next is asked for once it resolves. */
  onRecord(record: ConsumedRecord): Promise<void> | void;
  /** Asked after each record; true stops the loop (e.g. nobody reads the output any more). */
  shouldStop?(): boolean;
}

/**
 * Why the loop ended.
 *
 * @example
 * ```ts
 * const end: ConsumeLoopEnd = { count: 3, reason: "max" };
 * ```
 */
export interface ConsumeLoopEnd {
  count: number;
  reason: "max" | "timeout" | "signal" | "stopped" | "error";
  /** With reason "error". */
  error?: unknown;
}

/**
 * Runs the loop; see the module documentation. Never rejects: a failure is reason "error".
 *
 * @example
 * ```ts
 * const end = await consumeLoop({ consumer, idleTimeoutMs: 10_000, onRecord });
 * if (end.reason === "timeout") console.error("no message within 10 s");
 * ```
 */
export async function consumeLoop(options: ConsumeLoopOptions): Promise<ConsumeLoopEnd> {
  const { consumer, maxMessages, idleTimeoutMs } = options;
  let count = 0;
  if (maxMessages !== undefined && maxMessages <= 0) return { count, reason: "max" };
  let reason: ConsumeLoopEnd["reason"] | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = (why: ConsumeLoopEnd["reason"]): void => {
    reason ??= why;
    clearTimeout(timer);
    void consumer.stop();
  };
  const arm = (): void => {
    if (idleTimeoutMs === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(() => stop("timeout"), idleTimeoutMs);
  };
  const unlisten = onStopSignal(() => stop("signal"));
  arm();
  try {
    for await (const record of consumer) {
      if (reason !== undefined) break;
      count++;
      arm();
      await options.onRecord(record);
      if (maxMessages !== undefined && count >= maxMessages) {
        reason = "max";
        break;
      }
      if (options.shouldStop?.() === true) {
        reason = "stopped";
        break;
      }
    }
    return { count, reason: reason ?? "stopped" };
  } catch (error) {
    return reason === undefined ? { count, reason: "error", error } : { count, reason };
  } finally {
    clearTimeout(timer);
    unlisten();
  }
}
