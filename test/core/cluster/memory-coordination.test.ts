import { describe, expect, it } from "vitest";
import { memoryCoordinationStore } from "../../../src/core/cluster/memory-coordination.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import type { LeaseLoss, WatchUpdate } from "../../../src/core/ports/coordination.ts";

/** Lets queued microtasks and promise chains run. */
const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function setup(historyLimit?: number) {
  const clock = manualClock(1_700_000_000_000);
  const store = memoryCoordinationStore({ clock, ...(historyLimit === undefined ? {} : { historyLimit }) });
  return { clock, store, holder: store.connect(), observer: store.connect() };
}

describe("memoryCoordinationStore() leases on a manual clock", () => {
  it("a lease that is kept alive lives through many TTLs in one clock step", async () => {
    const { clock, holder, observer } = setup();
    const lease = await holder.grantLease(3);
    await holder.put("/b/1", "x", { lease });
    clock.advance(60_000);
    expect(lease.state).toBe("active");
    expect((await observer.get("/b/1")).entry?.lease).toBe(lease.id);
  });

  it("a lease expires one TTL after its last keep-alive once its holder is cut off, and is reported lost then", async () => {
    const { clock, holder, observer } = setup();
    const lease = await holder.grantLease(3);
    await holder.put("/b/1", "x", { lease });
    const lost: LeaseLoss[] = [];
    lease.onLost((loss) => lost.push(loss));
    clock.advance(1_000); // the first keep-alive, at ttl/3
    holder.setReachable(false);
    clock.advance(2_999);
    expect(lost).toEqual([]);
    expect((await observer.get("/b/1")).entry).not.toBeNull();
    clock.advance(1);
    expect(lost).toEqual([{ reason: "unreachable", message: expect.stringContaining(lease.id) }]);
    expect(lease.state).toBe("lost");
    expect((await observer.get("/b/1")).entry).toBeNull();
    await expect(holder.get("/b/1")).rejects.toMatchObject({ code: "COORDINATOR_NOT_AVAILABLE", retriable: true });
  });

  it("a lease revoked behind its holder's back is reported expired at the next keep-alive", async () => {
    const { clock, store, holder, observer } = setup();
    const lease = await holder.grantLease(3);
    await holder.put("/b/1", "x", { lease });
    const lost: LeaseLoss[] = [];
    lease.onLost((loss) => lost.push(loss));
    expect(store.revokeLease(lease.id)).toBe(true);
    expect((await observer.get("/b/1")).entry).toBeNull();
    clock.advance(1_000);
    expect(lost.map((l) => l.reason)).toEqual(["expired"]);
    expect(store.revokeLease(lease.id)).toBe(false);
  });

  it("close() stops the keep-alives without reporting the lease lost, and the store expires it", async () => {
    const { clock, holder, observer } = setup();
    const lease = await holder.grantLease(2);
    await holder.put("/b/1", "x", { lease });
    const lost: LeaseLoss[] = [];
    lease.onLost((loss) => lost.push(loss));
    await holder.close();
    expect(lease.state).toBe("closed");
    clock.advance(1_999);
    expect((await observer.get("/b/1")).entry).not.toBeNull();
    clock.advance(1);
    expect((await observer.get("/b/1")).entry).toBeNull();
    expect(lost).toEqual([]);
    await expect(holder.get("/b/1")).rejects.toMatchObject({ code: "COORDINATOR_NOT_AVAILABLE", retriable: false });
  });

  it("while the store is down its leases do not expire, and after start() each gets its whole TTL again", async () => {
    const { clock, store, holder, observer } = setup();
    const lease = await holder.grantLease(3);
    await holder.put("/b/1", "x", { lease });
    store.stop();
    clock.advance(10_000);
    expect(lease.state).toBe("lost"); // the holder could not renew it
    store.start();
    expect((await observer.get("/b/1")).entry).not.toBeNull();
    clock.advance(2_999);
    expect((await observer.get("/b/1")).entry).not.toBeNull();
    clock.advance(1);
    expect((await observer.get("/b/1")).entry).toBeNull();
  });

  it("a put moves a key from one lease to another or to none, and revoking a lease deletes only the keys still under it", async () => {
    const { holder } = setup();
    const first = await holder.grantLease(5);
    const second = await holder.grantLease(5);
    await holder.put("/k/moved", "1", { lease: first });
    await holder.put("/k/moved", "2", { lease: second });
    await holder.put("/k/stays", "1", { lease: first });
    await holder.put("/k/stays", "2");
    await first.revoke();
    expect((await holder.getPrefix("/k/")).entries.map((e) => [e.key, e.lease])).toEqual([
      ["/k/moved", second.id],
      ["/k/stays", null],
    ]);
    await second.revoke();
    expect((await holder.getPrefix("/k/")).entries.map((e) => e.key)).toEqual(["/k/stays"]);
  });

  it("grantLease() refuses a TTL that is not a positive whole number of seconds", async () => {
    const { holder } = setup();
    await expect(holder.grantLease(0)).rejects.toThrow(RangeError);
    await expect(holder.grantLease(1.5)).rejects.toThrow(RangeError);
    await expect(holder.grantLease(Number.NaN)).rejects.toThrow(RangeError);
  });
});

