import { describe, expect, it } from "vitest";
import { keepLeaseAlive } from "../../../src/core/cluster/lease-keeper.ts";
import { manualClock } from "../../../src/core/ports/clock.ts";
import type { LeaseLoss } from "../../../src/core/ports/coordination.ts";

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** A keep-alive whose answers the test gives one by one. */
function pendingRenewals() {
  const pending: { resolve(alive: boolean): void; reject(error: Error): void }[] = [];
  return {
    pending,
    keepAlive: () => new Promise<boolean>((resolve, reject) => pending.push({ resolve, reject })),
  };
}

describe("keepLeaseAlive()", () => {
  it("renews every ttl/3 and counts a slow renewal from when it was sent", async () => {
    const clock = manualClock();
    const renewals = pendingRenewals();
    const lost: LeaseLoss[] = [];
    const lease = keepLeaseAlive({ id: "1", ttlSeconds: 3, clock, grantedAt: 0, keepAlive: renewals.keepAlive, revoke: async () => {} });
    lease.onLost((loss) => lost.push(loss));
    clock.advance(1_000);
    expect(renewals.pending).toHaveLength(1);
    clock.advance(1_500); // t = 2500: the tick at 2000 found the renewal still running and skipped
    expect(renewals.pending).toHaveLength(1);
    renewals.pending[0]!.resolve(true); // sent at 1000: the lease now lives until 4000
    await flush();
    clock.advance(500); // t = 3000: a new renewal, which fails
    expect(renewals.pending).toHaveLength(2);
    renewals.pending[1]!.reject(new Error("unreachable"));
    await flush();
    clock.advance(999);
    expect(lost).toEqual([]);
    clock.advance(1);
    expect(lost).toEqual([{ reason: "unreachable", message: "No keep-alive of lease 1 succeeded within its TTL of 3 s" }]);
    expect(lease.state).toBe("lost");
  });

  it("reports the lease expired when the store answers that it does not have it", async () => {
    const clock = manualClock();
    const lease = keepLeaseAlive({ id: "9", ttlSeconds: 3, clock, grantedAt: 0, keepAlive: () => false, revoke: async () => {} });
    clock.advance(1_000);
    expect(lease.state).toBe("lost");
    const late: LeaseLoss[] = [];
    lease.onLost((loss) => late.push(loss));
    expect(late).toEqual([]);
    await flush();
    expect(late.map((l) => l.reason)).toEqual(["expired"]);
  });

  it("revoke() stops the renewals, revokes in the store once, and reports no loss", async () => {
    const clock = manualClock();
    let renewals = 0;
    let revokes = 0;
    const lost: LeaseLoss[] = [];
    const stopped: string[] = [];
    const lease = keepLeaseAlive({
      id: "2",
      ttlSeconds: 3,
      clock,
      grantedAt: 0,
      keepAlive: () => (renewals++, true),
      revoke: async () => void revokes++,
      onStop: () => stopped.push("stop"),
    });
    lease.onLost((loss) => lost.push(loss));
    clock.advance(2_000);
    await lease.revoke();
    await lease.revoke();
    clock.advance(10_000);
    expect({ renewals, revokes, lost, stopped, state: lease.state }).toEqual({ renewals: 2, revokes: 1, lost: [], stopped: ["stop"], state: "revoked" });
  });

  it("a listener that throws does not keep the others from hearing of the loss", () => {
    const clock = manualClock();
    const lease = keepLeaseAlive({ id: "3", ttlSeconds: 1, clock, grantedAt: 0, keepAlive: () => false, revoke: async () => {} });
    const heard: string[] = [];
    lease.onLost(() => {
      throw new Error("broken listener");
    });
    const remove = lease.onLost(() => heard.push("removed"));
    lease.onLost(() => heard.push("second"));
    remove();
    clock.advance(1_000);
    expect(heard).toEqual(["second"]);
  });
});
