/**
 * Test helper for the consumer-group tests: a group member driven over a {@link TestClient} as a
 * KIP-848 client drives it (heartbeats carry what it owns, so revocations are acknowledged), with
 * the records its group subscription received.
 */
import { expect } from "vitest";
import { decodeRecordBatches } from "../../src/core/record/record-batch.ts";
import { settle, until, type TestClient } from "./broker-harness.ts";

/** Partitions of one topic, as the group ops carry them. */
export interface TP {
  topic: string;
  partitions: number[];
}

/** A record a member received through its group subscription. */
export interface Received {
  topic: string;
  partition: number;
  offset: number;
  value: string;
}

const text = new TextDecoder();

/** Broker settings of the group tests: no initial rebalance delay (as the reference's server.properties), few offsets partitions. */
export const GROUP_BROKER: Record<string, string> = {
  "group.initial.rebalance.delay.ms": "0",
  "offsets.topic.num.partitions": "3",
};

/** The shortest session timeout the broker allows by default (group.min.session.timeout.ms). */
export const SESSION_TIMEOUT_MS = 6000;

/** One consumer-group member on its own connection. */
export class Member {
  memberId: string | undefined;
  epoch = 0;
  assignment: TP[] = [];
  sub: number | undefined;
  private cursor = 0;
  private readonly heartbeatIds = new Set<number>();

  constructor(
    readonly client: TestClient,
    readonly groupId: string,
    readonly topics: string[],
  ) {}

  /** One heartbeat (a join while the epoch is 0); applies the reply and any push before it. Returns the reply. */
  async heartbeat(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    this.sync();
    const body: Record<string, unknown> = { op: "groupHeartbeat", groupId: this.groupId, memberEpoch: this.epoch, sessionTimeoutMs: SESSION_TIMEOUT_MS, ...extra };
    if (this.memberId !== undefined) body["memberId"] = this.memberId;
    if (this.epoch === 0) body["subscribedTopics"] = this.topics;
    else body["ownedPartitions"] = this.assignment;
    const id = this.client.fire(body);
    this.heartbeatIds.add(id);
    await until(() => this.client.replies.some((r) => r["id"] === id), `heartbeat ${id}`);
    const reply = this.client.replies.find((r) => r["id"] === id)!;
    this.sync();
    return reply;
  }

  /** Leaves the group (memberEpoch -1). */
  async leave(): Promise<Record<string, unknown>> {
    this.sync();
    return this.client.request({ op: "groupHeartbeat", groupId: this.groupId, memberId: this.memberId, memberEpoch: -1 });
  }

  /** Starts the group subscription. */
  async subscribe(autoOffsetReset = "earliest", credit = { records: 1000, bytes: 1 << 20 }): Promise<Record<string, unknown>> {
    const reply = await this.client.request({ op: "groupSubscribe", groupId: this.groupId, memberId: this.memberId, credit, autoOffsetReset, format: "records", valueEncoding: "utf8" });
    expect(reply["error"]).toBeUndefined();
    this.sub = reply["sub"] as number;
    return reply;
  }

  /** Commits offsets as this member. */
  async commit(offsets: { topic: string; partition: number; offset: number }[]): Promise<Record<string, unknown>> {
    this.sync();
    return this.client.request({ op: "offsetCommit", groupId: this.groupId, memberId: this.memberId, memberEpoch: this.epoch, offsets });
  }

  /** The partitions it owns, as `topic-partition` names. */
  get owned(): string[] {
    return this.assignment.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`)).sort();
  }

  /** Records pushed to its group subscription, in arrival order. */
  get received(): Received[] {
    const out: Received[] = [];
    for (const push of this.client.pushes) {
      if (push["push"] !== "records" || push["sub"] !== this.sub) continue;
      for (const r of push["records"] as { offset: number; value: string }[]) {
        out.push({ topic: push["topic"] as string, partition: push["partition"] as number, offset: r.offset, value: r.value });
      }
    }
    return out;
  }

  /** Values received, in arrival order. */
  get values(): string[] {
    return this.received.map((r) => r.value);
  }

  /** Error pushes of its group subscription. */
  get errors(): Record<string, unknown>[] {
    return this.client.pushes.filter((p) => p["push"] === "error" && p["sub"] === this.sub);
  }

  /** Assignment pushes it received. */
  get assignmentPushes(): Record<string, unknown>[] {
    return this.client.pushes.filter((p) => p["push"] === "assignment" && p["memberId"] === this.memberId);
  }

  /** Applies heartbeat replies and assignment pushes in the order they arrived. */
  sync(): void {
    const sent = this.client.socket.sent;
    for (; this.cursor < sent.length; this.cursor++) {
      const frame = sent[this.cursor]!.value;
      if (this.heartbeatIds.has(frame["id"] as number)) {
        if (frame["error"] !== undefined) continue;
        this.memberId = frame["memberId"] as string;
        this.epoch = Math.max(0, frame["memberEpoch"] as number);
        this.assignment = frame["assignment"] as TP[];
      } else if (frame["push"] === "assignment" && frame["memberId"] === this.memberId && frame["groupId"] === this.groupId) {
        this.epoch = Math.max(0, frame["memberEpoch"] as number);
        this.assignment = frame["assignment"] as TP[];
      }
    }
  }
}

/** Heartbeats every member until the group is Stable and each member knows its assignment. */
export async function stabilize(admin: TestClient, members: Member[], rounds = 12): Promise<void> {
  const groupId = members[0]!.groupId;
  for (let round = 0; round < rounds; round++) {
    for (const m of members) await m.heartbeat();
    await settle(2);
    for (const m of members) m.sync();
    const reply = await admin.request({ op: "describeGroups", groupIds: [groupId] });
    const group = (reply["groups"] as { state: string; members: { memberId: string; assignment: TP[] }[] }[])[0]!;
    const agreed = members.every((m) => {
      const described = group.members.find((d) => d.memberId === m.memberId);
      return described !== undefined && JSON.stringify(described.assignment) === JSON.stringify(m.assignment);
    });
    if (group.state === "Stable" && agreed) return;
  }
  throw new Error(`group ${groupId} did not stabilize`);
}

/** Produces each value as its own keyless produce request (the broker spreads them round robin); returns the partition of each. */
export async function produceEach(client: TestClient, topic: string, values: string[]): Promise<number[]> {
  const partitions: number[] = [];
  for (const value of values) {
    const reply = await client.request({ op: "produce", acks: 1, topic, records: [{ value }] });
    const written = reply["partitions"] as { partition: number; error?: unknown }[];
    expect(written[0]!.error).toBeUndefined();
    partitions.push(written[0]!.partition);
  }
  return partitions;
}

/** Values of `records` pushes decoded from batches (for subscriptions with format "batches"). */
export async function batchValues(pushes: Record<string, unknown>[], sub: number): Promise<string[]> {
  const out: string[] = [];
  for (const push of pushes) {
    if (push["push"] !== "records" || push["sub"] !== sub) continue;
    for (const batch of await decodeRecordBatches(push["batches"] as Uint8Array)) {
      for (const r of batch.records) if (r.offset >= (push["firstOffset"] as number) && r.value) out.push(text.decode(r.value));
    }
  }
  return out;
}
