/**
 * Where the coordinator keeps `__consumer_offsets`: an append-only store of record batches per
 * partition. {@link partitionLogOffsetsStore} puts it on the partition logs of the topic;
 * {@link memoryOffsetsStore} keeps it in memory for tests.
 *
 * @example
 * ```ts
 * const store = partitionLogOffsetsStore((p) => logManager.getLog(CONSUMER_OFFSETS_TOPIC, p)!);
 * await store.append(7, batch);
 * for await (const bytes of store.readAll(7)) console.log(bytes.length);
 * ```
 * @module
 */
import type { PartitionLog } from "../log/partition-log.ts";

/**
 * The partitions of `__consumer_offsets`, as the coordinator uses them.
 *
 * @example
 * ```ts
 * const store: OffsetsStore = memoryOffsetsStore();
 * ```
 */
export interface OffsetsStore {
  /** Appends RecordBatch v2 bytes (one or more batches) to a partition; resolves once stored. */
  append(partition: number, batch: Uint8Array): Promise<void>;
  /** The stored batches of a partition from its start, in order, as chunks of whole batches. */
  readAll(partition: number): AsyncIterable<Uint8Array>;
}

/**
 * An {@link OffsetsStore} over the partition logs of `__consumer_offsets`. `getLog` returns the log
 * of a partition (opened and created by the caller). Reads stop at the high watermark.
 *
 * @example
 * ```ts
 * const logs = await Promise.all([0, 1].map((p) => openPartitionLog({ fs, clock, dir: `data/__consumer_offsets-${p}`, topic: "__consumer_offsets", partition: p, config })));
 * const store = partitionLogOffsetsStore((p) => logs[p]!);
 * ```
 */
export function partitionLogOffsetsStore(
  getLog: (partition: number) => PartitionLog | Promise<PartitionLog>,
  options: { readChunkBytes?: number } = {},
): OffsetsStore {
  const maxBytes = options.readChunkBytes ?? 1 << 20;
  return {
    async append(partition, batch) {
      const log = await getLog(partition);
      await log.append(batch);
    },
    async *readAll(partition) {
      const log = await getLog(partition);
      const end = log.highWatermark;
      let offset = log.logStartOffset;
      while (offset < end) {
        const read = await log.read(offset, { maxBytes, maxOffset: end });
        if (read.bytes.length === 0 || read.nextOffset <= offset) break;
        yield read.bytes;
        offset = read.nextOffset;
      }
    },
  };
}

/**
 * An in-memory {@link OffsetsStore} that keeps each append as it came; `appended(p)` lists them.
 *
 * @example
 * ```ts
 * const store = memoryOffsetsStore();
 * const coordinator = createGroupCoordinator({ clock, offsetsLog: store, topics });
 * store.appended(0).length; // batches written to partition 0
 * ```
 */
export interface MemoryOffsetsStore extends OffsetsStore {
  /** The batches appended to a partition, in order. */
  appended(partition: number): Uint8Array[];
  /** Makes the next appends reject with `error` (until called again with undefined), for failure tests. */
  failAppends(error: Error | undefined): void;
}

/**
 * A fresh in-memory store.
 *
 * @example
 * ```ts
 * const store = memoryOffsetsStore();
 * await store.append(0, batch);
 * ```
 */
export function memoryOffsetsStore(): MemoryOffsetsStore {
  const partitions = new Map<number, Uint8Array[]>();
  let failure: Error | undefined;
  return {
    async append(partition, batch) {
      if (failure !== undefined) throw failure;
      let list = partitions.get(partition);
      if (list === undefined) partitions.set(partition, (list = []));
      list.push(batch.slice());
    },
    async *readAll(partition) {
      for (const batch of partitions.get(partition) ?? []) yield batch;
    },
    appended: (partition) => [...(partitions.get(partition) ?? [])],
    failAppends(error) {
      failure = error;
    },
  };
}
