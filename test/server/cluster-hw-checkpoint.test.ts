import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../src/adapters/memory/file-system.ts";
import type { PartitionLog } from "../../src/core/log/partition-log.ts";
import { HighWatermarkCheckpoints } from "../../src/server/cluster-hw-checkpoint.ts";

function fakeLog(dir: string, topic: string, partition: number, highWatermark: number): PartitionLog {
  return { dir: `${dir}/${topic}-${partition}`, topic, partition, highWatermark } as unknown as PartitionLog;
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe("HighWatermarkCheckpoints", () => {
  it("writes Kafka's replication-offset-checkpoint per log directory and reads it back after a restart", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("a");
    await fs.mkdir("b");
    const first = await HighWatermarkCheckpoints.read(fs, ["a", "b"]);
    expect(first.restored("orders", 0)).toBeUndefined();
    const logs = [fakeLog("a", "orders", 0, 42), fakeLog("b", "orders", 1, 7)];
    for (const log of logs) first.replicated(log);
    await first.write(logs);
    expect(text(await fs.readFile("a/replication-offset-checkpoint"))).toBe("0\n1\norders 0 42\n");
    expect(text(await fs.readFile("b/replication-offset-checkpoint"))).toBe("0\n1\norders 1 7\n");

    const again = await HighWatermarkCheckpoints.read(fs, ["a", "b"]);
    expect(again.restored("orders", 0)).toBe(42);
    expect(again.restored("orders", 1)).toBe(7);
  });

  it("keeps the saved value of a log replication has not taken up yet (its live high watermark follows its log end)", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("data");
    const before = await HighWatermarkCheckpoints.read(fs, ["data"]);
    const log = fakeLog("data", "t", 0, 10);
    before.replicated(log);
    await before.write([log]);
    const after = await HighWatermarkCheckpoints.read(fs, ["data"]);
    await after.write([fakeLog("data", "t", 0, 99), fakeLog("data", "u", 0, 5)]);
    expect(text(await fs.readFile("data/replication-offset-checkpoint"))).toBe("0\n1\nt 0 10\n");
  });

  it("drops the entries of logs that no longer exist", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("data");
    const checkpoints = await HighWatermarkCheckpoints.read(fs, ["data"]);
    const kept = fakeLog("data", "t", 0, 3);
    const deleted = fakeLog("data", "t", 1, 4);
    checkpoints.replicated(kept);
    checkpoints.replicated(deleted);
    await checkpoints.write([kept, deleted]);
    await checkpoints.write([kept]);
    expect(text(await fs.readFile("data/replication-offset-checkpoint"))).toBe("0\n1\nt 0 3\n");
    expect(checkpoints.restored("t", 1)).toBeUndefined();
  });
});
