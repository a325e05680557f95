import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { CLEANER_OFFSET_CHECKPOINT } from "../../../src/core/log/checkpoint-file.ts";
import { openLogManager } from "../../../src/core/log/log-manager.ts";
import type { FileSystem } from "../../../src/core/ports/file-system.ts";
import { manualClock, type ManualClock } from "../../../src/core/ports/clock.ts";
import { keyed, lines, readKeyed } from "./compaction-helpers.ts";
import { batchOf, testConfig } from "./helpers.ts";

const T0 = 1_700_000_000_000;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const compacted = testConfig({ cleanupPolicy: ["compact"], minCleanableDirtyRatio: 0.1 });

function open(fs: FileSystem, clock: ManualClock) {
  return openLogManager({
    fs,
    clock,
    logDirs: ["data"],
    defaults: testConfig(),
    configFor: (topic) => (topic === "table" ? compacted : testConfig()),
    retentionCheckIntervalMs: 60_000,
  });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 0));
}

describe("LogManager compaction", () => {
  it("the retention task compacts logs whose cleanup.policy includes compact and checkpoints where it stopped", async () => {
    const fs = memoryFileSystem();
    const clock = manualClock(T0);
    const manager = await open(fs, clock);
    const table = await manager.createLog("table", 0, compacted);
    const events = await manager.createLog("events", 0, testConfig());
    for (const value of ["1", "2", "3"]) {
      await table.append(keyed([["k", value]]));
      await table.roll();
      await events.append(batchOf([value]));
      await events.roll();
    }
    clock.advance(60_000);
    await settle();
    expect(lines(await readKeyed(table))).toEqual(["2:k=3"]);
    expect((await readKeyed(events)).length).toBe(3);
    expect(text(await fs.readFile(`data/${CLEANER_OFFSET_CHECKPOINT}`))).toBe("0\n1\ntable 0 3\n");
    await manager.close();

    const again = await open(fs, clock);
    expect(again.getLog("table", 0)!.firstDirtyOffset).toBe(3);
    await again.close();
  });
});
