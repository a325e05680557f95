/**
 * The broker under benchmark as a child process: the compiled `dist/edgelog` (rebuilt when any
 * source is newer), started in its own process group so that stopping it also stops anything it
 * started, and read for its listening URL and resident memory. Every process started here is
 * registered, and {@link killAll} stops the ones still running (the bench calls it in `finally` and
 * on exit).
 *
 * @example
 * ```ts
 * ensureBinary();
 * const broker = await startBroker({ dataDir: "/tmp/edgelog-bench", raiseFdLimit: true });
 * console.log(broker.url, memoryOf(broker.pid).rss);
 * await broker.stop();
 * ```
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** The repository root. */
export const ROOT = join(import.meta.dirname, "..", "..");

/** The single executable the bench measures. */
export const BINARY = join(ROOT, "dist", "edgelog");

/** The file descriptor limit asked for brokers and connection workers (the hard limit when lower). */
export const FD_LIMIT = 65_536;

const running = new Set<ChildProcess>();

/**
 * A started child process in its own process group, with its output lines so far.
 *
 * @example
 * ```ts
 * const child = startGroup("bash", ["-c", "exec sleep 10"]);
 * await child.stop();
 * ```
 */
export interface GroupChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the first stdout line that matches; rejects on exit or after `timeoutMs`. */
  waitForLine(match: RegExp, timeoutMs: number): Promise<{ line: string; at: number }>;
  /** SIGTERM to the group, SIGKILL when it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: Promise<void>;
}

/**
 * Spawns `command args` detached (a new process group) with piped output and registers it.
 *
 * @example
 * ```ts
 * const worker = startGroup("bash", ["-c", `ulimit -n ${FD_LIMIT}; exec "$0" "$@"`, process.execPath, "bench/ws.ts"]);
 * ```
 */
export function startGroup(command: string, args: readonly string[], options: { stdin?: "ignore" | "pipe" } = {}): GroupChild {
  const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: [options.stdin ?? "ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`Cannot start ${command}`);
  const pid = child.pid;
  running.add(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ match: RegExp; resolve: (v: { line: string; at: number }) => void }>();
  const collect = (stream: NodeJS.ReadableStream, lines: string[], notify: boolean): void => {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const at = performance.now();
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (!notify) continue;
        for (const waiter of [...waiters]) {
          if (waiter.match.test(line)) {
            waiters.delete(waiter);
            waiter.resolve({ line, at });
          }
        }
      }
    });
  };
  collect(child.stdout!, stdout, true);
  collect(child.stderr!, stderr, false);
  let hasExited = false;
  const exited = new Promise<void>((resolve) =>
    child.on("exit", () => {
      hasExited = true;
      running.delete(child);
      resolve();
    }),
  );
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  return {
    process: child,
    pid,
    stdout,
    stderr,
    exited,
    waitForLine(match, timeoutMs) {
      const seen = stdout.find((l) => match.test(l));
      if (seen !== undefined) return Promise.resolve({ line: seen, at: performance.now() });
      return new Promise((resolve, reject) => {
        const fail = (why: string): void => {
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`${command}: ${why}\nstdout:\n${stdout.join("\n")}\nstderr:\n${stderr.join("\n")}`));
        };
        const waiter = { match, resolve: (v: { line: string; at: number }) => (clearTimeout(timer), resolve(v)) };
        const timer = setTimeout(() => fail(`no line matching ${match} within ${timeoutMs} ms`), timeoutMs);
        waiters.add(waiter);
        void exited.then(() => {
          if (waiters.has(waiter)) fail(`exited (code ${child.exitCode}, signal ${child.signalCode}) before a line matching ${match}`);
        });
      });
    },
    async stop(graceMs = 10_000) {
      if (hasExited) return;
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup("SIGKILL"); // anything the leader left behind in its group
    },
  };
}

/**
 * SIGKILLs the process group of every child still running (synchronous, usable in an exit handler).
 *
 * @example
 * ```ts
 * process.on("exit", killAll);
 * ```
 */
export function killAll(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  running.clear();
}

/**
 * Makes the bench leave nothing behind: every child's process group is killed when the bench exits,
 * and on SIGINT/SIGTERM the directory `tempDir()` names (if any) is removed before exiting with 130.
 *
 * @example
 * ```ts
 * let tempRoot: string | undefined;
 * cleanUpOnExit(() => tempRoot);
 * ```
 */
export function cleanUpOnExit(tempDir: () => string | undefined): void {
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      killAll();
      const dir = tempDir();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  }
}

