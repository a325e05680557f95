import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runtimeFileSystem, runtimeName } from "../../../src/adapters/runtime-file-system.ts";
import { defaultLogConfig } from "../../../src/core/log/log-config.ts";
import { CLEAN_SHUTDOWN_FILE, openLogManager } from "../../../src/core/log/log-manager.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import type { FileSystem } from "../../../src/core/ports/file-system.ts";
import { batchOf, readAll } from "./helpers.ts";

const T0 = 1_700_000_000_000;

describe(`the log on the ${runtimeName()} file system`, () => {
  let root = "";
  let fs: FileSystem;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "edgelog-log-test-"));
    fs = await runtimeFileSystem();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("appends, rolls, survives an unclean stop, applies retention and deletes, on real files", async () => {
    const clock = manualClock(T0);
    const config = { ...defaultLogConfig, segmentBytes: 2000, indexIntervalBytes: 100, retentionMs: 60_000 };
    const logDirs = [join(root, "data")];
    const first = await openLogManager({ fs, clock, logDirs, defaults: config });
    const log = await first.createLog("real-topic", 0, config);
    for (let i = 0; i < 100; i++) await log.append(batchOf([`value-${i}`], { timestamp: T0 + i }));
    expect(log.segmentCount).toBeGreaterThan(3);
    await first.checkpoint();
    // An unclean stop: the second manager opens the same directory without the first closing.
    const second = await openLogManager({ fs, clock, logDirs, defaults: config });
    const reopened = second.getLog("real-topic", 0)!;
    expect(reopened.logEndOffset).toBe(100);
    expect((await readAll(reopened)).map((r) => r.value)).toEqual(Array.from({ length: 100 }, (_, i) => `value-${i}`));
    expect(await reopened.offsetForTimestamp(T0 + 42)).toEqual({ offset: 42, timestamp: T0 + 42 });
    clock.set(T0 + 60_100);
    const segments = reopened.segmentCount;
    expect((await reopened.applyRetention()).deletedSegments).toBe(segments - 1);
    expect(reopened.segmentCount).toBe(1);
    expect(reopened.logStartOffset).toBeGreaterThan(50);
    await expect(reopened.read(reopened.logStartOffset - 1)).rejects.toMatchObject({ code: "OFFSET_OUT_OF_RANGE" });
    await reopened.truncateTo(95);
    expect(reopened.logEndOffset).toBe(95);
    await second.close();
    expect(await fs.stat(join(logDirs[0]!, CLEAN_SHUTDOWN_FILE))).not.toBeNull();
    const third = await openLogManager({ fs, clock, logDirs, defaults: config });
    const again = third.getLog("real-topic", 0)!;
    expect([again.logStartOffset, again.logEndOffset]).toEqual([reopened.logStartOffset, 95]);
    await third.deleteLog("real-topic", 0);
    expect((await fs.list(logDirs[0]!)).filter((n) => n.startsWith("real-topic"))).toEqual([]);
    await third.close();
  });
});
