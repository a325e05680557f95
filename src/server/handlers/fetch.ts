/**
 * `fetch`: reads whole stored batches of one partition from an offset, up to the high watermark,
 * as they are on disk. With fewer than `minBytes` available it long-polls the log
 * (`PartitionLog.waitForAppend`) for up to `maxWaitMs` (cut to the broker's limit), then answers
 * with what there is. A closing session ends the wait. With `format: "records"` the same batches
 * are decoded and sent as `records` from `offset` on (the slow path; see `../record-views.ts`). In a
 * cluster only the partition's leader answers; other brokers answer NOT_LEADER_OR_FOLLOWER.
 *
 * ```
 * FetchRequest  => { id, op: "fetch", topic, partition, offset, maxBytes?, maxWaitMs?, minBytes?, currentLeaderEpoch?, format?, valueEncoding? }
 * FetchResponse => { id, topic, partition, batches | records, highWatermark, logStartOffset, lastStableOffset }
 * ```
 *
 * @example
 * ```ts
 * await handleFetch({ id: 10, op: "fetch", topic: "orders", partition: 0, offset: 0, maxBytes: 1 << 20, maxWaitMs: 500, minBytes: 1, currentLeaderEpoch: -1, format: "batches", valueEncoding: "bytes" }, scope);
 * ```
 * @module
 */
import { EdgelogError } from "../../core/errors.ts";
import { fetchResponse, type FetchRequest } from "../../protocol/ops/fetch.ts";
import type { BrokerContext } from "../broker-context.ts";
import { storedBatches } from "../credit.ts";
import { recordViews } from "../record-views.ts";
import type { Handler } from "./handler.ts";

/**
 * Answers `fetch`.
 *
 * @example
 * ```ts
 * HANDLERS.fetch = handleFetch;
 * ```
 */
export const handleFetch: Handler<FetchRequest> = async (request, { broker, session }) => {
  const { topic, partition, offset } = request;
  const log = broker.leaderLog(topic, partition);
  checkLeaderEpoch(broker, request);
  const clock = broker.clock;
  const deadline = clock.monotonic() + Math.min(request.maxWaitMs, broker.limits.maxWaitMs);
  let read = await log.read(offset, { maxBytes: request.maxBytes });
  while (read.bytes.length < request.minBytes && !session.signal.aborted) {
    const remaining = deadline - clock.monotonic();
    if (remaining <= 0) break;
    // Wake when anything new becomes readable, then read again from the same offset.
    if (!(await log.waitForAppend(read.highWatermark, remaining, session.signal))) break;
    read = await log.read(offset, { maxBytes: request.maxBytes });
  }
  let records = 0;
  for (const batch of storedBatches(read.bytes)) records += batch.records;
  const positions = {
    highWatermark: read.highWatermark,
    logStartOffset: read.logStartOffset,
    lastStableOffset: read.highWatermark,
  };
  const body =
    request.format === "records"
      ? { topic, partition, records: await recordViews(read.bytes, offset, request.valueEncoding), ...positions }
      : { topic, partition, batches: read.bytes, ...positions };
  if (read.bytes.length > 0) broker.metrics.recordOut(topic, records, read.bytes.length);
  return fetchResponse(request.id, body);
};

/** Kafka's check of the fetcher's leader epoch: older is fenced, newer is unknown here. */
function checkLeaderEpoch(broker: BrokerContext, request: FetchRequest): void {
  if (request.currentLeaderEpoch < 0) return;
  const current = broker.replicas.leaderEpoch(request.topic, request.partition);
  if (request.currentLeaderEpoch < current) {
    throw new EdgelogError(
      "FENCED_LEADER_EPOCH",
      `The leader epoch ${request.currentLeaderEpoch} in the request is older than the current epoch ${current}`,
    );
  }
  if (request.currentLeaderEpoch > current) {
    throw new EdgelogError(
      "UNKNOWN_LEADER_EPOCH",
      `The leader epoch ${request.currentLeaderEpoch} in the request is newer than the current epoch ${current}`,
    );
  }
}
