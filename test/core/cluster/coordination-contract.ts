/**
 * One behavioural contract for every {@link Coordination} implementation, run in real time: the
 * in-memory store and a real etcd must pass the same tests (revisions, compare-and-swap, leases,
 * watches that survive a restart and resync after compaction, leader election).
 *
 * @example
 * ```ts
 * describeCoordinationContract("memoryCoordinationStore()", async () => {
 *   const store = memoryCoordinationStore();
 *   return { connect: () => store.connect(), stop: async () => store.stop(), start: async () => store.start(),
 *            compact: async (r) => store.compact(r), teardown: async () => {} };
 * });
 * ```
 * @module
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { campaign, electLeader } from "../../../src/core/cluster/election.ts";
import type { Coordination, CoordinationEntry, LeaseLoss, WatchEvent, WatchUpdate } from "../../../src/core/ports/coordination.ts";

/** What the suite needs from an implementation: clients of one shared store, and control over the store. */
export interface CoordinationHarness {
  /** A new client of the store (calls that cannot reach the store give up within about a second). */
  connect(): Coordination;
  /** Takes the store down (its data stays). */
  stop(): Promise<void>;
  /** Brings it back with its data. */
  start(): Promise<void>;
  /** Forgets the history below `revision`. */
  compact(revision: number): Promise<void>;
  teardown(): Promise<void>;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it stops throwing, for at most `timeoutMs`. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(25);
    }
  }
}

/** Collects what a watch delivers. */
function recorder() {
  const updates: WatchUpdate[] = [];
  return {
    updates,
    onUpdate: (update: WatchUpdate) => void updates.push(update),
    events: (): WatchEvent[] => updates.flatMap((u) => (u.type === "events" ? u.events : [])),
  };
}

const describeEvent = (e: WatchEvent): string => (e.type === "PUT" ? `PUT ${e.key}=${e.entry.text}` : `DELETE ${e.key}`);

/**
 * Registers the contract tests; `setup` runs once for the suite.
 *
 * @example
 * ```ts
 * describeCoordinationContract("etcdCoordination()", setupEtcdHarness);
 * ```
 */
