/**
 * Collects a producer's records into one RecordBatch per partition, as Kafka's `RecordAccumulator`
 * does: records sent within `lingerMs` of the first to the same topic and partition (with the same
 * acks, compression and timeout) share a batch; a batch that reaches `batchSize` bytes (an estimate
 * of its encoded size) goes at once, and a record that would push it past `batchSize` starts a new
 * one. When the linger time is up, every partition of the group goes in one `produce` request.
 *
 * @example
 * ```ts
 * import { RecordAccumulator } from "./record-accumulator.ts";
 * const accumulator = new RecordAccumulator({ lingerMs: 5, batchSize: 16_384, dispatch: (group, batches) => produce(group, batches) });
 * const { batch, index } = accumulator.append(group, 0, { key: null, value: bytes });
 * const ack = await batch.done; // baseOffset + index is the record's offset
 * ```
 * @module
 */
import type { RecordInput } from "../core/record/record-batch.ts";
import type { Acks } from "../protocol/index.ts";

/**
 * What a batch's records share: they go in one `produce` request.
 *
 * @example
 * ```ts
 * const group: BatchGroup = { topic: "orders", acks: -1, compression: "gzip", timeoutMs: 30_000 };
 * ```
 */
export interface BatchGroup {
  topic: string;
  acks: Acks;
  compression: "none" | "gzip";
  timeoutMs: number;
}

/**
 * The broker's answer for one batch; offsets are -1 with acks 0 (no answer).
 *
 * @example
 * ```ts
 * const { baseOffset }: PartitionAck = await batch.done;
 * ```
 */
export interface PartitionAck {
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
}

/**
 * Records on their way to one partition, as one RecordBatch.
 *
 * @example
 * ```ts
 * batch.resolve({ baseOffset: 42, logAppendTime: -1, logStartOffset: 0 });
 * ```
 */
export class PendingBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: RecordInput[] = [];
  /** The estimated encoded size of the records so far. */
  bytes = 0;
  /** Settles when the broker answered for this batch (or it failed for good). */
  readonly done: Promise<PartitionAck>;
  #resolve!: (ack: PartitionAck) => void;
  #reject!: (error: unknown) => void;

  /**
   * An empty batch for `topic`/`partition`.
   *
   * @example
   * ```ts
   * const batch = new PendingBatch("orders", 3);
   * ```
   */
  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
    this.done = new Promise<PartitionAck>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Every batch has a sender awaiting it; this only keeps a failure from counting as unhandled twice.
    this.done.catch(() => undefined);
  }

  /**
   * Settles the batch with the broker's answer.
   *
   * @example
   * ```ts
   * batch.resolve({ baseOffset: 0, logAppendTime: -1, logStartOffset: 0 });
   * ```
   */
  resolve(ack: PartitionAck): void {
    this.#resolve(ack);
  }

  /**
   * Fails the batch.
   *
   * @example
   * ```ts
   * batch.reject(new EdgelogError("MESSAGE_TOO_LARGE", "…"));
   * ```
   */
  reject(error: unknown): void {
    this.#reject(error);
  }
}

/**
 * Options of a {@link RecordAccumulator}.
 *
 * @example
 * ```ts
 * const options: AccumulatorOptions = { lingerMs: 0, batchSize: 16_384, dispatch: send };
 * ```
 */
export interface AccumulatorOptions {
  lingerMs: number;
  batchSize: number;
  /** Sends closed batches of one group (one request). */
  dispatch: (group: BatchGroup, batches: PendingBatch[]) => void;
  /** Told when a partition's batch closes (e.g. to move keyless records on to the next partition). */
  onClose?: (topic: string, partition: number) => void;
}

interface Group {
  group: BatchGroup;
  partitions: Map<number, PendingBatch>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Bytes of a record beyond its key, value and headers: length, attributes, deltas, lengths. */
const RECORD_OVERHEAD = 12;
/** Bytes of a batch header. */
const BATCH_OVERHEAD = 61;

/**
 * Batches records per partition; see the module documentation.
 *
 * @example
 * ```ts
 * accumulator.append(group, partition, record);
 * accumulator.flush(); // send everything that lingers, now
 * ```
 */
export class RecordAccumulator {
  readonly #options: AccumulatorOptions;
  readonly #groups = new Map<string, Group>();

  /**
   * An accumulator that hands closed batches to `options.dispatch`.
   *
   * @example
   * ```ts
   * new RecordAccumulator({ lingerMs: 10, batchSize: 65_536, dispatch });
   * ```
   */
  constructor(options: AccumulatorOptions) {
    this.#options = options;
  }

  /**
   * Whether no record waits in a batch.
   *
   * @example
   * ```ts
   * if (!accumulator.empty) accumulator.flush();
   * ```
   */
  get empty(): boolean {
    return this.#groups.size === 0;
  }

  /**
   * Adds a record to its partition's open batch (opening one as needed) and returns the batch and
   * the record's index in it.
   *
   * @example
   * ```ts
   * const { batch, index } = accumulator.append(group, 2, record);
   * ```
   */
  append(group: BatchGroup, partition: number, record: RecordInput): { batch: PendingBatch; index: number } {
    const key = groupKey(group);
    let entry = this.#entry(key, group);
    const size = estimateSize(record);
    let batch = entry.partitions.get(partition);
    if (batch !== undefined && batch.bytes + size > this.#options.batchSize) {
      this.#closePartition(key, entry, partition);
      entry = this.#entry(key, group);
      batch = undefined;
    }
    if (batch === undefined) {
      batch = new PendingBatch(group.topic, partition);
      batch.bytes = BATCH_OVERHEAD;
      entry.partitions.set(partition, batch);
    }
    const index = batch.records.push(record) - 1;
    batch.bytes += size;
    if (batch.bytes >= this.#options.batchSize) this.#closePartition(key, entry, partition);
    else if (this.#options.lingerMs > 0 && entry.timer === undefined) {
      entry.timer = setTimeout(() => this.#closeGroup(key), this.#options.lingerMs);
    }
    return { batch, index };
  }

  /**
   * Sends every open batch now, one request per group.
   *
   * @example
   * ```ts
   * accumulator.flush();
   * ```
   */
  flush(): void {
    for (const key of [...this.#groups.keys()]) this.#closeGroup(key);
  }

  #entry(key: string, group: BatchGroup): Group {
    let entry = this.#groups.get(key);
    if (entry === undefined) {
      entry = { group, partitions: new Map(), timer: undefined };
      this.#groups.set(key, entry);
    }
    return entry;
  }

  #closePartition(key: string, entry: Group, partition: number): void {
    const batch = entry.partitions.get(partition);
    if (batch === undefined) return;
    entry.partitions.delete(partition);
    if (entry.partitions.size === 0) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      this.#groups.delete(key);
    }
    this.#options.onClose?.(batch.topic, partition);
    this.#options.dispatch(entry.group, [batch]);
  }

  #closeGroup(key: string): void {
    const entry = this.#groups.get(key);
    if (entry === undefined) return;
    this.#groups.delete(key);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    const batches = [...entry.partitions.values()];
    for (const batch of batches) this.#options.onClose?.(batch.topic, batch.partition);
    if (batches.length > 0) this.#options.dispatch(entry.group, batches);
  }
}

function groupKey(group: BatchGroup): string {
  return `${group.acks}|${group.compression}|${group.timeoutMs}|${group.topic}`;
}

/** About the encoded size of a record (uncompressed): exact enough to size batches. */
function estimateSize(record: RecordInput): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const header of record.headers ?? []) size += 4 + header.key.length + (header.value?.length ?? 0);
  return size;
}