/** Newest modification time (ms) of the files the binary is built from. */
function newestSourceTime(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else newest = Math.max(newest, stat.mtimeMs);
    }
  };
  walk(join(ROOT, "src"));
  for (const file of ["package.json", "package-lock.json", join("scripts", "build.ts")]) {
    const path = join(ROOT, file);
    if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist/edgelog` (`bun scripts/build.ts`) when it is missing or older than any source file.
 * Returns whether it built.
 *
 * @example
 * ```ts
 * if (ensureBinary()) console.log("rebuilt dist/edgelog");
 * ```
 */
export function ensureBinary(): boolean {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= newestSourceTime()) return false;
  console.log("dist/edgelog is missing or older than the sources: building it (npm run build) ...");
  const result = spawnSync(process.execPath, [join(ROOT, "scripts", "build.ts")], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`npm run build failed with status ${result.status}`);
  return true;
}

/**
 * A broker started from {@link BINARY}.
 *
 * @example
 * ```ts
 * const broker = await startBroker({ dataDir });
 * const ws = new WebSocket(broker.url, "edgelog.v1");
 * ```
 */
export interface BrokerProcess {
  readonly child: GroupChild;
  readonly pid: number;
  /** The WebSocket URL from the listening line. */
  readonly url: string;
  /** The runtime named by the listening line, e.g. "bun 1.4.5". */
  readonly runtime: string;
  /** performance.now() just before the spawn. */
  readonly spawnedAt: number;
  /** performance.now() when the listening line arrived. */
  readonly listeningAt: number;
  stop(): Promise<void>;
}

/**
 * Options of {@link startBroker}.
 *
 * @example
 * ```ts
 * const options: StartBrokerOptions = { dataDir, raiseFdLimit: true, overrides: ["num.partitions=1"] };
 * ```
 */
export interface StartBrokerOptions {
  dataDir: string;
  /** Start through `bash -c 'ulimit -n …; exec …'` (for many connections). */
  raiseFdLimit?: boolean;
  /** More `key=value` broker settings. */
  overrides?: readonly string[];
  /** The program and leading arguments to run instead of {@link BINARY}, e.g. `["bun", "--cpu-prof-md", "src/cli/main.ts"]`. */
  command?: readonly string[];
}

/**
 * Starts `dist/edgelog serve` on a free loopback port with its data in `dataDir` and waits for its
 * listening line.
 *
 * @example
 * ```ts
 * const broker = await startBroker({ dataDir: await mkdtemp(join(tmpdir(), "b-")) });
 * ```
 */
export async function startBroker(options: StartBrokerOptions): Promise<BrokerProcess> {
  const args = ["serve", "--override", "listeners=ws://127.0.0.1:0", "--override", `log.dirs=${options.dataDir}`];
  for (const o of options.overrides ?? []) args.push("--override", o);
  const [program, ...leading] = options.command ?? [BINARY];
  args.unshift(...leading);
  const spawnedAt = performance.now();
  const child = options.raiseFdLimit ? startGroup("bash", ["-c", raisedLimitScript(), program!, ...args]) : startGroup(program!, args);
  let listening;
  try {
    listening = await child.waitForLine(/ listening on /, 20_000);
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
  const match = / listening on (\S+?),? .*\(runtime ([^,]+),/.exec(listening.line);
  if (!match) {
    await child.stop(1000);
    throw new Error(`Cannot read the listening line: ${listening.line}`);
  }
  return {
    child,
    pid: child.pid,
    url: match[1]!,
    runtime: match[2]!,
    spawnedAt,
    listeningAt: listening.at,
    stop: () => child.stop(),
  };
}

/**
 * A `bash -c` script that raises the open file limit to {@link FD_LIMIT} (or the hard limit when
 * that is lower) and then execs its arguments (`$0 "$@"`).
 *
 * @example
 * ```ts
 * spawn("bash", ["-c", raisedLimitScript(), "dist/edgelog", "serve"]);
 * ```
 */
export function raisedLimitScript(): string {
  return `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
}

/**
 * Resident memory of a process from /proc/<pid>/status, in bytes: the whole (VmRSS), anonymous
 * memory (RssAnon: heaps, stacks) and file-backed pages (RssFile: mostly the executable's own pages,
 * shared with the page cache and reclaimable).
 *
 * @example
 * ```ts
 * const { rss, anon, file } = memoryOf(broker.pid);
 * ```
 */
export function memoryOf(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match) throw new Error(`No ${name} in /proc/${pid}/status`);
    return Number(match[1]) * 1024; // the kernel's "kB" are KiB
  };
  return { rss: field("VmRSS"), anon: field("RssAnon"), file: field("RssFile") };
}

/**
 * CPU time (user + system, all threads) a process has used so far, in milliseconds, from
 * /proc/<pid>/stat (clock ticks of 10 ms on Linux).
 *
 * @example
 * ```ts
 * const before = cpuMillis(broker.pid);
 * // ... load ...
 * console.log(`${cpuMillis(broker.pid) - before} ms of broker CPU`);
 * ```
 */
export function cpuMillis(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // the fields after the command name, which is in parentheses and may hold spaces
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime and stime are fields 14 and 15 of the whole line
}
