/**
 * `produce`: appends record batches to partitions of one topic.
 *
 * - Stored RecordBatch v2 bytes go to `PartitionLog.append` as they are: the log checks framing,
 *   CRC and sizes and assigns offsets by patching headers, without re-encoding records.
 * - Per-record produce (`records`) builds one batch per partition with `encodeRecordBatch`.
 * - Records without a partition go by key (`partitionForKey`, Kafka's murmur2); all keyless records
 *   of one request go to one partition, round robin across requests.
 * - acks 0: no reply at all, even on failure (logged, and counted in edgelog_failed_produce_total
 *   like every failure). acks 1: reply after the append. acks -1/all: refuse
 *   with NOT_ENOUGH_REPLICAS when the in-sync replicas are fewer than min.insync.replicas, and reply
 *   once the {@link ReplicaWaiter} says they all have the records (at once on one broker).
 * - An unknown topic is created first when auto.create.topics.enable is true.
 * - In a cluster only the partition's leader appends: other brokers answer NOT_LEADER_OR_FOLLOWER
 *   for the partition (checked before the ISR), and acks=all waits for the ISR's followers.
 * - One session's appends reach the logs in the order of its requests; broker shutdown waits for
 *   every produce request already received.
 *
 * ```
 * ProduceRequest  => { id, op: "produce", acks?, timeoutMs?, topic, partitions: [{ partition, batches | records }] | records: [Record] }
 * ProduceResponse => { id, topic, partitions: [{ partition, baseOffset, logAppendTime, logStartOffset, recordIndexes?, error? }] }
 * ```
 *
 * @example
 * ```ts
 * await handleProduce({ id: 8, op: "produce", acks: 1, timeoutMs: 30000, topic: "orders", partitions: [{ partition: 0, batches }] }, scope);
 * // { id: 8, topic: "orders", partitions: [{ partition: 0, baseOffset: 0, logAppendTime: -1, logStartOffset: 0 }] }
 * ```
 * @module
 */
import { requireRecordKeys } from "../../core/log/append-validation.ts";
import { EdgelogError } from "../../core/errors.ts";
import { encodeRecordBatch } from "../../core/record/record-batch.ts";
import { partitionForKey, type RoundRobin } from "../../core/topic/partitioner.ts";
import type { PartitionLog } from "../../core/log/partition-log.ts";
import type { TopicDescription } from "../../core/topic/topic-registry.ts";
import { withError } from "../../protocol/envelope.ts";
import { produceResponse, type ProducePartitionResult, type ProduceRequest } from "../../protocol/ops/produce.ts";
import type { ProduceRecord } from "../../protocol/produce-records.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { Handler, RequestScope } from "./handler.ts";

/** The records bound for one partition. */
interface PartitionWork {
  partition: number;
  batches?: Uint8Array;
  records?: ProduceRecord[];
  recordIndexes?: number[];
}

/** An append under way; wrapped so that an async function can hand it out unawaited. */
interface Started {
  done: Promise<ProducePartitionResult>;
}

/**
 * Answers `produce` (or not, with acks 0).
 *
 * @example
 * ```ts
 * HANDLERS.produce = handleProduce;
 * ```
 */
export const handleProduce: Handler<ProduceRequest> = (request, scope) => scope.broker.trackAppend(produce(request, scope));

