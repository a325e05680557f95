/**
 * `edgelog dump-log` on segments the broker wrote: records produced by the console producer (one
 * batch each, with keys and headers) into a topic with small segments and an index entry per
 * batch; after the broker stopped, the `.log`, `.index` and `.timeindex` files are dumped and
 * checked against each other. Then a torn tail, a flipped byte, an unknown and a missing file.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { edgelog, expectLines, expectOneLineError, startToolBroker, type ToolBroker } from "./harness.ts";

const BATCH_LINE =
  /^baseOffset: (\d+) lastOffset: (\d+) count: (\d+) baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong\.empty position: (\d+) CreateTime: (\d+) size: (\d+) magic: 2 compresscodec: none crc: (\d+) isvalid: (true|false)$/;

let broker: ToolBroker;
let partitionDir: string;
let scratch: string;
const records = Array.from({ length: 12 }, (_, i) => ({ headers: i % 2 === 0 ? `trace:t${i}` : `trace:t${i},source:cli`, key: `k${i}`, value: `value-${i}` }));

beforeAll(async () => {
  broker = await startToolBroker();
  const bootstrap = ["--bootstrap-server", broker.address];
  await edgelog(["topics", ...bootstrap, "--create", "--topic", "dumped", "--config", "segment.bytes=400", "--config", "index.interval.bytes=1"]);
  const input = records.map((r) => `${r.headers}\t${r.key}\t${r.value}`).join("\n") + "\n";
  const produced = await edgelog(["console-producer", ...bootstrap, "--topic", "dumped", "--sync", "--property", "parse.key=true", "--property", "parse.headers=true"], { input });
  if (produced.code !== 0) throw new Error(`producing failed: ${produced.stderr}`);
  partitionDir = join(broker.dataDir, "dumped-0");
  await broker.stop({ keepData: true });
  scratch = mkdtempSync(join(tmpdir(), "edgelog-dump-"));
}, 90_000);
afterAll(() => {
  rmSync(broker.dataDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

function segments(suffix: string): string[] {
  return readdirSync(partitionDir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => join(partitionDir, f));
}

describe("dump-log on segments written by the broker", () => {
  test("--print-data-log prints every batch and record of every segment, as Kafka's tool does", async () => {
    const logs = segments(".log");
    expect(logs.length).toBeGreaterThan(1);
    const run = await edgelog(["dump-log", "--files", logs.join(","), "--print-data-log"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    let offset = 0;
    let at = 0;
    for (const log of logs) {
      const base = Number(log.slice(-24, -4));
      expect(run.lines[at++]).toBe(`Dumping ${log}`);
      expect(run.lines[at++]).toBe(`Starting offset: ${base}`);
      let position = 0;
      while (at < run.lines.length && !run.lines[at]!.startsWith("Dumping ")) {
        const batch = BATCH_LINE.exec(run.lines[at++]!);
        expect(batch, run.lines[at - 1]).not.toBeNull();
        const [, baseOffset, lastOffset, count, pos, , size, , valid] = batch!;
        expect([Number(baseOffset), Number(lastOffset), Number(count), Number(pos), valid]).toEqual([offset, offset, 1, position, "true"]);
        const r = records[offset]!;
        const headerKeys = r.headers.split(",").map((h) => h.split(":")[0]).join(",");
        expect(run.lines[at++]).toMatch(
          new RegExp(`^\\| offset: ${offset} CreateTime: \\d+ keySize: ${r.key.length} valueSize: ${r.value.length} sequence: -1 headerKeys: \\[${headerKeys}\\] key: ${r.key} payload: ${r.value}$`),
        );
        position += Number(size);
        offset++;
      }
      expect(position).toBe(readFileSync(log).length);
    }
    expect(offset).toBe(records.length);
  }, 60_000);

  test("the .index and .timeindex entries point at the batches of the .log", async () => {
    const [log] = segments(".log");
    const [index] = segments(".index");
    const [timeIndex] = segments(".timeindex");
    const [logRun, indexRun, timeRun] = await Promise.all([
      edgelog(["dump-log", "--files", log!]),
      edgelog(["dump-log", "--files", index!]),
      edgelog(["dump-log", "--files", timeIndex!]),
    ]);
    const batches = logRun.lines.slice(2).map((l) => BATCH_LINE.exec(l)!);
    expect(batches.length).toBeGreaterThan(1);
    expect(indexRun.code).toBe(0);
    expect(indexRun.stderr).toBe("");
    // One entry per batch but the first (which starts the segment and needs no entry).
    expectLines(indexRun.lines, [`Dumping ${index}`, ...batches.slice(1).map((b) => `offset: ${b[2]} position: ${b[4]}`)]);
    expect(timeRun.code).toBe(0);
    const times = timeRun.lines.slice(1);
    expect(times.length).toBeGreaterThan(0);
    for (const line of times) {
      const [, timestamp, offset] = /^timestamp: (\d+) offset: (\d+)$/.exec(line)!;
      expect(batches.some((b) => b[2] === offset && b[5] === timestamp), line).toBe(true);
    }
  }, 60_000);

  test("a torn tail is reported, not a crash", async () => {
    const [log] = segments(".log");
    const torn = join(scratch, "00000000000000000000.log");
    copyFileSync(log!, torn);
    writeFileSync(torn, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 1, 0, 7]), { flag: "a" });
    const run = await edgelog(["dump-log", "--files", torn, "--deep-iteration"]);
    expect(run.code).toBe(0);
    expect(run.lines.at(-1)).toBe("Found 13 invalid bytes at the end of 00000000000000000000.log");
    expect(run.lines.filter((l) => l.startsWith("| offset: ") && !l.includes("payload"))).toHaveLength(run.lines.filter((l) => BATCH_LINE.test(l)).length);
  }, 60_000);

  test("a batch whose bytes changed prints isvalid: false", async () => {
    const [log] = segments(".log");
    const bytes = new Uint8Array(readFileSync(log!));
    bytes[bytes.length - 1] ^= 0xff; // the last byte of the last record's value
    const damaged = join(scratch, "00000000000000000001.log");
    writeFileSync(damaged, bytes);
    const run = await edgelog(["dump-log", "--files", damaged]);
    expect(run.code).toBe(0);
    const valid = run.lines.slice(2).map((l) => BATCH_LINE.exec(l)![8]);
    expect(valid.slice(0, -1).every((v) => v === "true")).toBe(true);
    expect(valid.at(-1)).toBe("false");
  }, 60_000);

  test("other files are skipped, and a missing file is one error line and status 1", async () => {
    const checkpoint = join(partitionDir, "leader-epoch-checkpoint");
    const skipped = await edgelog(["dump-log", "--files", checkpoint]);
    expect(skipped.code).toBe(0);
    expectLines(skipped.errLines, [`Ignoring unknown file ${checkpoint}`]);
    const missing = await edgelog(["dump-log", "--files", join(scratch, "00000000000000000042.log")]);
    expectOneLineError(missing, /^ERROR Cannot read .*00000000000000000042\.log: no such file$/, 1);
  }, 60_000);
});
