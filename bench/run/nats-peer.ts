/**
 * The peer of `npm run bench`: Debian's `nats-server` started as a child process with JetStream on
 * file storage in a temporary store directory, its client port and a WebSocket listener (no TLS)
 * both on 127.0.0.1 at ports it picks itself, in its own process group (stopped with it, also on
 * failure, through bench/ws/broker-process.ts).
 *
 * @example
 * ```ts
 * const nats = await startNats(await mkdtemp(join(tmpdir(), "nats-")));
 * console.log(nats.tcpUrl, nats.wsUrl, nats.version);
 * await nats.stop();
 * ```
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startGroup, type GroupChild } from "../ws/broker-process.ts";

/**
 * A running nats-server.
 *
 * @example
 * ```ts
 * const nc = await connect({ servers: nats.tcpUrl });
 * ```
 */
export interface NatsProcess {
  readonly child: GroupChild;
  readonly pid: number;
  /** `nats://127.0.0.1:<port>`, the client (TCP) port. */
  readonly tcpUrl: string;
  /** `ws://127.0.0.1:<port>`, the WebSocket listener. */
  readonly wsUrl: string;
  /** The version from its start banner, e.g. "2.9.10". */
  readonly version: string;
  /** performance.now() just before the spawn. */
  readonly spawnedAt: number;
  /** performance.now() when "Server is ready" arrived. */
  readonly readyAt: number;
  stop(): Promise<void>;
}

/**
 * The version of the `nats-server` on the PATH, or undefined when there is none.
 *
 * @example
 * ```ts
 * if (natsServerVersion() === undefined) console.log("apt-get install -y nats-server");
 * ```
 */
export function natsServerVersion(): string | undefined {
  const result = spawnSync("nats-server", ["--version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) return undefined;
  return /v?(\d+\.\d+\.\d+)/.exec(result.stdout)?.[1];
}

/**
 * Writes the config file into `dir` and starts `nats-server -c <file> -js -sd <dir>/store -a
 * 127.0.0.1 -p -1` (random ports, read back from its log), its log on stdout.
 *
 * @example
 * ```ts
 * const nats = await startNats(dir);
 * ```
 */
export async function startNats(dir: string): Promise<NatsProcess> {
  const config = join(dir, "nats.conf");
  await writeFile(config, `# written by bench/run/nats-peer.ts\nwebsocket {\n  listen: "127.0.0.1:-1"\n  no_tls: true\n}\n`);
  const args = ["-c", config, "-js", "-sd", join(dir, "store"), "-a", "127.0.0.1", "-p", "-1"];
  const spawnedAt = performance.now();
  // nats-server logs to stderr; `exec` keeps its pid the group leader's
  const child = startGroup("bash", ["-c", 'exec "$0" "$@" 2>&1', "nats-server", ...args]);
  try {
    const ready = await child.waitForLine(/Server is ready/, 20_000);
    const ws = /Listening for websocket clients on (ws:\/\/[\d.]+:\d+)/.exec(child.stdout.join("\n"));
    const tcp = /Listening for client connections on ([\d.]+:\d+)/.exec(child.stdout.join("\n"));
    const version = /Version:\s+(\S+)/.exec(child.stdout.join("\n"));
    if (!ws || !tcp) throw new Error(`Cannot read the listeners of nats-server:\n${child.stdout.join("\n")}`);
    return {
      child,
      pid: child.pid,
      tcpUrl: `nats://${tcp[1]!}`,
      wsUrl: ws[1]!,
      version: version?.[1] ?? "?",
      spawnedAt,
      readyAt: ready.at,
      stop: () => child.stop(),
    };
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
}

/**
 * Starts nats-server `starts` times on empty store directories under `root` (JetStream and the
 * WebSocket listener on, as in the bench) and returns the milliseconds from spawn to "Server is
 * ready" of each start.
 *
 * @example
 * ```ts
 * const times = await natsStartupTimes(root, 7);
 * ```
 */
export async function natsStartupTimes(root: string, starts: number): Promise<number[]> {
  const times: number[] = [];
  for (let k = 0; k < starts; k++) {
    const dir = await mkdtemp(join(root, "nats-start-"));
    const nats = await startNats(dir);
    try {
      times.push(nats.readyAt - nats.spawnedAt);
    } finally {
      await nats.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  return times;
}