async function produce(request: ProduceRequest, { broker, session }: RequestScope): Promise<object | undefined> {
  try {
    const started = await session.inOrder(() => startAppends(broker, request));
    const partitions = started.length === 1 ? [await started[0]!.done] : await Promise.all(started.map((s) => s.done));
    for (const p of partitions) if (p.error) broker.metrics.produceFailed(request.topic);
    if (request.acks === 0) {
      for (const p of partitions) {
        if (p.error) broker.logger("info", `Produce with acks=0 to ${request.topic}-${p.partition} failed: ${p.error.code} ${p.error.message}`);
      }
      return undefined;
    }
    return produceResponse(request.id, request.topic, partitions);
  } catch (error) {
    // Only topics that exist get a counter: a client cannot grow the label set.
    if (broker.topics.get(request.topic)) broker.metrics.produceFailed(request.topic);
    if (request.acks !== 0) throw error;
    broker.logger("info", `Produce with acks=0 to ${request.topic} failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** Resolves the topic and queues every partition's append, in request order. */
async function startAppends(broker: BrokerContext, request: ProduceRequest): Promise<Started[]> {
  // An existing topic needs no await (each costs a turn of the event loop on the hot path).
  const topic = broker.topics.get(request.topic) ?? (await broker.topic(request.topic, { autoCreate: true }));
  const work: PartitionWork[] = request.partitions ?? partitionByKey(request.records, topic.partitions, broker.spreader(topic.name));
  const started: Started[] = [];
  for (const item of work) {
    const one = startOne(broker, request, topic, item);
    started.push(one instanceof Promise ? await one : one);
  }
  return started;
}

/**
 * Checks the partition and queues its append. Stored batches for a topic that is not compacted go
 * straight to the log; building a batch from records or checking record keys is awaited first.
 */
function startOne(broker: BrokerContext, request: ProduceRequest, topic: TopicDescription, item: PartitionWork): Started | Promise<Started> {
  const { partition } = item;
  try {
    if (partition >= topic.partitions) {
      throw new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", `Topic ${topic.name} has no partition ${partition} (it has ${topic.partitions})`, {
        details: { topic: topic.name, partition },
      });
    }
    broker.replicas.requireLeader(topic.name, partition);
    const log = broker.partitionLog(topic.name, partition);
    if (request.acks === -1) {
      const isr = broker.replicas.inSyncReplicas(topic.name, partition);
      const min = log.config.minInsyncReplicas;
      if (isr.length < min) {
        throw new EdgelogError(
          "NOT_ENOUGH_REPLICAS",
          `The size of the current ISR [${isr.join(", ")}] is insufficient to satisfy the min.isr requirement of ${min} for partition ${topic.name}-${partition}`,
        );
      }
    }
    if (item.batches === undefined || log.config.cleanupPolicy.includes("compact")) return prepareAndStart(broker, request, topic, item, log);
    return startAppend(broker, request, topic, item, log, item.batches);
  } catch (error) {
    return failedStart(item, error);
  }
}

/** Builds the batch of per-record produce and checks record keys for a compacted topic, then appends. */
async function prepareAndStart(
  broker: BrokerContext,
  request: ProduceRequest,
  topic: TopicDescription,
  item: PartitionWork,
  log: PartitionLog,
): Promise<Started> {
  try {
    const bytes = item.batches ?? (await buildBatch(item.records!, broker.clock.now()));
    if (log.config.cleanupPolicy.includes("compact")) await requireRecordKeys(bytes, `${topic.name}-${item.partition}`);
    return startAppend(broker, request, topic, item, log, bytes);
  } catch (error) {
    return failedStart(item, error);
  }
}

/** Queues the append; its result (or failure) is the partition's result. */
function startAppend(broker: BrokerContext, request: ProduceRequest, topic: TopicDescription, item: PartitionWork, log: PartitionLog, bytes: Uint8Array): Started {
  const { partition, recordIndexes } = item;
  // handleProduce tracks the whole request for shutdown, this append included
  const append = log.append(bytes, { leaderEpoch: broker.replicas.leaderEpoch(topic.name, partition) });
  const done = (async (): Promise<ProducePartitionResult> => {
    try {
      const info = await append;
      broker.metrics.recordIn(topic.name, info.recordCount, bytes.length);
      if (request.acks === -1) await broker.replicas.waitForReplicas(topic.name, partition, info.lastOffset + 1, request.timeoutMs);
      return withIndexes(
        { partition, baseOffset: info.baseOffset, logAppendTime: info.logAppendTime, logStartOffset: log.logStartOffset },
        recordIndexes,
      );
    } catch (error) {
      return withIndexes(withError({ partition }, error), recordIndexes);
    }
  })();
  return { done };
}

function failedStart({ partition, recordIndexes }: PartitionWork, error: unknown): Started {
  return { done: Promise.resolve(withIndexes(withError({ partition }, error), recordIndexes)) };
}

/** Groups records by the partition the broker picks for them, keeping request order. */
function partitionByKey(records: ProduceRecord[], count: number, spreader: RoundRobin): PartitionWork[] {
  const groups = new Map<number, { partition: number; records: ProduceRecord[]; recordIndexes: number[] }>();
  let keyless: number | undefined;
  records.forEach((record, index) => {
    const partition = record.key === null ? (keyless ??= spreader.next(count)) : partitionForKey(record.key, count);
    let group = groups.get(partition);
    if (!group) {
      group = { partition, records: [], recordIndexes: [] };
      groups.set(partition, group);
    }
    group.records.push(record);
    group.recordIndexes.push(index);
  });
  return [...groups.values()];
}

/** One uncompressed batch of the records; records without a timestamp get `now`. */
async function buildBatch(records: ProduceRecord[], now: number): Promise<Uint8Array> {
  try {
    return await encodeRecordBatch({
      now,
      records: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }) })),
    });
  } catch (error) {
    if (error instanceof EdgelogError) throw error;
    throw new EdgelogError("INVALID_REQUEST", `Cannot build a record batch: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function withIndexes<T extends ProducePartitionResult>(result: T, recordIndexes: number[] | undefined): T {
  return recordIndexes === undefined ? result : { ...result, recordIndexes };
}
