/**
 * The four ways the end-to-end suite runs `edgelog serve` — Node (tsx), Bun, Deno and the compiled
 * binary — and a handle on one running broker process: its URL, its data directory, and how to stop
 * it gracefully, kill it with SIGKILL, or restart it on the same data.
 *
 * Every broker listens on ws://127.0.0.1:0 (a free port, read back from its listening line) with
 * its data in a fresh temporary directory unless one is given; `host` and `commandPrefix` put it
 * elsewhere, e.g. on a network namespace's address under `ip netns exec NS`.
 *
 * @example
 * ```ts
 * describe.each(TARGETS)("produce and fetch on $name", (target) => {
 *   let broker: E2eBroker;
 *   beforeAll(async () => (broker = await startBroker(target)));
 *   afterAll(() => broker.stop());
 *   test("...", async () => {
 *     const client = await broker.connect();
 *   });
 * });
 * ```
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, RUNTIMES, startChild, type Child } from "../support/child-process.ts";
import { WsTestClient, type WsTestClientOptions } from "../support/ws-test-client.ts";

/** The entry point the source targets run. */
const MAIN = "src/cli/main.ts";

/**
 * Where `npm run build` writes the single executable.
 *
 * @example
 * ```ts
 * existsSync(BINARY_PATH); // true once the e2e global setup ran
 * ```
 */
export const BINARY_PATH = join(ROOT, "dist", process.platform === "win32" ? "edgelog.exe" : "edgelog");

/**
 * One way to start `edgelog`: the command and the arguments that come before `serve`.
 *
 * @example
 * ```ts
 * const bun: BrokerTarget = { name: "bun", command: RUNTIMES.bun.command, args: ["src/cli/main.ts"] };
 * ```
 */
export interface BrokerTarget {
  readonly name: "node" | "bun" | "deno" | "binary";
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * Node with tsx, Bun, Deno, and the compiled binary.
 *
 * @example
 * ```ts
 * describe.each(TARGETS)("scenario on $name", (target) => { ... });
 * ```
 */
export const TARGETS: readonly BrokerTarget[] = [
  { name: "node", command: RUNTIMES.node.command, args: [...RUNTIMES.node.args, MAIN] },
  { name: "bun", command: RUNTIMES.bun.command, args: [MAIN] },
  { name: "deno", command: RUNTIMES.deno.command, args: [...RUNTIMES.deno.args, MAIN] },
  { name: "binary", command: BINARY_PATH, args: [] },
];

/** The line `edgelog serve` prints once it listens; group 1 is the URL, group 2 the host, group 3 the port. */
const LISTENING = /listening on (ws:\/\/([^\s:/,]+):(\d+))/;

/** How long a broker may take to print its listening line (Deno compiles on its first run). */
const START_TIMEOUT_MS = 60_000;

/**
 * Options of {@link startBroker}.
 *
 * @example
 * ```ts
 * const options: StartBrokerOptions = { dataDir: broker.dataDir, overrides: { "num.partitions": "3" } };
 * ```
 */
export interface StartBrokerOptions {
  /** The log directory; default a fresh temporary one. */
  dataDir?: string;
  /** Extra `--override key=value` settings (listeners and log.dirs are always set). */
  overrides?: Record<string, string>;
  /** The port to listen on; default 0, any free port. */
  port?: number;
  /** The address to listen on and advertise; default "127.0.0.1". */
  host?: string;
  /** Words run before the target's command, e.g. `["ip", "netns", "exec", "ns1"]`; default none. */
  commandPrefix?: readonly string[];
}

/**
 * A running `edgelog serve` process.
 *
 * @example
 * ```ts
 * const broker: E2eBroker = await startBroker(target);
 * await broker.kill();
 * const again = await broker.restart(); // same data directory and port
 * ```
 */
export interface E2eBroker {
  readonly target: BrokerTarget;
  /** e.g. "ws://127.0.0.1:40123" */
  readonly url: string;
  /** e.g. "http://127.0.0.1:40123" */
  readonly httpUrl: string;
  readonly dataDir: string;
  readonly child: Child;
  /** Connects a test client (hello done unless `hello: false`). */
  connect(options?: WsTestClientOptions): Promise<WsTestClient>;
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (`kill -9`), then waits for the exit. */
  kill(): Promise<void>;
  /** Starts the same target again on the same data directory and overrides (after stop or kill). */
  restart(): Promise<E2eBroker>;
  /** The process's output so far, for failure messages. */
  output(): string;
}

const tempDirs: string[] = [];

/**
 * A fresh temporary directory, removed by {@link removeTempDirs}.
 *
 * @example
 * ```ts
 * const dir = tempDataDir();
 * ```
 */
export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgelog-e2e-"));
  tempDirs.push(dir);
  return dir;
}

