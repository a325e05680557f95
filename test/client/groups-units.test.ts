import { describe, expect, it } from "vitest";
import { EdgelogError } from "../../src/core/errors.ts";
import { ConsumedRecord } from "../../src/client/consumed-record.ts";
import type { Connection } from "../../src/client/connection.ts";
import { GroupCommits } from "../../src/client/group-commits.ts";
import { GroupPartition } from "../../src/client/group-partition.ts";
import type { CreditAmount } from "../../src/protocol/index.ts";

/** A partition whose returned credit and wake-ups are recorded. */
function partition(position?: number): { p: GroupPartition; credit: { records: number }; wakes: { count: number } } {
  const credit = { records: 0 };
  const wakes = { count: 0 };
  const p = new GroupPartition("t", 0, { releaseCredit: (c: CreditAmount) => void (credit.records += c.records), readable: () => void wakes.count++ }, position);
  return { p, credit, wakes };
}

/** Records of offsets `from` … `to − 1`. */
function records(from: number, to: number): ConsumedRecord[] {
  return Array.from({ length: to - from }, (_, i) => new ConsumedRecord("t", 0, { offset: from + i, timestamp: 0, key: null, value: null, headers: [] }));
}

/** Delivers a push of offsets `from` … `to − 1` that spent one record of credit per record. */
function push(p: GroupPartition, from: number, to: number): void {
  p.pushed();
  p.accept(p.generation, records(from, to), { records: to - from, bytes: 0 }, to, to);
}

const offsetsOf = (list: readonly ConsumedRecord[]): number[] => list.map((r) => r.offset);

describe("GroupPartition", () => {
  it("take() hands records in order; release() marks them processed and gives their credit back once a push is used up", () => {
    const { p, credit } = partition();
    push(p, 0, 3);
    push(p, 3, 5);
    expect(p.received).toBe(5);
    const first = p.take(2);
    expect(offsetsOf(first.records)).toEqual([0, 1]);
    expect(p.position).toBe(2);
    first.release();
    expect(p.processed).toBe(2);
    expect(credit.records).toBe(0); // the first push still holds a record
    const second = p.take(10);
    expect(offsetsOf(second.records)).toEqual([2, 3, 4]);
    second.release();
    expect([p.processed, credit.records]).toEqual([5, 5]);
  });

  it("unread() puts records back first, and they keep their credit until consumed", () => {
    const { p, credit } = partition();
    push(p, 0, 2);
    push(p, 2, 6);
    const taken = p.take(4); // all of the first push, half of the second
    taken.unread(1);
    expect(p.processed).toBe(1);
    expect(credit.records).toBe(0);
    const again = p.take(10);
    expect(offsetsOf(again.records)).toEqual([1, 2, 3, 4, 5]);
    again.release();
    expect([p.processed, credit.records]).toEqual([6, 6]);
  });

  it("pause() drops what is held and rewinds; resume() says those records must be read again; pushes while paused are dropped", () => {
    const { p, credit } = partition();
    push(p, 0, 4);
    p.take(1).release();
    p.pause();
    expect([p.received, p.position, credit.records, p.ready]).toEqual([1, 1, 4, false]);
    push(p, 4, 6); // arrived while paused
    expect(p.received).toBe(1);
    expect(credit.records).toBe(6);
    expect(p.resume()).toBe(true);
    expect(p.resume()).toBe(false);
  });

  it("a record released after its partition was revoked still counts as processed, so the revocation commits past it", async () => {
    const { p } = partition();
    push(p, 0, 3);
    const inHand = p.take(1);
    p.close();
    let idle = false;
    const waiting = p.whenIdle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    inHand.release();
    await waiting;
    expect(p.processed).toBe(1);
  });

  it("records decoded for before a seek are not accepted after it, and the seek sets the position", () => {
    const { p, credit } = partition(10);
    p.pushed();
    const generation = p.generation;
    p.seek(2);
    p.accept(generation, records(10, 12), { records: 2, bytes: 0 }, 12, 12);
    expect([p.received, p.position, credit.records, p.ready]).toEqual([2, 2, 2, false]);
  });

  it("a failure is thrown once the records before it are taken; abandon() ends waits for records in flight", async () => {
    const { p } = partition();
    push(p, 0, 1);
    p.fail(new EdgelogError("CORRUPT_MESSAGE", "bad"));
    const taken = p.take(5);
    expect(offsetsOf(taken.records)).toEqual([0]);
    expect(() => p.take(5)).toThrow("bad");
    expect(p.ready).toBe(false);
    p.abandon();
    await p.whenIdle(); // the record taken is never released
  });
});

describe("GroupCommits", () => {
  it("commits again with the new epoch when the member's epoch moved while the commit was out", async () => {
    let epoch = 2;
    const sent: Record<string, unknown>[] = [];
    const connection = {
      request: async (_op: string, body: Record<string, unknown>) => {
        sent.push(body);
        if (body["memberEpoch"] !== epoch) throw new EdgelogError("FENCED_MEMBER_EPOCH", "stale");
        if (sent.length === 1) {
          epoch = 3; // an assignment push arrived before the reply
          throw new EdgelogError("FENCED_MEMBER_EPOCH", "stale");
        }
        return { groupId: "g", offsets: body["offsets"] };
      },
    } as unknown as Connection;
    const committed: unknown[] = [];
    const commits = new GroupCommits({
      connection,
      groupId: "g",
      member: () => ({ memberId: "m", memberEpoch: epoch }),
      partition: () => undefined,
      committed: (offsets) => committed.push(offsets),
    });
    await commits.commit([{ topic: "t", partition: 0, offset: 7 }]);
    expect(sent.map((b) => b["memberEpoch"])).toEqual([2, 3]);
    expect(committed).toEqual([[{ topic: "t", partition: 0, offset: 7 }]]);
  });

  it("does not retry a commit fenced at the epoch the member still has", async () => {
    let calls = 0;
    const connection = {
      request: async () => {
        calls++;
        throw new EdgelogError("FENCED_MEMBER_EPOCH", "fenced");
      },
    } as unknown as Connection;
    const commits = new GroupCommits({ connection, groupId: "g", member: () => ({ memberId: "m", memberEpoch: 5 }), partition: () => undefined, committed: () => {} });
    await expect(commits.commit([{ topic: "t", partition: 0, offset: 1 }])).rejects.toMatchObject({ code: "FENCED_MEMBER_EPOCH" });
    expect(calls).toBe(1);
  });
});
