/**
 * What a consumer gives each of its partition streams: the broker connections, the credit window,
 * the retry and offset-reset policies, and the callbacks for gaps and new records.
 *
 * @example
 * ```ts
 * import type { StreamHost } from "./stream-host.ts";
 * const host: StreamHost = { pool, window: { records: 500, bytes: 1 << 20 }, retry, autoOffsetReset: "none", onGap: undefined, readable: () => wake() };
 * ```
 * @module
 */
import type { CreditAmount } from "../protocol/index.ts";
import type { BrokerPool } from "./broker-pool.ts";
import type { ResolvedRetry } from "./retry.ts";

/**
 * What to do when a partition's position is not in the log: Kafka's auto.offset.reset.
 *
 * @example
 * ```ts
 * const reset: AutoOffsetReset = "earliest";
 * ```
 */
export type AutoOffsetReset = "earliest" | "latest" | "none";

/**
 * A report that records were skipped: the position asked for is not in the log any more.
 *
 * @example
 * ```ts
 * const onGap = (gap: RetentionGap) => console.warn(`${gap.topic}-${gap.partition}: lost ${gap.requestedOffset}..${gap.logStartOffset - 1}`);
 * ```
 */
export interface RetentionGap {
  topic: string;
  partition: number;
  /** The offset the consumer wanted next. */
  requestedOffset: number;
  /** Where the log starts now (-1 when the broker did not say). */
  logStartOffset: number;
}

/**
 * What a stream needs from its consumer.
 *
 * @example
 * ```ts
 * const host: StreamHost = { pool, window: { records: 500, bytes: 1 << 20 }, retry, autoOffsetReset: "none", onGap: undefined, readable: wake };
 * ```
 */
export interface StreamHost {
  /** The connections to the brokers: each stream subscribes on its partition's leader. */
  readonly pool: BrokerPool;
  /** The credit window: records and bytes received ahead of consumption. */
  readonly window: CreditAmount;
  readonly retry: ResolvedRetry;
  readonly autoOffsetReset: AutoOffsetReset;
  readonly onGap: ((gap: RetentionGap) => void) | undefined;
  /** Called when records (or a failure) became available. */
  readable(): void;
}
