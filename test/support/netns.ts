/**
 * A small Linux network lab for partition tests, built with iproute2's `ip` only: one network
 * namespace per host, each joined by a veth pair to a bridge in the root namespace, which holds the
 * bridge's address (where the test process and a test etcd are reached). Links are cut in two ways:
 * {@link NetnsLab.isolate} takes a host's bridge port down (it reaches nothing and nothing reaches
 * it, except what runs inside its own namespace), and {@link NetnsLab.cut} drops the traffic between
 * two hosts only, with blackhole routes inside both namespaces (packets vanish silently, as on a
 * broken network). {@link NetnsLab.heal} undoes every cut.
 *
 * Every name the lab creates starts with one unique prefix that carries the creating process's id;
 * {@link NetnsLab.destroy} removes them all, and {@link createNetnsLab} first removes what labs of
 * processes that no longer run left behind. Needs root: without working network namespaces
 * {@link createNetnsLab} throws a message saying so (tests never skip).
 *
 * @example
 * ```ts
 * const lab = createNetnsLab(["b1", "b2", "b3"]);
 * try {
 *   const child = startChild("ip", [...lab.commandPrefix("b1").slice(1), "edgelog", "serve"]);
 *   lab.cut("b1", "b2");
 *   lab.heal();
 * } finally {
 *   lab.destroy();
 * }
 * ```
 * @module
 */
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";

/** The start of every name a lab makes: "eln", four base-36 characters, then the parts. */
const NAME = /^(eln[0-9a-z]{4})-(\d+)-/;

/**
 * One host of a lab: a network namespace with one address on the lab's bridge.
 *
 * @example
 * ```ts
 * const host: NetnsHost = lab.host("b1"); // { name: "b1", namespace: "elnk3x9-4242-b1", address: "10.213.7.11", ... }
 * ```
 */
export interface NetnsHost {
  /** The name the test gave it. */
  readonly name: string;
  /** The network namespace, for `ip netns exec`. */
  readonly namespace: string;
  /** Its IPv4 address on the bridge. */
  readonly address: string;
  /** Its veth end in the root namespace (attached to the bridge). */
  readonly hostDevice: string;
  /** Its veth end inside its namespace. */
  readonly namespaceDevice: string;
}

/**
 * A lab made by {@link createNetnsLab}.
 *
 * @example
 * ```ts
 * lab.isolate("b1"); // b1 reaches nothing, nothing reaches b1
 * lab.heal();
 * ```
 */
export interface NetnsLab {
  /** The prefix of every name the lab made, e.g. "elnk3x9-4242". */
  readonly prefix: string;
  /** The bridge's address in the root namespace, e.g. "10.213.7.1". */
  readonly bridgeAddress: string;
  readonly hosts: readonly NetnsHost[];
  /** The host named `name`; throws for an unknown name. */
  host(name: string): NetnsHost;
  /** The words that run a command inside the host's namespace: `["ip", "netns", "exec", ns]`. */
  commandPrefix(name: string): string[];
  /** Takes the host's bridge port down: it keeps only what runs in its own namespace. */
  isolate(name: string): void;
  /** Drops every packet between hosts `a` and `b` (both ways); each keeps its other links. */
  cut(a: string, b: string): void;
  /** Undoes every {@link isolate} and {@link cut}. */
  heal(): void;
  /** Deletes the namespaces, the veth pairs and the bridge; safe to call twice. */
  destroy(): void;
}

/** Runs `ip args`; throws with its output on failure unless `allowFailure`. */
function ip(args: readonly string[], allowFailure = false): { ok: boolean; out: string } {
  const run = spawnSync("ip", args, { encoding: "utf8", timeout: 10_000 });
  if (run.error !== undefined) {
    if (allowFailure) return { ok: false, out: run.error.message };
    throw new Error(`ip ${args.join(" ")} could not run: ${run.error.message} (iproute2's ip is needed)`);
  }
  if (run.status !== 0 && !allowFailure) throw new Error(`ip ${args.join(" ")} failed (status ${run.status}): ${run.stderr.trim()}`);
  return { ok: run.status === 0, out: run.stdout };
}

/** Whether process `pid` still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes namespaces and bridges of labs whose creating process has gone (a killed test run). */
function removeStaleLabs(): void {
  const stale = new Set<string>();
  for (const line of ip(["netns", "list"], true).out.split("\n")) {
    const match = NAME.exec(line.trim());
    if (match !== null && !alive(Number(match[2]))) {
      stale.add(match[1]!);
      ip(["netns", "delete", line.trim().split(/\s/)[0]!], true);
    }
  }
  for (const tag of stale) ip(["link", "delete", `${tag}br`], true);
}