describe("memoryCoordinationStore() keys and transactions", () => {
  it("a transaction's reads see its earlier writes, and a put naming an unknown lease fails the whole transaction", async () => {
    const { holder } = setup();
    const result = await holder.txn({
      compare: [],
      success: [{ type: "put", key: "a", value: "1" }, { type: "get", key: "a" }, { type: "delete", key: "nothing" }],
    });
    expect(result.results).toEqual([
      { type: "put" },
      { type: "get", entries: [expect.objectContaining({ key: "a", text: "1", modRevision: result.revision })] },
      { type: "delete", deleted: 0 },
    ]);
    await expect(
      holder.txn({ compare: [], success: [{ type: "put", key: "x", value: "1" }, { type: "put", key: "y", value: "2", lease: "999" }] }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", details: { leaseNotFound: "999" } });
    expect((await holder.get("x")).entry).toBeNull();
    expect((await holder.get("x")).revision).toBe(result.revision);
  });

  it("entries come sorted by their keys' UTF-8 bytes, as etcd sorts them", async () => {
    const { holder } = setup();
    for (const key of ["p/\u{1F600}", "p/\uE000", "p/z", "p/"]) await holder.put(key, key);
    // UTF-16 order would put the emoji (a surrogate pair, 0xD83D...) before U+E000.
    expect((await holder.getPrefix("p/")).entries.map((e) => e.key)).toEqual(["p/", "p/z", "p/\uE000", "p/\u{1F600}"]);
  });

  it("the value given is copied, and bad keys and values are refused", async () => {
    const { holder } = setup();
    const bytes = new Uint8Array([1, 2]);
    await holder.put("a", bytes);
    bytes[0] = 9;
    expect((await holder.get("a")).entry?.value).toEqual(new Uint8Array([1, 2]));
    await expect(holder.get("")).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(holder.put("a", 5 as unknown as string)).rejects.toThrow(TypeError);
    await expect(holder.txn({ compare: [], success: [{ type: "nope" } as never] })).rejects.toThrow(TypeError);
    const many = Array.from({ length: 129 }, (_, i) => ({ type: "get" as const, key: `k${i}` }));
    await expect(holder.txn({ compare: [], success: many })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("compact() refuses a revision the store has not reached", () => {
    const { store } = setup();
    expect(() => store.compact(store.revision + 1)).toThrow(RangeError);
  });
});

describe("memoryCoordinationStore() watches", () => {
  it("a cut-off client's watch pauses and catches up in order when it is reconnected", async () => {
    const { holder: writer, observer: watcher } = setup();
    const updates: WatchUpdate[] = [];
    await watcher.watchPrefix("/w/", {}, (u) => void updates.push(u));
    watcher.setReachable(false);
    await writer.put("/w/a", "1");
    await writer.put("/w/b", "2");
    await writer.delete("/w/a");
    await flush();
    expect(updates).toEqual([]);
    watcher.setReachable(true);
    await flush();
    expect(updates.flatMap((u) => (u.type === "events" ? u.events.map((e) => `${e.type} ${e.key} ${e.revision}`) : []))).toEqual([
      "PUT /w/a 2",
      "PUT /w/b 3",
      "DELETE /w/a 4",
    ]);
  });

  it("a watch whose history was dropped while it was cut off gets a resync, then the changes after it", async () => {
    const { holder: writer, observer: watcher } = setup(2);
    const updates: WatchUpdate[] = [];
    await watcher.watchPrefix("/w/", {}, (u) => void updates.push(u));
    watcher.setReachable(false);
    for (const key of ["a", "b", "c"]) await writer.put(`/w/${key}`, key);
    watcher.setReachable(true);
    await flush();
    expect(updates).toEqual([{ type: "resync", revision: 4, entries: [expect.objectContaining({ key: "/w/a" }), expect.objectContaining({ key: "/w/b" }), expect.objectContaining({ key: "/w/c" })] }]);
    await writer.put("/w/d", "d");
    await flush();
    expect(updates[1]).toEqual({ type: "events", events: [expect.objectContaining({ type: "PUT", key: "/w/d", revision: 5 })] });
  });

  it("a watch that saw every revision is not resynced by a later compaction", async () => {
    const { store, holder: writer, observer: watcher } = setup();
    const updates: WatchUpdate[] = [];
    await watcher.watchPrefix("/w/", {}, (u) => void updates.push(u));
    await writer.put("/elsewhere", "1");
    await writer.put("/elsewhere", "2");
    await flush();
    store.compact(store.revision);
    await writer.put("/w/a", "1");
    await flush();
    expect(updates.map((u) => u.type)).toEqual(["events"]);
  });

  it("an error thrown by the callback goes to onError and the watch goes on", async () => {
    const { holder } = setup();
    const errors: unknown[] = [];
    const keys: string[] = [];
    await holder.watchPrefix("/w/", { onError: (e) => errors.push(e) }, (u) => {
      if (u.type === "events") keys.push(u.events[0]!.key);
      if (keys.length === 1) throw new Error("listener failed");
    });
    await holder.put("/w/a", "1");
    await holder.put("/w/b", "2");
    await flush();
    expect(keys).toEqual(["/w/a", "/w/b"]);
    expect(errors).toEqual([new Error("listener failed")]);
  });

  it("watchPrefix() refuses a fromRevision that is not a positive integer, and fails while the store is down", async () => {
    const { store, holder } = setup();
    await expect(holder.watchPrefix("/w/", { fromRevision: 0 }, () => {})).rejects.toThrow(RangeError);
    store.stop();
    await expect(holder.watchPrefix("/w/", {}, () => {})).rejects.toMatchObject({ code: "COORDINATOR_NOT_AVAILABLE" });
  });
});
