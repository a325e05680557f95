/**
 * The console producer and consumer beyond the reference walk-throughs: headers and null markers in,
 * every `print.*` property out (Kafka's DefaultMessageFormatter layout), LogAppendTime topics,
 * `--include`, bad input lines, the TTY prompt, and the checks of `--offset`.
 */
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient } from "../../../src/client/client.ts";
import { nodeWebSocket } from "../../../src/client/node-websocket.ts";
import { LineReader } from "../../../src/cli/tools/line-reader.ts";
import { produceLines } from "../../../src/cli/tools/produce-lines.ts";
import { ROOT, RUNTIMES } from "../../support/child-process.ts";
import { edgelog, expectLines, expectOneLineError, startToolBroker, type ToolBroker } from "./harness.ts";

let broker: ToolBroker;
const bootstrap = (): string[] => ["--bootstrap-server", broker.address];

beforeAll(async () => {
  broker = await startToolBroker();
}, 90_000);
afterAll(() => broker?.stop());

describe("console-producer and console-consumer", () => {
  test("headers, keys and null markers go in, and every print property comes out in Kafka's layout", async () => {
    const produced = await edgelog(
      ["console-producer", ...bootstrap(), "--topic", "formatted", "--property", "parse.key=true", "--property", "parse.headers=true", "--property", "null.marker=NULL"],
      { input: "trace:t1,source:web\tk1\tv1\nNULL\tNULL\tv2\nh:NULL\tk3\tNULL\n" },
    );
    expect(produced).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const consumed = await edgelog([
      "console-consumer", ...bootstrap(), "--topic", "formatted", "--from-beginning", "--max-messages", "3",
      "--property", "print.timestamp=true", "--property", "print.partition=true", "--property", "print.offset=true",
      "--property", "print.headers=true", "--property", "print.key=true", "--property", "null.literal=(none)",
    ]);
    expectLines(consumed.lines, [
      /CreateTime:\d+\tPartition:0\tOffset:0\ttrace:t1,source:web\tk1\tv1/,
      /CreateTime:\d+\tPartition:0\tOffset:1\tNO_HEADERS\t\(none\)\tv2/,
      /CreateTime:\d+\tPartition:0\tOffset:2\th:\(none\)\tk3\t\(none\)/,
    ]);
    const separated = await edgelog([
      "console-consumer", ...bootstrap(), "--topic", "formatted", "--from-beginning", "--max-messages", "2",
      "--property", "print.value=false", "--property", "print.offset=true", "--property", "key.separator=|", "--property", "line.separator=;",
    ]);
    expect(separated.stdout).toBe("Offset:0;Offset:1;");
  }, 60_000);

  test("a LogAppendTime topic prints LogAppendTime before the time, and --include reads matching topics", async () => {
    await edgelog(["topics", ...bootstrap(), "--create", "--topic", "stamped-a", "--config", "message.timestamp.type=LogAppendTime"]);
    await edgelog(["topics", ...bootstrap(), "--create", "--topic", "stamped-b"]);
    await Promise.all([
      edgelog(["console-producer", ...bootstrap(), "--topic", "stamped-a"], { input: "a\n" }),
      edgelog(["console-producer", ...bootstrap(), "--topic", "stamped-b"], { input: "b\n" }),
    ]);
    const consumed = await edgelog(["console-consumer", ...bootstrap(), "--include", "stamped-.*", "--from-beginning", "--max-messages", "2", "--property", "print.timestamp=true"]);
    expect(consumed.lines).toHaveLength(2);
    expect(consumed.lines.some((l) => /^LogAppendTime:\d+\ta$/.test(l))).toBe(true);
    expect(consumed.lines.some((l) => /^CreateTime:\d+\tb$/.test(l))).toBe(true);
  }, 60_000);

  test("a line without the key separator stops the producer with Kafka's message after the lines before it", async () => {
    const run = await edgelog(["console-producer", ...bootstrap(), "--topic", "strict", "--property", "parse.key=true", "--property", "key.separator=:"], {
      input: "k:v\noops\nk:w\n",
    });
    expectOneLineError(run, /^ERROR No key separator found on line number 2: 'oops'$/, 1);
    const consumed = await edgelog(["console-consumer", ...bootstrap(), "--topic", "strict", "--from-beginning", "--timeout-ms", "1000"]);
    expectLines(consumed.lines, ["v"]);
    const lenient = await edgelog(["console-producer", ...bootstrap(), "--topic", "strict", "--property", "parse.key=true", "--property", "ignore.error=true"], { input: "just a value\n" });
    expect(lenient.code).toBe(0);
  }, 60_000);

  test("--offset is checked as Kafka's consumer checks it", async () => {
    const [bad, noPartition, both, groupAndPartition] = await Promise.all([
      edgelog(["console-consumer", ...bootstrap(), "--topic", "strict", "--partition", "0", "--offset", "-3"]),
      edgelog(["console-consumer", ...bootstrap(), "--topic", "strict", "--offset", "3"]),
      edgelog(["console-consumer", ...bootstrap(), "--topic", "strict", "--partition", "0", "--offset", "3", "--from-beginning"]),
      edgelog(["console-consumer", ...bootstrap(), "--topic", "strict", "--partition", "0", "--group", "g"]),
    ]);
    expectOneLineError(bad, /The provided offset value '-3' is incorrect\. Valid values are 'earliest', 'latest', or a non-negative long\./, 2);
    expectOneLineError(noPartition, /The partition is required when offset is specified\./, 2);
    expectOneLineError(both, /Options from-beginning and offset cannot be specified together\./, 2);
    expectOneLineError(groupAndPartition, /Options group and partition cannot be specified together\./, 2);
    const earliest = await edgelog(["console-consumer", ...bootstrap(), "--topic", "strict", "--partition", "0", "--offset", "earliest", "--max-messages", "1"]);
    expectLines(earliest.lines, ["v"]);
  }, 60_000);

  test("the prompt is printed before each line only when asked (standard input is a terminal)", async () => {
    const client = createClient({ brokers: [broker.address], WebSocket: await nodeWebSocket() });
    const producer = client.producer({ lingerMs: 5 });
    try {
      let prompts = "";
      await produceLines(producer, "prompted", new LineReader(new Map()), { input: Readable.from(["one\ntwo\n", "three\n"]), sync: false, prompt: () => (prompts += ">") });
      expect(prompts).toBe(">>>>");
      await produceLines(producer, "prompted", new LineReader(new Map()), { input: Readable.from(["four\n"]), sync: true });
    } finally {
      await producer.disconnect();
    }
    const consumed = await edgelog(["console-consumer", ...bootstrap(), "--topic", "prompted", "--from-beginning", "--max-messages", "4"]);
    expectLines(consumed.lines, ["one", "two", "three", "four"]);
  }, 60_000);

  test("Ctrl-C ends the producer's input and still sends the lines read before it", async () => {
    const child = spawn(RUNTIMES.node.command, [...RUNTIMES.node.args, "src/cli/main.ts", "console-producer", ...bootstrap(), "--topic", "interrupted"], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.write("typed before ctrl-c\n");
    // The line lingers (--timeout 1000 ms by default) until the signal ends the input.
    for (let i = 0; i < 100 && (await edgelog(["get-offsets", ...bootstrap(), "--topic", "interrupted"])).code !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGINT");
    expect(await exited, stderr).toBe(0);
    const consumed = await edgelog(["console-consumer", ...bootstrap(), "--topic", "interrupted", "--from-beginning", "--max-messages", "1"]);
    expectLines(consumed.lines, ["typed before ctrl-c"]);
  }, 60_000);
});
