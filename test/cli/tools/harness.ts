/**
 * The harness of the CLI tool walk-throughs: a broker started as `edgelog serve` in a child process
 * on a free port and a fresh log directory, the `edgelog` tools run as child processes (on Node
 * through tsx, or the compiled binary) with standard input fed and output collected, and a wait
 * for a background consumer's subscriptions (read from the broker's `/metrics`), so that records
 * produced afterwards are the ones a consumer "at the end" prints.
 *
 * @example
 * ```ts
 * const broker = await startToolBroker({ "log.segment.bytes": "1073741824" });
 * const created = await edgelog(["topics", "--bootstrap-server", broker.address, "--create", "--topic", "t"]);
 * expectLines(created.lines, ["Created topic t."]);
 * await broker.stop();
 * ```
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { ROOT, RUNTIMES, startChild, type Child } from "../../support/child-process.ts";
import { BINARY_PATH } from "../../e2e/broker-matrix.ts";

const MAIN = "src/cli/main.ts";
const LISTENING = /listening on ws:\/\/127\.0\.0\.1:(\d+)/;

/** How to run edgelog: Node with tsx over the sources, or the compiled binary. */
export type Target = "node" | "binary";

function argv(target: Target, args: readonly string[]): [string, string[]] {
  return target === "binary" ? [BINARY_PATH, [...args]] : [RUNTIMES.node.command, [...RUNTIMES.node.args, MAIN, ...args]];
}

/** A running `edgelog serve`. */
export interface ToolBroker {
  /** host:port, as --bootstrap-server takes it. */
  readonly address: string;
  readonly httpUrl: string;
  readonly dataDir: string;
  readonly child: Child;
  /** SIGTERM, wait for the exit, remove the data directory (unless `keepData`). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts a broker on 127.0.0.1 with a free port and a fresh log directory, plus `overrides`.
 *
 * @example
 * ```ts
 * const broker = await startToolBroker({ "broker.id": "1001" });
 * ```
 */
export async function startToolBroker(overrides: Record<string, string> = {}, target: Target = "node"): Promise<ToolBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), "edgelog-tools-"));
  const settings = { listeners: "ws://127.0.0.1:0", "log.dirs": dataDir, ...overrides };
  const [command, args] = argv(target, ["serve", ...Object.entries(settings).flatMap(([k, v]) => ["--override", `${k}=${v}`])]);
  const child = startChild(command, args);
  let port: string;
  try {
    port = LISTENING.exec(await child.waitForLine((line) => LISTENING.test(line), 60_000))![1]!;
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    address: `127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    dataDir,
    child,
    async stop(options = {}) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await child.exited;
      clearTimeout(timer);
      if (options.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What a finished tool printed. */
export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout split into lines (without the last newline). */
  lines: string[];
  /** stderr split into lines. */
  errLines: string[];
}

/**
 * Runs `edgelog args…` to its end, with `input` on standard input; rejects after `timeoutMs`.
 *
 * @example
 * ```ts
 * const run = await edgelog(["console-producer", "--bootstrap-server", address, "--topic", "t"], { input: "a\nb\n" });
 * run.code; // 0
 * ```
 */
export function edgelog(args: readonly string[], options: { input?: string; timeoutMs?: number; target?: Target } = {}): Promise<ToolRun> {
  const [command, full] = argv(options.target ?? "node", args);
  const child = spawn(command, full, { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.on("error", () => undefined);
  child.stdin.end(options.input ?? "");
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`edgelog ${args.join(" ")} did not finish within ${options.timeoutMs ?? 30_000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, lines: splitLines(stdout), errLines: splitLines(stderr) });
    });
  });
}

/**
 * Starts a long-running tool (a consumer that waits for records) in the background.
 *
 * @example
 * ```ts
 * const consumer = spawnEdgelog(["console-consumer", "--bootstrap-server", address, "--topic", "t"]);
 * await consumer.waitForLine((l) => l === "hello");
 * consumer.kill("SIGINT");
 * ```
 */
export function spawnEdgelog(args: readonly string[], target: Target = "node"): Child {
  const [command, full] = argv(target, args);
  return startChild(command, full);
}

/**
 * How many `subscribe` requests the broker has answered (from `/metrics`).
 *
 * @example
 * ```ts
 * await subscribeCount(broker.httpUrl); // 3
 * ```
 */
export async function subscribeCount(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const match = /^edgelog_request_latency_seconds_count\{op="subscribe"\} (\d+)/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}

/**
 * Waits until the broker has answered at least `count` subscribe requests in all.
 *
 * @example
 * ```ts
 * const before = await subscribeCount(broker.httpUrl);
 * const consumer = spawnEdgelog([...]);
 * await waitForSubscribes(broker.httpUrl, before + 3);
 * ```
 */
export async function waitForSubscribes(httpUrl: string, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await subscribeCount(httpUrl)) < count) {
    if (Date.now() > deadline) throw new Error(`The broker answered fewer than ${count} subscribe requests within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Checks printed lines one by one: a string must be equal, a RegExp must match the whole line.
 *
 * @example
 * ```ts
 * expectLines(run.lines, ["Created topic t.", /^Topic: t\tTopicId: \S{22}\t/]);
 * ```
 */
export function expectLines(actual: readonly string[], expected: readonly (string | RegExp)[]): void {
  const shown = `\nactual:\n${actual.join("\n")}`;
  expect(actual.length, `line count${shown}`).toBe(expected.length);
  expected.forEach((want, i) => {
    const line = actual[i]!;
    if (typeof want === "string") expect(line, `line ${i + 1}${shown}`).toBe(want);
    else expect(line, `line ${i + 1}${shown}`).toMatch(new RegExp(`^(?:${want.source})$`, want.flags));
  });
}

/**
 * Checks a failed run: a non-zero status and one line on standard error without a stack trace.
 *
 * @example
 * ```ts
 * expectOneLineError(await edgelog(["topics", "--bogus"]), /unknown option --bogus/);
 * ```
 */
export function expectOneLineError(run: ToolRun, message: RegExp, code?: number): void {
  const shown = `\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  if (code === undefined) expect(run.code, shown).not.toBe(0);
  else expect(run.code, shown).toBe(code);
  expect(run.errLines, shown).toHaveLength(1);
  expect(run.errLines[0], shown).toMatch(message);
  expect(run.stderr, shown).not.toMatch(/^\s+at /m);
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The reference articles' topic id field: 22 characters of base64url. */
export const TOPIC_ID = /[A-Za-z0-9_-]{22}/;
