/**
 * Reads what a stopped broker holds for one partition straight from its log directory: every batch
 * header of every `.log` segment, in offset order, checked with {@link scanBatches}. Replication
 * tests compare these lists across replicas (Kafka's replication test compares batches by CRC).
 *
 * @example
 * ```ts
 * const { batches, problems } = replicaBatches(broker.dataDir, "orders", 0);
 * batches.filter((b) => b.lastOffset < highWatermark);
 * ```
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { partitionDirName } from "../../src/core/log/partition-dir-name.ts";
import { scanBatches } from "../../src/core/record/scan-batches.ts";

/**
 * One stored batch as the replica comparison sees it.
 *
 * @example
 * ```ts
 * const batch: StoredBatch = { baseOffset: 0, lastOffset: 4, crc: 0x1234abcd, partitionLeaderEpoch: 0 };
 * ```
 */
export interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  crc: number;
  partitionLeaderEpoch: number;
}

/**
 * The batches of a partition's log on one replica, and what {@link scanBatches} stopped at in any
 * segment (a torn or corrupt tail), as "<file>: <problem>".
 *
 * @example
 * ```ts
 * const replica: ReplicaLog = replicaBatches(dir, "t", 0);
 * ```
 */
export interface ReplicaLog {
  batches: StoredBatch[];
  problems: string[];
}

/**
 * Reads every `.log` segment of `topic`-`partition` under the log directory `logDir`, in base
 * offset order (the file names are the zero-padded base offsets). Throws when the partition's
 * directory does not exist.
 *
 * @example
 * ```ts
 * const { batches } = replicaBatches("/tmp/edgelog-e2e-x", "orders", 2);
 * ```
 */
export function replicaBatches(logDir: string, topic: string, partition: number): ReplicaLog {
  const dir = join(logDir, partitionDirName(topic, partition));
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: this broker holds no replica of ${topic}-${partition}`);
  const segments = readdirSync(dir)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort();
  const batches: StoredBatch[] = [];
  const problems: string[] = [];
  for (const name of segments) {
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    const scan = scanBatches(bytes, 0, bytes.length, { checkCrc: true });
    if (scan.problem !== undefined) problems.push(`${name}: ${scan.problem}`);
    for (const header of scan.batches) {
      batches.push({
        baseOffset: header.baseOffset,
        lastOffset: header.lastOffset,
        crc: header.crc,
        partitionLeaderEpoch: header.partitionLeaderEpoch,
      });
    }
  }
  return { batches, problems };
}

/**
 * Asserts that the replicas in `logDirs` (broker id → log directory, of stopped brokers) hold the
 * same batches of a partition below `highWatermark` (base offset, CRC, leader epoch), ending at it,
 * with no problem in any segment.
 *
 * @example
 * ```ts
 * expectIdenticalReplicas(new Map([[1, b1.dataDir], [2, b2.dataDir], [3, b3.dataDir]]), "orders", 0, 1200);
 * ```
 */
export function expectIdenticalReplicas(logDirs: ReadonlyMap<number, string>, topic: string, partition: number, highWatermark: number): void {
  const name = `${topic}-${partition}`;
  const replicas = [...logDirs].map(([id, dir]) => {
    const { batches, problems } = replicaBatches(dir, topic, partition);
    expect(problems, `segments of ${name} on broker ${id}`).toEqual([]);
    return { id, batches: batches.filter((batch) => batch.baseOffset < highWatermark) };
  });
  const [first, ...others] = replicas;
  expect(first!.batches.length, `${name}: batches below the high watermark on broker ${first!.id}`).toBeGreaterThan(0);
  expect(first!.batches.at(-1)!.lastOffset, `${name}: the batches end at the high watermark`).toBe(highWatermark - 1);
  for (const other of others) expect(other.batches, `${name}: broker ${other.id} against broker ${first!.id}`).toEqual(first!.batches);
}