/** A /24 of 10.200.0.0/13 that no route or address of the root namespace touches: "10.A.B". */
function freeSubnet(): string {
  const used = ip(["-4", "route", "show", "table", "all"], true).out + ip(["-4", "-o", "addr"], true).out;
  for (let attempt = 0; attempt < 100; attempt++) {
    const net = `10.${200 + randomInt(8)}.${randomInt(256)}`;
    if (!used.includes(`${net}.`)) return net;
  }
  throw new Error("No free 10.200.0.0/13 subnet for the network lab");
}

/**
 * Makes a lab with one namespace per name (at most 200 hosts). Throws, after removing whatever it
 * made, when network namespaces cannot be made (not root, no `ip`, a kernel without them).
 *
 * @example
 * ```ts
 * const lab = createNetnsLab(["b1", "b2", "b3"]);
 * lab.host("b2").address; // e.g. "10.204.17.12"
 * ```
 */
export function createNetnsLab(names: readonly string[]): NetnsLab {
  if (names.length === 0 || names.length > 200 || new Set(names).size !== names.length) {
    throw new RangeError(`A lab needs 1 to 200 distinct host names, got ${JSON.stringify(names)}`);
  }
  removeStaleLabs();
  const tag = `eln${randomInt(36 ** 4).toString(36).padStart(4, "0")}`;
  const prefix = `${tag}-${process.pid}`;
  const net = freeSubnet();
  const bridge = `${tag}br`;
  const hosts: NetnsHost[] = names.map((name, i) => ({
    name,
    namespace: `${prefix}-${name}`,
    address: `${net}.${11 + i}`,
    hostDevice: `${tag}v${i}`,
    namespaceDevice: `${tag}p${i}`,
  }));
  const cuts: { namespace: string; address: string }[] = [];
  const isolated = new Set<NetnsHost>();
  let destroyed = false;

  const byName = (name: string): NetnsHost => {
    const host = hosts.find((h) => h.name === name);
    if (host === undefined) throw new RangeError(`No host ${JSON.stringify(name)} in the lab (hosts: ${names.join(", ")})`);
    return host;
  };

  const lab: NetnsLab = {
    prefix,
    bridgeAddress: `${net}.1`,
    hosts,
    host: byName,
    commandPrefix: (name) => ["ip", "netns", "exec", byName(name).namespace],
    isolate(name) {
      const host = byName(name);
      ip(["link", "set", host.hostDevice, "down"]);
      isolated.add(host);
    },
    cut(a, b) {
      const [from, to] = [byName(a), byName(b)];
      for (const [here, there] of [
        [from, to],
        [to, from],
      ] as const) {
        ip(["-n", here.namespace, "route", "add", "blackhole", `${there.address}/32`]);
        cuts.push({ namespace: here.namespace, address: there.address });
      }
    },
    heal() {
      for (const cut of cuts.splice(0)) ip(["-n", cut.namespace, "route", "delete", "blackhole", `${cut.address}/32`]);
      for (const host of isolated) ip(["link", "set", host.hostDevice, "up"]);
      isolated.clear();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const host of hosts) {
        ip(["link", "delete", host.hostDevice], true);
        ip(["netns", "delete", host.namespace], true);
      }
      ip(["link", "delete", bridge], true);
    },
  };

  try {
    ip(["link", "add", bridge, "type", "bridge"]);
    ip(["address", "add", `${lab.bridgeAddress}/24`, "dev", bridge]);
    ip(["link", "set", bridge, "up"]);
    for (const host of hosts) {
      ip(["netns", "add", host.namespace]);
      ip(["link", "add", host.hostDevice, "type", "veth", "peer", "name", host.namespaceDevice]);
      ip(["link", "set", host.namespaceDevice, "netns", host.namespace]);
      ip(["link", "set", host.hostDevice, "master", bridge, "up"]);
      ip(["-n", host.namespace, "address", "add", `${host.address}/24`, "dev", host.namespaceDevice]);
      ip(["-n", host.namespace, "link", "set", host.namespaceDevice, "up"]);
      ip(["-n", host.namespace, "link", "set", "lo", "up"]);
    }
  } catch (error) {
    lab.destroy();
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Cannot build the network namespace lab, which this test needs (it runs as root on CI: .ci/run; it needs iproute2 and a kernel with network namespaces, veth and bridge): ${why}`,
    );
  }
  return lab;
}
