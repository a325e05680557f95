import { describe, expect, it } from "vitest";
import { campaign, electLeader } from "../../../src/core/cluster/election.ts";
import { memoryCoordinationStore } from "../../../src/core/cluster/memory-coordination.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import type { CoordinationEntry } from "../../../src/core/ports/coordination.ts";

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const KEY = "/edgelog/controller";

function cluster(size: number) {
  const clock = manualClock();
  const store = memoryCoordinationStore({ clock });
  return { clock, store, clients: Array.from({ length: size }, () => store.connect()) };
}

describe("electLeader()", () => {
  it("elects exactly one of many concurrent campaigners, and every one learns who", async () => {
    const { clients } = cluster(5);
    const leases = await Promise.all(clients.map((c) => c.grantLease(10)));
    const results = await Promise.all(clients.map((c, i) => electLeader(c, KEY, `broker-${i}`, leases[i]!)));
    const winners = results.flatMap((r, i) => (r.elected ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) expect(r.leader).toMatchObject({ key: KEY, text: `broker-${winners[0]}`, lease: leases[winners[0]!]!.id });
  });

  it("reports a leader that campaigns again under the same lease as elected, without writing", async () => {
    const { clients } = cluster(1);
    const lease = await clients[0]!.grantLease(10);
    const first = await electLeader(clients[0]!, KEY, "broker-0", lease);
    const again = await electLeader(clients[0]!, KEY, "broker-0", lease.id);
    expect(again).toEqual({ elected: true, leader: first.leader, revision: first.revision });
  });

  it("refuses a lease the store does not have", async () => {
    const { clients } = cluster(1);
    await expect(electLeader(clients[0]!, KEY, "x", "12345")).rejects.toMatchObject({ code: "INVALID_REQUEST", details: { leaseNotFound: "12345" } });
  });
});

describe("campaign()", () => {
  it("makes the next campaigner leader when the leader's lease is revoked, then when it expires", async () => {
    const { clock, clients } = cluster(3);
    const leases = await Promise.all(clients.map((c) => c.grantLease(3)));
    const won: number[] = [];
    const entries: Promise<CoordinationEntry>[] = clients.map((c, i) => campaign(c, KEY, `broker-${i}`, leases[i]!).then((e) => (won.push(i), e)));
    await flush();
    expect(won).toHaveLength(1);
    const first = won[0]!;

    await leases[first]!.revoke();
    await flush();
    expect(won).toHaveLength(2);
    const second = won[1]!;

    clients[second]!.setReachable(false); // its keep-alives stop reaching the store
    clock.advance(2_999);
    await flush();
    expect(won).toHaveLength(2);
    clock.advance(1);
    await flush();
    expect(won).toHaveLength(3);
    const third = won[2]!;
    expect(new Set(won)).toEqual(new Set([0, 1, 2]));
    expect(await entries[third]!).toMatchObject({ text: `broker-${third}`, lease: leases[third]!.id });
    expect((await clients[third]!.get(KEY)).entry?.text).toBe(`broker-${third}`);
  });

  it("rejects with COORDINATOR_NOT_AVAILABLE when the campaigner's own lease is lost while it waits", async () => {
    const { clock, clients } = cluster(2);
    const [leader, follower] = await Promise.all(clients.map((c) => c.grantLease(3)));
    await campaign(clients[0]!, KEY, "leader", leader!);
    const waiting = campaign(clients[1]!, KEY, "follower", follower!);
    const outcome = waiting.then(
      () => "elected",
      (e: unknown) => e,
    );
    await flush();
    clients[1]!.setReachable(false);
    clock.advance(3_000);
    expect(await outcome).toMatchObject({ code: "COORDINATOR_NOT_AVAILABLE", message: expect.stringContaining(follower!.id) });
  });

  it("stops when its signal aborts", async () => {
    const { clients } = cluster(2);
    const [leader, follower] = await Promise.all(clients.map((c) => c.grantLease(3)));
    await campaign(clients[0]!, KEY, "leader", leader!);
    const controller = new AbortController();
    const waiting = campaign(clients[1]!, KEY, "follower", follower!, { signal: controller.signal });
    await flush();
    controller.abort(new Error("shutting down"));
    await expect(waiting).rejects.toThrow("shutting down");
    // The aborted campaigner does not take over later.
    await leader!.revoke();
    await flush();
    expect((await clients[1]!.get(KEY)).entry).toBeNull();
  });
});
