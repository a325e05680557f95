/**
 * A throwaway etcd for tests: a single member on 127.0.0.1 with free client and peer ports and a
 * temporary data directory, which a test can stop and start again on the same data (a restart) and
 * must destroy at the end. etcd comes from Debian's `etcd-server` package (installed by `.ci/run`);
 * when it is missing, {@link startEtcd} fails with a message saying so: the tests never skip.
 *
 * @example
 * ```ts
 * const etcd = await startEtcd();
 * const store = etcdCoordination({ endpoints: etcd.endpoint });
 * await etcd.stop(); await etcd.start(); // a restart on the same data directory
 * await etcd.destroy();
 * ```
 * @module
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { startChild, type Child } from "./child-process.ts";

/** A running (or stopped) test etcd. */
export interface EtcdServer {
  /** The client URL, e.g. "http://127.0.0.1:41234". */
  readonly endpoint: string;
  readonly dataDir: string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and keeps the data directory. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data directory. */
  start(): Promise<void>;
  /** Compacts the history below `revision`. */
  compact(revision: number): Promise<void>;
  /** Stops it and removes the data directory. */
  destroy(): Promise<void>;
}

/**
 * Where the etcd binary is (on PATH, /usr/bin or /usr/local/bin), or undefined.
 *
 * @example
 * ```ts
 * findEtcd(); // "/usr/bin/etcd"
 * ```
 */
export function findEtcd(): string | undefined {
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), "/usr/bin", "/usr/local/bin"];
  for (const dir of dirs) {
    if (dir !== "" && existsSync(join(dir, "etcd"))) return join(dir, "etcd");
  }
  return undefined;
}

/**
 * The command line of a throwaway single-member etcd: client and peer URLs as given, fast elections
 * (a single member on a shared machine), no fsync, quiet logs.
 *
 * @example
 * ```ts
 * spawn("/usr/bin/etcd", singleMemberArgs("bench", "/tmp/etcd", "http://127.0.0.1:2379", "http://127.0.0.1:2380"));
 * ```
 */
export function singleMemberArgs(name: string, dataDir: string, endpoint: string, peer: string): string[] {
  // prettier-ignore
  return [
    "--name", name,
    "--data-dir", dataDir,
    "--listen-client-urls", endpoint,
    "--advertise-client-urls", endpoint,
    "--listen-peer-urls", peer,
    "--initial-advertise-peer-urls", peer,
    "--initial-cluster", `${name}=${peer}`,
    "--initial-cluster-state", "new",
    "--heartbeat-interval", "50",
    "--election-timeout", "500",
    "--unsafe-no-fsync",
    "--logger", "zap",
    "--log-level", "error",
  ];
}

/**
 * A port free on 127.0.0.1 right now.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Whether the etcd at `endpoint` answers its /health as healthy (within a second).
 *
 * @example
 * ```ts
 * await etcdHealthy("http://127.0.0.1:2379"); // true
 * ```
 */
export async function etcdHealthy(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1_000) });
    const body = (await response.json()) as { health?: unknown };
    return body.health === "true" || body.health === true;
  } catch {
    return false;
  }
}

/**
 * Options of {@link startEtcd}.
 *
 * @example
 * ```ts
 * const options: StartEtcdOptions = { host: "10.213.4.1" }; // a test bridge's address
 * ```
 */
export interface StartEtcdOptions {
  /** The address etcd listens on (clients and peer); default "127.0.0.1". */
  host?: string;
}

/**
 * Starts a fresh single-member etcd and waits until it answers `/health`.
 *
 * @example
 * ```ts
 * const etcd = await startEtcd();
 * ```
 */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const binary = findEtcd();
  if (binary === undefined) {
    throw new Error(
      "etcd is not installed, and the coordination tests need it: run .ci/run, or apt-get install -y etcd-server (Debian's package, /usr/bin/etcd)",
    );
  }
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), "edgelog-etcd-"));
  const host = options.host ?? "127.0.0.1";
  const endpoint = `http://${host}:${clientPort}`;
  const peer = `http://${host}:${peerPort}`;
  const args = singleMemberArgs("edgelog-test", join(dataDir, "member-data"), endpoint, peer);
  let child: Child | undefined;

  async function start(): Promise<void> {
    if (child !== undefined) throw new Error("The test etcd is running already");
    const started = startChild(binary!, args, { cwd: dataDir });
    child = started;
    let exited = false;
    void started.exited.then(() => (exited = true));
    const deadline = Date.now() + 15_000;
    while (!(await etcdHealthy(endpoint))) {
      if (exited) {
        child = undefined;
        throw new Error(`etcd exited while starting:\n${started.stderr.join("\n")}`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`etcd did not become healthy within 15 s:\n${started.stderr.join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function stop(): Promise<void> {
    const running = child;
    if (running === undefined) return;
    child = undefined;
    running.kill("SIGTERM");
    const killer = setTimeout(() => running.kill("SIGKILL"), 5_000);
    await running.exited;
    clearTimeout(killer);
  }

  await start();
  return {
    endpoint,
    dataDir,
    start,
    stop,
    async compact(revision) {
      const response = await fetch(`${endpoint}/v3/kv/compaction`, {
        method: "POST",
        body: JSON.stringify({ revision: String(revision), physical: true }),
      });
      if (!response.ok) throw new Error(`etcd refused to compact to ${revision}: ${await response.text()}`);
    },
    async destroy() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
