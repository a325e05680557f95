/**
 * The record and offset ops of the admin client: delete records before an offset, and look up
 * offsets by position (earliest, latest) or by time. {@link Admin} documents each one; these
 * functions do the work behind its methods.
 *
 * @example
 * ```ts
 * await fetchTopicOffsets(requests, "orders"); // [{ partition: 0, offset: 42, high: 42, low: 0 }]
 * ```
 * @module
 */
import type { DeleteRecordsResponse, ListOffsetsResponse } from "../protocol/index.ts";
import type { Admin } from "./admin.ts";
import { type AdminRequests, itemError, list } from "./admin-request.ts";
import { partitionsOf } from "./admin-topics.ts";
import type { ListedOffset } from "./admin-types.ts";

/**
 * {@link Admin.deleteRecords}: each partition's new log start offset (`lowWatermark`).
 *
 * @example
 * ```ts
 * await deleteRecords(requests, { topic: "orders", partitions: [{ partition: 0, offset: 100 }] }); // [{ partition: 0, lowWatermark: 100 }]
 * ```
 */
export async function deleteRecords(
  requests: AdminRequests,
  request: Parameters<Admin["deleteRecords"]>[0],
): Promise<{ partition: number; lowWatermark: number }[]> {
  const partitions = list(request?.partitions, "deleteRecords() partitions").map((p) => ({
    partition: p.partition,
    offset: typeof p.offset === "string" ? Number(p.offset) : p.offset,
  }));
  const timeoutMs = request.timeoutMs ?? requests.timeoutMs;
  const reply = await requests.call<DeleteRecordsResponse>("deleteRecords", { topic: request.topic, partitions, timeoutMs }, timeoutMs);
  return reply.partitions.map((p) => {
    if (p.error !== undefined) throw itemError(p.error, { topic: request.topic, partition: p.partition });
    return { partition: p.partition, lowWatermark: p.lowWatermark };
  });
}

/**
 * {@link Admin.listOffsets}: offsets of partitions of one topic by position or time.
 *
 * @example
 * ```ts
 * await listOffsets(requests, { topic: "orders", partitions: [{ partition: 0, timestamp: "earliest" }] });
 * ```
 */
export async function listOffsets(requests: AdminRequests, request: Parameters<Admin["listOffsets"]>[0]): Promise<ListedOffset[]> {
  const partitions = list(request?.partitions, "listOffsets() partitions").map((p) => ({ partition: p.partition, timestamp: p.timestamp }));
  const reply = await requests.call<ListOffsetsResponse>("listOffsets", { topic: request.topic, partitions });
  return reply.partitions.map((p) => {
    if (p.error !== undefined) throw itemError(p.error, { topic: request.topic, partition: p.partition });
    return { partition: p.partition, offset: p.offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch };
  });
}

/**
 * {@link Admin.fetchTopicOffsets}: every partition's high watermark (`offset`, `high`) and log start (`low`).
 *
 * @example
 * ```ts
 * await fetchTopicOffsets(requests, "orders"); // [{ partition: 0, offset: 42, high: 42, low: 0 }]
 * ```
 */
export async function fetchTopicOffsets(
  requests: AdminRequests,
  topic: string,
): Promise<{ partition: number; offset: number; high: number; low: number }[]> {
  const partitions = await partitionsOf(requests, topic);
  const [latest, earliest] = await Promise.all([
    listOffsets(requests, { topic, partitions: partitions.map((partition) => ({ partition, timestamp: "latest" as const })) }),
    listOffsets(requests, { topic, partitions: partitions.map((partition) => ({ partition, timestamp: "earliest" as const })) }),
  ]);
  return latest.map((l, i) => ({ partition: l.partition, offset: l.offset, high: l.offset, low: earliest[i]!.offset }));
}

/**
 * {@link Admin.fetchTopicOffsetsByTimestamp}: every partition's first offset at or after
 * `timestamp`, or its high watermark when there is none (or no timestamp is given).
 *
 * @example
 * ```ts
 * await fetchTopicOffsetsByTimestamp(requests, "orders", Date.now() - 3_600_000); // [{ partition: 0, offset: 17 }]
 * ```
 */
export async function fetchTopicOffsetsByTimestamp(
  requests: AdminRequests,
  topic: string,
  timestamp?: number,
): Promise<{ partition: number; offset: number }[]> {
  const partitions = await partitionsOf(requests, topic);
  const found =
    timestamp === undefined
      ? []
      : await listOffsets(requests, { topic, partitions: partitions.map((partition) => ({ partition, timestamp })) });
  const missing = partitions.filter((p) => !found.some((f) => f.partition === p && f.offset >= 0));
  const latest =
    missing.length === 0
      ? []
      : await listOffsets(requests, { topic, partitions: missing.map((partition) => ({ partition, timestamp: "latest" as const })) });
  return partitions.map((partition) => {
    const hit = found.find((f) => f.partition === partition && f.offset >= 0) ?? latest.find((l) => l.partition === partition);
    return { partition, offset: hit!.offset };
  });
}