/**
 * Removes every directory made by {@link tempDataDir} in this test file.
 *
 * @example
 * ```ts
 * afterAll(removeTempDirs);
 * ```
 */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts `edgelog serve` on `target` and resolves once it listens. Rejects (with the process's
 * output) when it exits first or does not listen in time, or when the binary is missing.
 *
 * @example
 * ```ts
 * const broker = await startBroker(TARGETS[0]!, { overrides: { "socket.request.max.bytes": "65536" } });
 * ```
 */
export async function startBroker(target: BrokerTarget, options: StartBrokerOptions = {}): Promise<E2eBroker> {
  if (target.name === "binary" && !existsSync(BINARY_PATH)) {
    throw new Error(`${BINARY_PATH} does not exist: the e2e global setup should have built it with npm run build`);
  }
  const dataDir = options.dataDir ?? tempDataDir();
  const host = options.host ?? "127.0.0.1";
  const overrides = { ...options.overrides, listeners: `ws://${host}:${options.port ?? 0}`, "log.dirs": dataDir };
  const args = [...target.args, "serve", ...Object.entries(overrides).flatMap(([key, value]) => ["--override", `${key}=${value}`])];
  const prefix = options.commandPrefix ?? [];
  const child = prefix.length === 0 ? startChild(target.command, args) : startChild(prefix[0]!, [...prefix.slice(1), target.command, ...args]);
  let line: string;
  try {
    line = await child.waitForLine((l) => LISTENING.test(l), START_TIMEOUT_MS);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`edgelog serve on ${target.name} did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [, url, boundHost, port] = LISTENING.exec(line)!;
  const output = () => `stdout:\n${child.stdout.join("\n")}\nstderr:\n${child.stderr.join("\n")}`;
  return {
    target,
    url: url!,
    httpUrl: `http://${boundHost}:${port}`,
    dataDir,
    child,
    connect: (clientOptions) => WsTestClient.connect(url!, clientOptions),
    async stop() {
      if (child.process.exitCode === null && child.process.signalCode === null) child.kill("SIGTERM");
      return (await child.exited).code;
    },
    async kill() {
      if (child.process.exitCode === null && child.process.signalCode === null) child.kill("SIGKILL");
      await child.exited;
    },
    // The same port, so that clients holding the broker's address reconnect to the new process.
    restart: () => startBroker(target, { ...options, dataDir, port: Number(port) }),
    output,
  };
}

/** The newest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/edgelog with `npm run build` when it is missing or older than any file in src/.
 * Throws with the build's output when the build fails, so the binary target never goes untested.
 *
 * @example
 * ```ts
 * ensureBinary(); // in the e2e global setup
 * ```
 */
export function ensureBinary(): { built: boolean } {
  if (existsSync(BINARY_PATH) && statSync(BINARY_PATH).mtimeMs >= newestMtime(join(ROOT, "src"))) return { built: false };
  const build = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
  if (build.error) throw new Error(`npm run build could not run: ${build.error.message}`);
  if (build.status !== 0) throw new Error(`npm run build failed with status ${build.status}:\n${build.stderr}${build.stdout}`);
  if (!existsSync(BINARY_PATH)) throw new Error(`npm run build succeeded but ${BINARY_PATH} is missing`);
  return { built: true };
}
