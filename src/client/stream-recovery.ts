/**
 * What a partition stream does after its subscription failed or ended with an error:
 *
 * - `OFFSET_OUT_OF_RANGE` for a position the log still holds — at or above the log start and not
 *   past the log end that `subscribe` reported — is not a gap: the partition's new leader has not yet
 *   moved its high watermark up to what the old one had acknowledged (protocol §14.1). The stream
 *   subscribes again after a backoff, as Kafka's consumer does on OFFSET_NOT_AVAILABLE. Any other
 *   `OFFSET_OUT_OF_RANGE` is a gap: report it and go on by `autoOffsetReset`.
 * - Leadership moved, or the leader's connection was lost in a cluster of several brokers
 *   (`NOT_LEADER_OR_FOLLOWER`, `LEADER_NOT_AVAILABLE`, `FENCED_LEADER_EPOCH`, `UNKNOWN_LEADER_EPOCH`,
 *   `NETWORK_EXCEPTION`): forget the topic's metadata and subscribe again on the leader after a
 *   backoff, for as long as it takes (a cluster elects a new leader within its session timeout).
 * - `NETWORK_EXCEPTION` with a broker that runs alone: the connection comes back by itself;
 *   subscribe again then.
 * - Other retriable errors: subscribe again after a backoff, `retry.retries` times; then fail.
 *
 * @example
 * ```ts
 * import { recoveryFor } from "./stream-recovery.ts";
 * recoveryFor(error, { position: 42, clustered: true, retriesLeft: true }); // { action: "retry", leadership: true }
 * ```
 * @module
 */
import { EdgelogError } from "../core/errors.ts";
import type { SubscribeFrom } from "../protocol/index.ts";
import type { AutoOffsetReset, RetentionGap } from "./stream-host.ts";

/**
 * What to do; see the module documentation.
 *
 * @example
 * ```ts
 * const recovery: StreamRecovery = { action: "retry", leadership: false };
 * ```
 */
export type StreamRecovery =
  | { action: "reset" }
  | { action: "retry"; leadership: boolean }
  | { action: "reconnect" }
  | { action: "fail" };

/** Errors that say the partition's leader moved or cannot be reached. */
const LEADERSHIP: ReadonlySet<string> = new Set(["NOT_LEADER_OR_FOLLOWER", "LEADER_NOT_AVAILABLE", "FENCED_LEADER_EPOCH", "UNKNOWN_LEADER_EPOCH"]);

/**
 * How a stream at `position` recovers from `error`.
 *
 * @example
 * ```ts
 * recoveryFor(new EdgelogError("OFFSET_OUT_OF_RANGE", "x", { details: { logStartOffset: 0, logEndOffset: 50 } }), { position: 45, clustered: true, retriesLeft: true });
 * // { action: "retry", leadership: true }: the new leader's high watermark lags
 * ```
 */
export function recoveryFor(error: EdgelogError, context: { position: number | undefined; clustered: boolean; retriesLeft: boolean }): StreamRecovery {
  const { position, clustered, retriesLeft } = context;
  if (error.code === "OFFSET_OUT_OF_RANGE") {
    const start = error.details?.["logStartOffset"];
    const end = error.details?.["logEndOffset"];
    const held = typeof start === "number" && typeof end === "number" && position !== undefined && position >= start && position <= end;
    return held ? { action: "retry", leadership: true } : { action: "reset" };
  }
  if (LEADERSHIP.has(error.code)) return { action: "retry", leadership: true };
  if (error.code === "NETWORK_EXCEPTION") return clustered ? { action: "retry", leadership: true } : { action: "reconnect" };
  if (error.retriable && retriesLeft) return { action: "retry", leadership: false };
  return { action: "fail" };
}

/**
 * After a gap (`reset`): reports it to `onGap`, then answers where the stream goes on — the log
 * start (`"earliest"`), the end (`"latest"`) — or, with `"none"`, the `OFFSET_OUT_OF_RANGE` to fail
 * with.
 *
 * @example
 * ```ts
 * const next = afterGap({ topic: "t", partition: 0, error, logStartOffset: 500, position: 42, from: "earliest", policy: "earliest", onGap });
 * // { position: 500, from: "earliest" }
 * ```
 */
export function afterGap(gap: {
  topic: string;
  partition: number;
  error: EdgelogError;
  /** Where the log starts now, when the error push said so. */
  logStartOffset: number | undefined;
  position: number | undefined;
  from: SubscribeFrom;
  policy: AutoOffsetReset;
  onGap: ((gap: RetentionGap) => void) | undefined;
}): { position: number | undefined; from: SubscribeFrom } | EdgelogError {
  const { topic, partition, error, policy } = gap;
  const detail = error.details?.["logStartOffset"];
  const start = gap.logStartOffset ?? (typeof detail === "number" && Number.isFinite(detail) ? detail : -1);
  const requestedOffset = gap.position ?? (typeof gap.from === "object" && "offset" in gap.from ? gap.from.offset : -1);
  try {
    gap.onGap?.({ topic, partition, requestedOffset, logStartOffset: start });
  } catch {
    // the application's callback must not stop the stream
  }
  if (policy === "none") {
    return new EdgelogError("OFFSET_OUT_OF_RANGE", `Offset ${requestedOffset} of ${topic}-${partition} is not in the log${start >= 0 ? ` (it starts at ${start})` : ""}`, {
      details: { topic, partition, requestedOffset, logStartOffset: start },
      cause: error,
    });
  }
  if (policy === "earliest" && start >= 0) return { position: start, from: gap.from };
  return { position: undefined, from: policy };
}
