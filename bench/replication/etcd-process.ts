/**
 * The replication bench's coordination store: a single-member etcd (Debian's `etcd-server`,
 * `/usr/bin/etcd`) on free loopback ports with its data in the run's temporary directory, started
 * as a registered process group (bench/ws/broker-process.ts) so that `killAll` stops it with the
 * brokers. Settings as the tests' etcd (test/support/etcd.ts): fast elections and no fsync, since a
 * single member on a shared machine measures the brokers, not the disk under etcd's WAL.
 *
 * @example
 * ```ts
 * const etcd = await startEtcd(join(root, "etcd"));
 * console.log(etcd.endpoint, etcd.pid);
 * await etcd.stop();
 * ```
 * @module
 */
import { etcdHealthy, findEtcd, freePort, singleMemberArgs } from "../../test/support/etcd.ts";
import { startGroup, type GroupChild } from "../ws/broker-process.ts";

/**
 * A running etcd.
 *
 * @example
 * ```ts
 * const { endpoint } = await startEtcd(dir); // "http://127.0.0.1:41234"
 * ```
 */
export interface EtcdProcess {
  /** The client URL. */
  readonly endpoint: string;
  readonly pid: number;
  readonly child: GroupChild;
  stop(): Promise<void>;
}


/**
 * Starts etcd with its data under `dataDir` and waits until `/health` answers (15 s at most).
 *
 * @example
 * ```ts
 * const etcd = await startEtcd("/tmp/edgelog-bench-repl/etcd");
 * ```
 */
export async function startEtcd(dataDir: string): Promise<EtcdProcess> {
  const binary = findEtcd();
  if (binary === undefined) throw new Error("etcd is not installed: apt-get install -y etcd-server (Debian's package, /usr/bin/etcd)");
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = startGroup(binary, singleMemberArgs("edgelog-bench", dataDir, endpoint, peer));
  let exited = false;
  void child.exited.then(() => (exited = true));
  const deadline = performance.now() + 15_000;
  while (!(await etcdHealthy(endpoint))) {
    if (exited || performance.now() > deadline) {
      await child.stop(1_000);
      throw new Error(`etcd did not become healthy${exited ? " (it exited)" : " within 15 s"}:\n${child.stderr.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { endpoint, pid: child.pid, child, stop: () => child.stop(5_000) };
}
