/**
 * The perf tools and the verifiable producer: Kafka's summary lines (producer-perf-test's latency
 * percentiles, consumer-perf-test's CSV), progress lines and throttling, the timeout warning, and
 * the verifiable producer's keys, value prefix and acks.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { edgelog, expectLines, startToolBroker, type ToolBroker } from "./harness.ts";

let broker: ToolBroker;
const bootstrap = (): string[] => ["--bootstrap-server", broker.address];

const SUMMARY = (n: number) =>
  new RegExp(`${n} records sent, \\d+\\.\\d records/sec \\(\\d+\\.\\d\\d MB/sec\\), \\d+\\.\\d\\d ms avg latency, \\d+\\.\\d\\d ms max latency, \\d+ ms 50th, \\d+ ms 95th, \\d+ ms 99th, \\d+ ms 99\\.9th\\.`);
const WINDOW = /\d+ records sent, \d+\.\d records\/sec \(\d+\.\d\d MB\/sec\), \d+\.\d ms avg latency, \d+\.\d ms max latency\./;
const CSV_HEADER = "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
const TIME = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d:\\d{3}";
const CSV = (mb: string, n: number) => new RegExp(`${TIME}, ${TIME}, ${mb}, \\d+\\.\\d{4}, ${n}, \\d+\\.\\d{4}, 0, \\d+, \\d+\\.\\d{4}, \\d+\\.\\d{4}`);

beforeAll(async () => {
  broker = await startToolBroker({ "group.initial.rebalance.delay.ms": "0" });
}, 90_000);
afterAll(() => broker?.stop());

describe("producer-perf-test and consumer-perf-test", () => {
  test("2000 records of 100 bytes are measured by both tools with Kafka's summaries", async () => {
    const produced = await edgelog([
      "producer-perf-test", "--topic", "perf", "--num-records", "2000", "--record-size", "100", "--throughput", "-1",
      "--producer-props", "acks=all", "batch.size=16384", "linger.ms=5", `bootstrap.servers=${broker.address}`,
    ]);
    expect(produced.code, produced.stderr).toBe(0);
    expectLines(produced.lines, [...produced.lines.slice(0, -1).map(() => WINDOW), SUMMARY(2000)]);
    expectLines((await edgelog(["get-offsets", ...bootstrap(), "--topic", "perf"])).lines, ["perf:0:2000"]);

    const consumed = await edgelog(["consumer-perf-test", ...bootstrap(), "--topic", "perf", "--messages", "2000"]);
    expect(consumed.code, consumed.stderr).toBe(0);
    // 2000 × 100 bytes = 0.1907 MB
    expectLines(consumed.lines, [CSV_HEADER, CSV("0\\.1907", 2000)]);

    const grouped = await edgelog(["consumer-perf-test", ...bootstrap(), "--topic", "perf", "--messages", "2000", "--group", "perf-group"]);
    expect(grouped.code, grouped.stderr).toBe(0);
    expectLines(grouped.lines, [CSV_HEADER, new RegExp(`${TIME}, ${TIME}, 0\\.1907, \\d+\\.\\d{4}, 2000, \\d+\\.\\d{4}, \\d+, \\d+, \\d+\\.\\d{4}, \\d+\\.\\d{4}`)]);

    const short = await edgelog(["consumer-perf-test", ...bootstrap(), "--topic", "perf", "--messages", "3000", "--timeout", "1000", "--hide-header"]);
    expectLines(short.lines, [
      "WARNING: Exiting before consuming the expected number of messages: timeout (1000 ms) exceeded. You can use the --timeout option to increase the timeout.",
      CSV("0\\.1907", 2000),
    ]);
  }, 60_000);

  test("--throughput paces the producer, and a progress line comes every 5 seconds", async () => {
    const started = Date.now();
    const run = await edgelog([
      "producer-perf-test", "--topic", "paced", "--num-records", "1400", "--payload-monotonic", "--throughput", "250", "--bootstrap-server", broker.address,
    ]);
    const elapsed = Date.now() - started;
    expect(run.code, run.stderr).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(5200);
    expect(run.lines.length).toBeGreaterThanOrEqual(2);
    expectLines(run.lines, [...run.lines.slice(0, -1).map(() => WINDOW), SUMMARY(1400)]);
  }, 60_000);
});

describe("verifiable-producer", () => {
  test("--repeating-keys, --value-prefix and --acks shape what it sends and prints", async () => {
    await edgelog(["topics", ...bootstrap(), "--create", "--topic", "verified", "--partitions", "2"]);
    const run = await edgelog(["verifiable-producer", ...bootstrap(), "--topic", "verified", "--max-messages", "4", "--repeating-keys", "2", "--value-prefix", "7", "--acks", "1"]);
    expect(run.code).toBe(0);
    const events = run.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e["name"])).toEqual(["startup_complete", ...Array(4).fill("producer_send_success"), "shutdown_complete", "tool_data"]);
    const sends = events.filter((e) => e["name"] === "producer_send_success");
    expect(sends.map((e) => [e["key"], e["value"]]).sort()).toEqual([["0", "7.0"], ["0", "7.2"], ["1", "7.1"], ["1", "7.3"]]);
    // The same key lands on the same partition, at consecutive offsets.
    for (const key of ["0", "1"]) {
      const same = sends.filter((e) => e["key"] === key);
      expect(new Set(same.map((e) => e["partition"])).size).toBe(1);
      expect(same.map((e) => e["offset"])).toEqual([0, 1]);
    }
    expect(events.at(-1)).toMatchObject({ name: "tool_data", sent: 4, acked: 4, target_throughput: -1 });
  }, 60_000);
});
