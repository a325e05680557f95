/**
 * How the tools fail: an unreachable broker, an unknown topic, a bad flag — each is one line on
 * standard error and a non-zero status, never a stack trace; and every tool answers `--help`.
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { CliIo } from "../../../src/cli/command.ts";
import { runCli } from "../../../src/cli/run-cli.ts";
import { edgelog, expectOneLineError, startToolBroker, type ToolBroker } from "./harness.ts";

const TOOLS = [
  "topics",
  "console-producer",
  "console-consumer",
  "consumer-groups",
  "configs",
  "delete-records",
  "get-offsets",
  "verifiable-producer",
  "verifiable-consumer",
  "producer-perf-test",
  "consumer-perf-test",
  "dump-log",
];

function capture(): CliIo & { out: (t: string) => void; lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (t) => void lines.push(...t.split("\n")), err: (t) => void errors.push(...t.split("\n")) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("every tool's command line", () => {
  test.each(TOOLS)("edgelog %s --help prints its usage", async (tool) => {
    const io = capture();
    expect(await runCli([tool, "--help"], io)).toBe(0);
    expect(io.lines[0]).toMatch(new RegExp(`^Usage: edgelog ${tool} `));
    expect(io.errors).toEqual([]);
  });

  test.each(TOOLS)("edgelog %s refuses an unknown option with one line and status 2", async (tool) => {
    const io = capture();
    expect(await runCli([tool, "--bogus"], io)).toBe(2);
    expect(io.errors).toEqual([`edgelog ${tool}: unknown option --bogus (see 'edgelog ${tool} --help')`]);
  });

  test("a malformed --bootstrap-server and a missing one are usage errors", async () => {
    const bad = capture();
    expect(await runCli(["topics", "--bootstrap-server", "http://localhost:9092", "--list"], bad)).toBe(2);
    expect(bad.errors).toEqual([
      "edgelog topics: --bootstrap-server: Broker address \"http://localhost:9092\" must use ws:// or wss://, not http:// (see 'edgelog topics --help')",
    ]);
    const missing = capture();
    expect(await runCli(["get-offsets", "--topic", "t"], missing)).toBe(2);
    expect(missing.errors).toEqual(["edgelog get-offsets: missing required option --bootstrap-server (see 'edgelog get-offsets --help')"]);
  });

  test("an ambiguous abbreviation of an option is refused", async () => {
    const ambiguous = capture();
    expect(await runCli(["topics", "--bootstrap-server", "localhost:1", "--de", "--topic", "t"], ambiguous)).toBe(2);
    expect(ambiguous.errors).toEqual(["edgelog topics: option --de is ambiguous (--describe, --delete) (see 'edgelog topics --help')"]);
  });
});

describe("an unreachable broker", () => {
  let address: string;
  beforeAll(async () => {
    address = `127.0.0.1:${await freePort()}`;
  });

  test("fails every networked tool with one line and status 1", async () => {
    const runs: [string, string[], string?][] = [
      ["topics", ["topics", "--bootstrap-server", address, "--list"]],
      ["console-producer", ["console-producer", "--bootstrap-server", address, "--topic", "t"], "a\n"],
      ["console-consumer", ["console-consumer", "--bootstrap-server", address, "--topic", "t"]],
      ["consumer-groups", ["consumer-groups", "--bootstrap-server", address, "--list"]],
      ["configs", ["configs", "--bootstrap-server", address, "--entity-type", "topics", "--entity-name", "t", "--describe"]],
      ["get-offsets", ["get-offsets", "--bootstrap-server", address, "--topic", "t"]],
      ["verifiable-producer", ["verifiable-producer", "--bootstrap-server", address, "--topic", "t", "--max-messages", "1"]],
      ["producer-perf-test", ["producer-perf-test", "--topic", "t", "--num-records", "1", "--record-size", "1", "--throughput", "-1", "--producer-props", `bootstrap.servers=${address}`]],
      ["consumer-perf-test", ["consumer-perf-test", "--bootstrap-server", address, "--topic", "t", "--messages", "1"]],
    ];
    for (let i = 0; i < runs.length; i += 3) {
      const results = await Promise.all(runs.slice(i, i + 3).map(([, args, input]) => edgelog(args, input === undefined ? {} : { input })));
      for (const run of results) expectOneLineError(run, new RegExp(`^ERROR Cannot connect to ws://${address.replaceAll(".", "\\.")}/`), 1);
    }
  }, 90_000);
});

describe("a broker that does not create topics", () => {
  let broker: ToolBroker;
  beforeAll(async () => {
    broker = await startToolBroker({ "auto.create.topics.enable": "false" });
  }, 90_000);
  afterAll(() => broker?.stop());

  test("an unknown topic is one error line and status 1 for each tool", async () => {
    const b = ["--bootstrap-server", broker.address];
    const [describe, offsets, configs, consumer, producer, alter] = await Promise.all([
      edgelog(["topics", ...b, "--describe", "--topic", "nope"]),
      edgelog(["get-offsets", ...b, "--topic", "nope"]),
      edgelog(["configs", ...b, "--entity-type", "topics", "--entity-name", "nope", "--describe"]),
      edgelog(["console-consumer", ...b, "--topic", "nope"]),
      edgelog(["console-producer", ...b, "--topic", "nope"], { input: "x\n" }),
      edgelog(["configs", ...b, "--entity-type", "topics", "--entity-name", "nope", "--alter", "--add-config", "retention.ms=1"]),
    ]);
    expectOneLineError(describe, /^ERROR Topic 'nope' does not exist as expected$/, 1);
    expectOneLineError(offsets, /^ERROR Could not match any topic-partitions with the specified filters$/, 1);
    expectOneLineError(configs, /^ERROR .*nope.*$/, 1);
    expectOneLineError(consumer, /^ERROR .*nope.*$/, 1);
    expectOneLineError(producer, /^ERROR Error when sending message to topic nope with key: null, value: 1 bytes with error: .*$/, 1);
    expectOneLineError(alter, /^ERROR .*nope.*$/, 1);
  }, 60_000);

  test("--if-exists and --if-not-exists make a missing or present topic no error", async () => {
    const b = ["--bootstrap-server", broker.address];
    expect((await edgelog(["topics", ...b, "--create", "--topic", "present"])).code).toBe(0);
    const [exists, missing] = await Promise.all([
      edgelog(["topics", ...b, "--create", "--topic", "present", "--if-not-exists"]),
      edgelog(["topics", ...b, "--delete", "--topic", "absent", "--if-exists"]),
    ]);
    expect(exists).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect(missing).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expectOneLineError(await edgelog(["topics", ...b, "--create", "--topic", "present"]), /^ERROR Topic 'present' already exists\.$/, 1);
  }, 60_000);
});
