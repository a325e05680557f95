/**
 * Runs a program as a child process for black-box tests and waits on its output line by line.
 *
 * @example
 * ```ts
 * const child = startChild(bunPath, ["src/cli/main.ts", "serve"]);
 * const line = await child.waitForLine((l) => l.includes("listening on"));
 * child.kill("SIGTERM");
 * const { code } = await child.exited;
 * ```
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

/** The repository's root (where package.json is). */
export const ROOT = join(import.meta.dirname, "..", "..");

/** How to start a TypeScript entry point on each runtime, from the repository's node_modules. */
export const RUNTIMES = {
  node: { command: process.execPath, args: ["--import", "tsx"] },
  bun: { command: join(ROOT, "node_modules", ".bin", "bun"), args: [] },
  deno: { command: join(ROOT, "node_modules", ".bin", "deno"), args: ["run", "-A"] },
} as const;

/** A running child process and its output so far. */
export interface Child {
  readonly process: ChildProcess;
  /** Every complete stdout line so far. */
  readonly stdout: string[];
  /** Every complete stderr line so far. */
  readonly stderr: string[];
  /** Resolves to the first stdout line that matches, or rejects when the process exits first or after `timeoutMs`. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when the process has exited, with its code (null when killed by a signal) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `command args` in the repository root with piped output.
 *
 * @example
 * ```ts
 * const child = startChild(RUNTIMES.bun.command, [...RUNTIMES.bun.args, "src/cli/main.ts", "--version"]);
 * ```
 */
export function startChild(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Child {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>();
  const collect = (stream: NodeJS.ReadableStream, lines: string[], notify: boolean): void => {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (!notify) continue;
        for (const waiter of [...waiters]) {
          if (waiter.match(line)) {
            waiters.delete(waiter);
            waiter.resolve(line);
          }
        }
      }
    });
  };
  collect(child.stdout!, stdout, true);
  collect(child.stderr!, stderr, false);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => setTimeout(() => resolve({ code, signal }), 20)),
  );
  return {
    process: child,
    stdout,
    stderr,
    exited,
    kill: (signal = "SIGTERM") => void child.kill(signal),
    waitForLine(match, timeoutMs = 20_000) {
      const seen = stdout.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
        const fail = (why: string) => {
          waiters.delete(waiter);
          reject(new Error(`${why}\nstdout:\n${stdout.join("\n")}\nstderr:\n${stderr.join("\n")}`));
        };
        const timer = setTimeout(() => fail(`No matching line within ${timeoutMs} ms`), timeoutMs);
        waiters.add(waiter);
        void exited.then(({ code, signal }) => {
          if (waiters.has(waiter)) {
            clearTimeout(timer);
            fail(`The process exited (code ${code}, signal ${signal}) before printing a matching line`);
          }
        });
      });
    },
  };
}