export function describeCoordinationContract(name: string, setup: () => Promise<CoordinationHarness>): void {
  describe(`${name} honours the Coordination contract`, () => {
    let harness: CoordinationHarness;
    let clients: Coordination[] = [];
    let prefix = "";
    let counter = 0;
    const k = (name: string): string => `${prefix}${name}`;
    const connect = (): Coordination => {
      const client = harness.connect();
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      harness = await setup();
    });
    afterAll(async () => {
      await harness?.teardown();
    });
    afterEach(async () => {
      await Promise.all(clients.map((client) => client.close()));
      clients = [];
      prefix = `/contract-${++counter}-${Math.random().toString(36).slice(2, 8)}/`;
    });
    prefix = `/contract-0-${Math.random().toString(36).slice(2, 8)}/`;

    it("put() then get() returns the value with its revisions and version, and no lease", async () => {
      const c = connect();
      const first = await c.put(k("a"), "one");
      const { entry, revision } = await c.get(k("a"));
      expect(entry).toMatchObject({ key: k("a"), text: "one", createRevision: first.revision, modRevision: first.revision, version: 1, lease: null });
      expect(entry!.value).toEqual(utf8("one"));
      expect(revision).toBe(first.revision);
      const second = await c.put(k("a"), new Uint8Array([0, 255]));
      expect(second.revision).toBe(first.revision + 1);
      const { entry: after } = await c.get(k("a"));
      expect(after).toMatchObject({ createRevision: first.revision, modRevision: second.revision, version: 2 });
      expect(after!.value).toEqual(new Uint8Array([0, 255]));
      expect(await c.get(k("missing"))).toEqual({ entry: null, revision: second.revision });
    });

    it("delete() removes a key without a revision when nothing was there, and a re-created key starts at version 1", async () => {
      const c = connect();
      await c.put(k("a"), "1");
      await c.put(k("a"), "2");
      const removed = await c.delete(k("a"));
      expect(removed.deleted).toBe(1);
      expect((await c.get(k("a"))).entry).toBeNull();
      expect(await c.delete(k("a"))).toEqual({ revision: removed.revision, deleted: 0 });
      const again = await c.put(k("a"), "3");
      expect((await c.get(k("a"))).entry).toMatchObject({ version: 1, createRevision: again.revision, text: "3" });
    });

    it("getPrefix() returns the keys under a prefix in key order and nothing beside it", async () => {
      const c = connect();
      for (const key of ["b", "é", "a/x", "a"]) await c.put(k(key), key);
      await c.put(prefix.slice(0, -1), "the prefix itself, without its slash");
      await c.put(`${prefix.slice(0, -1)}0`, "a sibling");
      const { entries, revision } = await c.getPrefix(prefix);
      expect(entries.map((e) => e.key)).toEqual([k("a"), k("a/x"), k("b"), k("é")]);
      expect(entries.map((e) => e.text)).toEqual(["a", "a/x", "b", "é"]);
      expect(revision).toBe(Math.max(...entries.map((e) => e.modRevision)) + 2);
      expect((await c.getPrefix(k("zzz"))).entries).toEqual([]);
      const everything = await c.getPrefix("");
      expect(everything.entries.map((e) => e.key)).toEqual(expect.arrayContaining([k("a"), k("é"), `${prefix.slice(0, -1)}0`]));
    });

    it("txn() applies its success branch at one revision when a modRevision comparison holds", async () => {
      const c = connect();
      const { revision } = await c.put(k("state"), "v1");
      const result = await c.txn({
        compare: [{ key: k("state"), target: "modRevision", op: "=", value: revision }],
        success: [
          { type: "put", key: k("state"), value: "v2" },
          { type: "put", key: k("other"), value: "x" },
          { type: "get", key: k("state") },
          { type: "getPrefix", prefix },
        ],
        failure: [{ type: "get", key: k("state") }],
      });
      expect(result.succeeded).toBe(true);
      expect(result.revision).toBe(revision + 1);
      expect(result.results.map((r) => r.type)).toEqual(["put", "put", "get", "get"]);
      const read = result.results[2]!;
      expect(read.type === "get" && read.entries[0]).toMatchObject({ text: "v2", modRevision: revision + 1, version: 2 });
      const listed = result.results[3]!;
      expect(listed.type === "get" && listed.entries.map((e) => e.key)).toEqual([k("other"), k("state")]);
      expect((await c.get(k("other"))).entry).toMatchObject({ modRevision: revision + 1, createRevision: revision + 1 });
    });

    it("txn() runs its failure branch and changes nothing when a comparison fails (compare-and-swap)", async () => {
      const c = connect();
      const stale = await c.put(k("state"), "v1");
      const current = await c.put(k("state"), "v2");
      const result = await c.txn({
        compare: [{ key: k("state"), target: "modRevision", op: "=", value: stale.revision }],
        success: [{ type: "put", key: k("state"), value: "lost update" }, { type: "delete", key: k("state") + "-x" }],
        failure: [{ type: "get", key: k("state") }],
      });
      expect(result.succeeded).toBe(false);
      expect(result.revision).toBe(current.revision);
      expect(result.results).toHaveLength(1);
      const read = result.results[0]!;
      expect(read.type === "get" && read.entries.map((e) => e.text)).toEqual(["v2"]);
      expect((await c.get(k("state"))).entry).toMatchObject({ text: "v2", modRevision: current.revision });
    });

    it("txn() compares createRevision, version and value, where a missing key has revision 0 and no value", async () => {
      const c = connect();
      const holds = async (compare: Parameters<Coordination["txn"]>[0]["compare"][number]) =>
        (await c.txn({ compare: [compare], success: [] })).succeeded;
      expect(await holds({ key: k("m"), target: "createRevision", op: "=", value: 0 })).toBe(true);
      expect(await holds({ key: k("m"), target: "version", op: "=", value: 0 })).toBe(true);
      expect(await holds({ key: k("m"), target: "value", op: "=", value: "" })).toBe(false);
      expect(await holds({ key: k("m"), target: "value", op: "!=", value: "x" })).toBe(false);
      const { revision } = await c.put(k("m"), "v1");
      await c.put(k("m"), "v2");
      expect(await holds({ key: k("m"), target: "createRevision", op: "=", value: 0 })).toBe(false);
      expect(await holds({ key: k("m"), target: "createRevision", op: "=", value: revision })).toBe(true);
      expect(await holds({ key: k("m"), target: "modRevision", op: ">", value: revision })).toBe(true);
      expect(await holds({ key: k("m"), target: "version", op: ">", value: 1 })).toBe(true);
      expect(await holds({ key: k("m"), target: "version", op: "<", value: 2 })).toBe(false);
      expect(await holds({ key: k("m"), target: "value", op: "=", value: "v2" })).toBe(true);
      expect(await holds({ key: k("m"), target: "value", op: "=", value: utf8("v2") })).toBe(true);
      expect(await holds({ key: k("m"), target: "value", op: "<", value: "v3" })).toBe(true);
      expect(await holds({ key: k("m"), target: "value", op: "!=", value: "v2" })).toBe(false);
      // Several comparisons must all hold.
      const both = await c.txn({
        compare: [
          { key: k("m"), target: "value", op: "=", value: "v2" },
          { key: k("m"), target: "version", op: "=", value: 1 },
        ],
        success: [{ type: "put", key: k("m"), value: "v3" }],
      });
      expect(both.succeeded).toBe(false);
      expect((await c.get(k("m"))).entry?.text).toBe("v2");
    });

    it("txn() refuses a branch that writes a key twice, and an empty key, with INVALID_REQUEST", async () => {
      const c = connect();
      const before = await c.get(k("a"));
      await expect(
        c.txn({ compare: [], success: [{ type: "put", key: k("a"), value: "1" }, { type: "put", key: k("a"), value: "2" }] }),
      ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
      await expect(
        c.txn({ compare: [], success: [{ type: "put", key: k("a"), value: "1" }, { type: "delete", key: k("a") }] }),
      ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
      await expect(c.put("", "x")).rejects.toMatchObject({ code: "INVALID_REQUEST" });
      expect(await c.get(k("a"))).toEqual(before);
    });

    it("keys put under a lease carry its id, and revoke() deletes them together and ends the lease", async () => {
      const c = connect();
      const lease = await c.grantLease(5);
      expect(lease.id).toMatch(/^\d+$/);
      expect(lease.state).toBe("active");
      await c.put(k("a"), "1", { lease });
      await c.put(k("b"), "2", { lease: lease.id });
      expect((await c.get(k("a"))).entry?.lease).toBe(lease.id);
      const seen = recorder();
      await c.watchPrefix(prefix, {}, seen.onUpdate);
      const lost: LeaseLoss[] = [];
      lease.onLost((loss) => lost.push(loss));
      await lease.revoke();
      expect(lease.state).toBe("revoked");
      await eventually(() => expect(seen.events().map(describeEvent)).toEqual([`DELETE ${k("a")}`, `DELETE ${k("b")}`]));
      expect(seen.updates).toHaveLength(1);
      const [first, second] = seen.events();
      expect(first!.revision).toBe(second!.revision);
      expect((await c.getPrefix(prefix)).entries).toEqual([]);
      await expect(c.put(k("c"), "3", { lease })).rejects.toMatchObject({ code: "INVALID_REQUEST", details: { leaseNotFound: lease.id } });
      await lease.revoke(); // a second revoke is not an error
      expect(lost).toEqual([]);
    });

    it("a lease outlives its TTL while its holder keeps it alive", async () => {
      const c = connect();
      const lease = await c.grantLease(1);
      await c.put(k("alive"), "yes", { lease });
      await sleep(2_000);
      expect(lease.state).toBe("active");
      expect((await c.get(k("alive"))).entry?.text).toBe("yes");
      await lease.revoke();
    });

    it("a lease whose holder stops keeping it alive expires and takes its keys with it", async () => {
      const holder = connect();
      const observer = connect();
      const lease = await holder.grantLease(1);
      await holder.put(k("a"), "1", { lease });
      await holder.put(k("b"), "2", { lease });
      const seen = recorder();
      await observer.watchPrefix(prefix, {}, seen.onUpdate);
      const started = Date.now();
      await holder.close();
      await eventually(() => expect(seen.events().map((e) => e.type)).toEqual(["DELETE", "DELETE"]), 5_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      expect((await observer.getPrefix(prefix)).entries).toEqual([]);
    });

    it("while the store is down, calls fail with COORDINATOR_NOT_AVAILABLE and a lease is reported lost after its TTL", async () => {
      const c = connect();
      const observer = connect();
      const lease = await c.grantLease(1);
      await c.put(k("a"), "1", { lease });
      const lost: LeaseLoss[] = [];
      lease.onLost((loss) => lost.push(loss));
      await harness.stop();
      try {
        await expect(c.get(k("a"))).rejects.toMatchObject({ code: "COORDINATOR_NOT_AVAILABLE", retriable: true });
        await eventually(() => expect(lost).toHaveLength(1), 4_000);
        expect(lost[0]!.reason).toBe("unreachable");
        expect(lease.state).toBe("lost");
      } finally {
        await harness.start();
      }
      // Back up, the store gives the lease its TTL again; with no one keeping it alive it then expires.
      await eventually(async () => expect((await observer.get(k("a"))).entry).toBeNull(), 5_000);
    });

    it("a watch delivers puts and deletes in revision order, with a transaction's changes in one update", async () => {
      const c = connect();
      const seen = recorder();
      const beside = recorder();
      await c.watchPrefix(k("w/"), {}, seen.onUpdate);
      await c.watchPrefix(k("other/"), {}, beside.onUpdate);
      const a = await c.put(k("w/a"), "1");
      await c.put(k("w/b"), "2");
      await c.delete(k("w/a"));
      await c.put(k("unrelated"), "x");
      const txn = await c.txn({ compare: [], success: [{ type: "put", key: k("w/d"), value: "4" }, { type: "put", key: k("w/c"), value: "3" }] });
      await eventually(() => expect(seen.updates).toHaveLength(4));
      expect(seen.events().map(describeEvent)).toEqual([
        `PUT ${k("w/a")}=1`,
        `PUT ${k("w/b")}=2`,
        `DELETE ${k("w/a")}`,
        `PUT ${k("w/d")}=4`,
        `PUT ${k("w/c")}=3`,
      ]);
      const revisions = seen.events().map((e) => e.revision);
      expect(revisions).toEqual([a.revision, a.revision + 1, a.revision + 2, txn.revision, txn.revision]);
      const put = seen.events()[0]!;
      expect(put.type === "PUT" && put.entry).toMatchObject({ version: 1, createRevision: a.revision, modRevision: a.revision });
      expect(beside.updates).toEqual([]);
    });

    it("a watch from an earlier revision replays what happened since then", async () => {
      const c = connect();
      const first = await c.put(k("a"), "1");
      await c.put(k("a"), "2");
      await c.delete(k("a"));
      await c.put(k("b"), "3");
      const seen = recorder();
      await c.watchPrefix(prefix, { fromRevision: first.revision + 1 }, seen.onUpdate);
      await eventually(() => expect(seen.events().map(describeEvent)).toEqual([`PUT ${k("a")}=2`, `DELETE ${k("a")}`, `PUT ${k("b")}=3`]));
    });

    it("a watch waits for its callback before delivering the next update, and cancel() stops it", async () => {
      const c = connect();
      const order: string[] = [];
      let release = (): void => {};
      const watch = await c.watchPrefix(prefix, {}, async (update) => {
        const key = update.type === "events" ? update.events[0]!.key : "resync";
        order.push(`start ${key}`);
        if (key === k("slow")) await new Promise<void>((resolve) => (release = resolve));
        order.push(`end ${key}`);
      });
      await c.put(k("slow"), "1");
      await c.put(k("next"), "2");
      await eventually(() => expect(order).toEqual([`start ${k("slow")}`]));
      await sleep(100);
      expect(order).toEqual([`start ${k("slow")}`]);
      release();
      await eventually(() => expect(order).toEqual([`start ${k("slow")}`, `end ${k("slow")}`, `start ${k("next")}`, `end ${k("next")}`]));
      watch.cancel();
      await c.put(k("after"), "3");
      await sleep(200);
      expect(order).toHaveLength(4);
    });

    it("a watch resumes after the store restarts, without gaps or repeats", async () => {
      const writer = connect();
      const watcher = connect();
      const seen = recorder();
      const problems: unknown[] = [];
      await watcher.watchPrefix(prefix, { onError: (e) => problems.push(e) }, seen.onUpdate);
      await writer.put(k("1"), "before");
      await eventually(() => expect(seen.events()).toHaveLength(1));
      await harness.stop();
      await sleep(300);
      await harness.start();
      await writer.put(k("2"), "after");
      await writer.put(k("3"), "after");
      await eventually(() => expect(seen.events()).toHaveLength(3), 8_000);
      await sleep(200);
      expect(seen.events().map(describeEvent)).toEqual([`PUT ${k("1")}=before`, `PUT ${k("2")}=after`, `PUT ${k("3")}=after`]);
      expect(seen.updates.every((u) => u.type === "events")).toBe(true);
    });

    it("a watch from a compacted revision delivers a resync with the current entries, then goes on", async () => {
      const c = connect();
      const first = await c.put(k("a"), "1");
      await c.put(k("b"), "2");
      await c.delete(k("a"));
      const last = await c.put(k("c"), "3");
      await harness.compact(last.revision);
      const seen = recorder();
      await c.watchPrefix(prefix, { fromRevision: first.revision }, seen.onUpdate);
      await eventually(() => expect(seen.updates).toHaveLength(1));
      const resync = seen.updates[0]!;
      expect(resync.type).toBe("resync");
      if (resync.type !== "resync") return;
      expect(resync.entries.map((e: CoordinationEntry) => `${e.key}=${e.text}`)).toEqual([`${k("b")}=2`, `${k("c")}=3`]);
      expect(resync.revision).toBeGreaterThanOrEqual(last.revision);
      await c.put(k("d"), "4");
      await eventually(() => expect(seen.updates).toHaveLength(2));
      expect(seen.events().map(describeEvent)).toEqual([`PUT ${k("d")}=4`]);
    });

    it("electLeader() elects exactly one of three concurrent campaigners, and the same lease stays elected", async () => {
      const cs = [connect(), connect(), connect()];
      const leases = await Promise.all(cs.map((c) => c.grantLease(5)));
      const results = await Promise.all(cs.map((c, i) => electLeader(c, k("leader"), `broker-${i}`, leases[i]!)));
      const winners = results.filter((r) => r.elected);
      expect(winners).toHaveLength(1);
      const winner = results.indexOf(winners[0]!);
      for (const r of results) expect(r.leader).toMatchObject({ text: `broker-${winner}`, lease: leases[winner]!.id });
      expect((await electLeader(cs[winner]!, k("leader"), `broker-${winner}`, leases[winner]!)).elected).toBe(true);
      await Promise.all(leases.map((l) => l.revoke()));
    });

    it("campaign(): of three campaigners one leads, the next takes over when its lease is revoked, the last when the next's lease expires", async () => {
      const cs = [connect(), connect(), connect()];
      const leases = await Promise.all(cs.map((c) => c.grantLease(1)));
      const won: number[] = [];
      const campaigns = cs.map((c, i) => campaign(c, k("controller"), `broker-${i}`, leases[i]!).then((entry) => (won.push(i), entry)));
      await eventually(() => expect(won).toHaveLength(1));
      await sleep(300);
      expect(won).toHaveLength(1);
      const first = won[0]!;
      expect((await cs[0]!.get(k("controller"))).entry).toMatchObject({ text: `broker-${first}`, lease: leases[first]!.id });

      await leases[first]!.revoke();
      await eventually(() => expect(won).toHaveLength(2));
      await sleep(300);
      expect(won).toHaveLength(2);
      const second = won[1]!;
      expect(second).not.toBe(first);
      expect((await cs[first]!.get(k("controller"))).entry).toMatchObject({ text: `broker-${second}` });

      await cs[second]!.close(); // stops its keep-alives: its lease expires after the TTL
      await eventually(() => expect(won).toHaveLength(3), 6_000);
      const third = won[2]!;
      expect(new Set(won).size).toBe(3);
      const winners = await Promise.all(campaigns);
      expect(winners[third]).toMatchObject({ text: `broker-${third}`, lease: leases[third]!.id });
      await leases[third]!.revoke();
    });
  });
}
