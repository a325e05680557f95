import { describe, expect, it } from "vitest";
import { memoryFileSystem, type MemoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { manualClock, type ManualClock } from "../../../src/core/ports/clock.ts";
import { CLEAN_SHUTDOWN_FILE, openLogManager, type OpenLogManagerOptions } from "../../../src/core/log/log-manager.ts";
import { batchOf, countingFileSystem, readAll, testConfig, wrapFileSystem } from "./helpers.ts";

const T0 = 1_700_000_000_000;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function open(fs: MemoryFileSystem | OpenLogManagerOptions["fs"], clock: ManualClock, extra: Partial<OpenLogManagerOptions> = {}) {
  const messages: string[] = [];
  const manager = await openLogManager({
    fs,
    clock,
    logDirs: ["data"],
    defaults: testConfig({ segmentBytes: 400 }),
    logger: (level, message) => messages.push(`${level}: ${message}`),
    ...extra,
  });
  return { manager, messages };
}

describe("LogManager", () => {
  it("createLog() is idempotent and getLog()/hasLog()/logs() find the log", async () => {
    const fs = memoryFileSystem();
    const manager = (await open(fs, manualClock(T0))).manager;
    const [a, b] = await Promise.all([manager.createLog("orders", 0, testConfig()), manager.createLog("orders", 0, testConfig())]);
    expect(a).toBe(b);
    expect(await manager.createLog("orders", 0, testConfig())).toBe(a);
    expect(manager.getLog("orders", 0)).toBe(a);
    expect(manager.hasLog("orders", 1)).toBe(false);
    expect(manager.logs()).toEqual([a]);
    expect(a.dir).toBe("data/orders-0");
    await manager.close();
  });

  it("a clean restart keeps data, log start offsets and recovery points, in Kafka's checkpoint format", async () => {
    const fs = memoryFileSystem();
    const clock = manualClock(T0);
    const first = (await open(fs, clock)).manager;
    const log = await first.createLog("my-topic-name", 3, testConfig({ segmentBytes: 400 }));
    for (let i = 0; i < 10; i++) await log.append(batchOf([`v${i}`]));
    await log.deleteRecordsBefore(6);
    await first.close();
    expect(await fs.stat(`data/${CLEAN_SHUTDOWN_FILE}`)).not.toBeNull();
    expect(text(await fs.readFile("data/recovery-point-offset-checkpoint"))).toBe("0\n1\nmy-topic-name 3 10\n");
    expect(text(await fs.readFile("data/log-start-offset-checkpoint"))).toBe("0\n1\nmy-topic-name 3 6\n");

    const { manager: second, messages } = await open(fs, clock);
    expect(await fs.stat(`data/${CLEAN_SHUTDOWN_FILE}`)).toBeNull();
    const reopened = second.getLog("my-topic-name", 3)!;
    expect([reopened.logStartOffset, reopened.logEndOffset, reopened.recoveryPoint]).toEqual([6, 10, 10]);
    expect((await readAll(reopened)).map((r) => r.value)).toEqual(["v6", "v7", "v8", "v9"]);
    expect(messages.filter((m) => m.includes("not shut down cleanly"))).toEqual([]);
    await second.close();
  });

  it("openLogManager() does not take the first start on an empty directory for an unclean stop", async () => {
    const fs = memoryFileSystem();
    const { manager, messages } = await open(fs, manualClock(0));
    expect(messages.filter((m) => m.includes("not shut down cleanly"))).toEqual([]);
    await manager.close();
  });

  it("openLogManager() syncs the log directory at start only when it removed a clean shutdown marker", async () => {
    const inner = memoryFileSystem();
    const synced: string[] = [];
    const fs = wrapFileSystem(inner, (h) => h, { syncDir: (path) => (synced.push(path), inner.syncDir(path)) });
    const clock = manualClock(T0);
    const first = (await open(fs, clock)).manager;
    expect(synced).toEqual([]); // a first start: no marker, nothing changed
    await first.close(); // writes the marker
    synced.length = 0;
    await open(fs, clock);
    expect(synced).toEqual(["data"]); // the marker removed at the second start
    expect(await inner.stat(`data/${CLEAN_SHUTDOWN_FILE}`)).toBeNull();
    synced.length = 0;
    await open(fs, clock); // after an unclean stop: no marker, nothing changed
    expect(synced).toEqual([]);
  });

  it("detects an unclean stop and recovers from the checkpointed recovery point only", async () => {
    const fs = memoryFileSystem();
    const clock = manualClock(T0);
    const first = (await open(fs, clock)).manager;
    const log = await first.createLog("t", 0, testConfig({ segmentBytes: 400 }));
    for (let i = 0; i < 12; i++) await log.append(batchOf([`value-${i}`]));
    await first.checkpoint();
    const recoveryPoint = log.recoveryPoint;
    expect(recoveryPoint).toBeGreaterThan(0);
    await log.append(batchOf(["unsynced"]));
    fs.crash({ keepUnsynced: "all" });

    const counting = countingFileSystem(fs);
    const { manager: second, messages } = await open(counting.fs, clock);
    expect(messages.some((m) => m.includes("not shut down cleanly"))).toBe(true);
    const scanned = new Set(counting.reads.filter((r) => r.length > 100).map((r) => r.path));
    expect([...scanned]).toEqual([`data/t-0/${String(recoveryPoint).padStart(20, "0")}.log`]);
    const reopened = second.getLog("t", 0)!;
    expect(reopened.logEndOffset).toBeGreaterThanOrEqual(recoveryPoint);
    expect((await readAll(reopened)).map((r) => r.value).slice(0, recoveryPoint)).toEqual(
      Array.from({ length: recoveryPoint }, (_, i) => `value-${i}`),
    );
    await second.close();
  });

  it("deleteLog() removes the directory and the log does not come back", async () => {
    const fs = memoryFileSystem();
    const clock = manualClock(T0);
    const manager = (await open(fs, clock)).manager;
    const log = await manager.createLog("gone", 0, testConfig());
    await log.append(batchOf(["x"]));
    await manager.createLog("kept", 0, testConfig());
    await manager.deleteLog("gone", 0);
    await manager.deleteLog("gone", 0);
    expect(manager.hasLog("gone", 0)).toBe(false);
    expect((await fs.list("data")).filter((n) => n.startsWith("gone"))).toEqual([]);
    await expect(log.append(batchOf(["y"]))).rejects.toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION" });
    await manager.close();
    const again = (await open(fs, clock)).manager;
    expect(again.logs().map((l) => l.topic)).toEqual(["kept"]);
    await again.close();
  });

  it("removes leftover -delete directories and ignores directories that are not partitions", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("data/old-0.abc123-delete");
    await fs.writeFile("data/old-0.abc123-delete/00000000000000000000.log", new Uint8Array(3));
    await fs.mkdir("data/not_a_partition");
    const { manager, messages } = await open(fs, manualClock(T0));
    expect(manager.logs()).toEqual([]);
    expect(await fs.stat("data/old-0.abc123-delete")).toBeNull();
    expect(messages.some((m) => m.includes("not_a_partition"))).toBe(true);
    await manager.close();
  });

  it("treats a malformed checkpoint as empty and warns", async () => {
    const fs = memoryFileSystem();
    const clock = manualClock(T0);
    const first = (await open(fs, clock)).manager;
    const log = await first.createLog("t", 0, testConfig());
    await log.append(batchOf(["a"]));
    await first.close();
    await fs.writeFile("data/recovery-point-offset-checkpoint", new TextEncoder().encode("0\n5\nt 0 1\n"));
    const { manager, messages } = await open(fs, clock);
    expect(messages.some((m) => m.includes("Malformed checkpoint"))).toBe(true);
    expect(manager.getLog("t", 0)!.logEndOffset).toBe(1);
    await manager.close();
  });

  it("runs retention every retentionCheckIntervalMs and writes the log start checkpoint", async () => {
    const fs = memoryFileSystem();
    const clock = manualClock(T0);
    const manager = (await open(fs, clock, { retentionCheckIntervalMs: 60_000 })).manager;
    const log = await manager.createLog("t", 0, testConfig({ retentionMs: 1000 }));
    for (let i = 0; i < 3; i++) {
      await log.append(batchOf([`v${i}`], { timestamp: T0 }));
      await log.roll();
    }
    clock.advance(59_999);
    await settle();
    expect(log.segmentCount).toBe(4);
    clock.advance(1);
    await settle();
    expect(log.segmentCount).toBe(1);
    expect(log.logStartOffset).toBe(3);
    expect(text(await fs.readFile("data/log-start-offset-checkpoint"))).toBe("0\n1\nt 0 3\n");
    await manager.close();
  });

  it("flushes logs whose flush.ms has passed on the flush check timer", async () => {
    const fs = memoryFileSystem();
    const clock = manualClock(T0);
    const manager = (await open(fs, clock, { flushCheckIntervalMs: 100 })).manager;
    const log = await manager.createLog("t", 0, testConfig({ flushMs: 1000 }));
    await log.append(batchOf(["a"]));
    expect(log.recoveryPoint).toBe(0);
    clock.advance(500);
    await settle();
    expect(log.recoveryPoint).toBe(0);
    clock.advance(600);
    await settle();
    expect(log.recoveryPoint).toBe(1);
    await manager.close();
  });

  it("flush.messages syncs before the append is acknowledged", async () => {
    const fs = memoryFileSystem();
    const manager = (await open(fs, manualClock(T0))).manager;
    const log = await manager.createLog("t", 0, testConfig({ flushMessages: 1 }));
    await log.append(batchOf(["a"]));
    expect(log.recoveryPoint).toBe(1);
    fs.crash({ keepUnsynced: "none" });
    expect(await fs.stat("data/t-0/00000000000000000000.log")).toMatchObject({ size: batchOf(["a"]).length });
  });

  it("spreads partitions over log directories and finds them all again", async () => {
    const fs = memoryFileSystem();
    const clock = manualClock(T0);
    const logDirs = ["disk1", "disk2"];
    const manager = (await open(fs, clock, { logDirs })).manager;
    for (let p = 0; p < 4; p++) await (await manager.createLog("t", p, testConfig())).append(batchOf([`p${p}`]));
    expect(manager.logs().map((l) => l.dir.split("/")[0]).sort()).toEqual(["disk1", "disk1", "disk2", "disk2"]);
    await manager.close();
    const again = (await open(fs, clock, { logDirs })).manager;
    expect(again.logs().length).toBe(4);
    for (let p = 0; p < 4; p++) expect((await readAll(again.getLog("t", p)!)).map((r) => r.value)).toEqual([`p${p}`]);
    await again.close();
  });

  it("rejects calls after close", async () => {
    const manager = (await open(memoryFileSystem(), manualClock(T0))).manager;
    await manager.close();
    await expect(manager.createLog("t", 0, testConfig())).rejects.toMatchObject({ code: "KAFKA_STORAGE_ERROR" });
  });
});

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 0));
}
