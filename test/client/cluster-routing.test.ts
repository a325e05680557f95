/**
 * How the client routes in a cluster, against scripted fakes: the recovery rules of a partition
 * stream, the metadata cache, the producer following leadership, the admin client's per-leader and
 * per-coordinator requests, and the group coordinator link following NOT_COORDINATOR.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Admin, Connection, EdgelogError, Producer } from "../../src/client/index.ts";
import { BrokerPool } from "../../src/client/broker-pool.ts";
import { ClusterMetadata } from "../../src/client/cluster-metadata.ts";
import { CoordinatorLink } from "../../src/client/group-coordinator.ts";
import { resolveRetry } from "../../src/client/retry.ts";
import { afterGap, recoveryFor } from "../../src/client/stream-recovery.ts";
import type { MetadataResponse } from "../../src/protocol/index.ts";
import { FAKE_LIMITS, FakeServer, type FakeSocket, type Frame } from "./fake-websocket.ts";
import { until } from "./broker-fixture.ts";

const retry = { retries: 4, initialRetryTimeMs: 5, maxRetryTimeMs: 20 };
const URLS: Record<number, string> = { 1: "ws://b1:9092/", 2: "ws://b2:9092/" };

/** Two fake brokers (b1:9092 is broker 1, b2:9092 broker 2) that answer metadata with `leaders`, partition by partition. */
class FakeCluster extends FakeServer {
  leaders: number[] = [1, 2];

  brokerOf(socket: FakeSocket): number {
    return socket.url.includes("b2") ? 2 : 1;
  }

  override handle(frame: Frame, socket: FakeSocket): void {
    if (frame["op"] === "hello") {
      const ops = ["hello", "metadata", "produce", "listOffsets", "groupHeartbeat"];
      socket.deliver({ id: frame["id"], version: 1, brokerId: this.brokerOf(socket), clusterId: "fake", limits: FAKE_LIMITS, features: [], ops });
      return;
    }
    if (frame["op"] === "metadata") {
      socket.deliver({ id: frame["id"], ...this.metadata(frame["topics"] as string[]) });
      return;
    }
    super.handle(frame, socket);
  }

  metadata(topics: string[]): Omit<MetadataResponse, "id"> {
    return {
      clusterId: "fake",
      controllerId: 1,
      brokers: [1, 2].map((brokerId) => ({ brokerId, url: URLS[brokerId]!, rack: null })),
      topics: topics.map((topic) => ({
        topic,
        internal: false,
        partitions: this.leaders.map((leader, partition) => ({ partition, leader, leaderEpoch: 0, replicas: [1, 2], isr: [1, 2], offlineReplicas: [] })),
      })),
    };
  }

  /** Requests of `op` with the broker each went to. */
  sentTo(op: string): { broker: number; frame: Frame }[] {
    return this.sockets.flatMap((s) => s.sent.filter((f) => f["op"] === op).map((frame) => ({ broker: this.brokerOf(s), frame })));
  }
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function bootstrap(server: FakeServer, brokers = ["b1:9092"]): Connection {
  const connection = new Connection({ brokers, WebSocket: server.WebSocket, retry });
  closers.push(() => connection.close());
  return connection;
}

describe("recoveryFor()", () => {
  const at = (position: number | undefined, error: EdgelogError, clustered = true, retriesLeft = true) => recoveryFor(error, { position, clustered, retriesLeft });
  const outOfRange = new EdgelogError("OFFSET_OUT_OF_RANGE", "x", { details: { logStartOffset: 10, logEndOffset: 50 } });

  it("waits for a new leader's high watermark when the position is still in its log, and resets only past its ends", () => {
    expect(at(40, outOfRange)).toEqual({ action: "retry", leadership: true });
    expect(at(50, outOfRange)).toEqual({ action: "retry", leadership: true });
    expect(at(9, outOfRange)).toEqual({ action: "reset" });
    expect(at(51, outOfRange)).toEqual({ action: "reset" });
    expect(at(40, new EdgelogError("OFFSET_OUT_OF_RANGE", "retention"))).toEqual({ action: "reset" });
  });

  it("retries leadership errors without counting them, and a lost connection so only in a cluster of several brokers", () => {
    for (const code of ["NOT_LEADER_OR_FOLLOWER", "LEADER_NOT_AVAILABLE", "FENCED_LEADER_EPOCH"] as const) {
      expect(at(0, new EdgelogError(code, "moved"), true, false)).toEqual({ action: "retry", leadership: true });
    }
    expect(at(0, new EdgelogError("NETWORK_EXCEPTION", "gone"))).toEqual({ action: "retry", leadership: true });
    expect(at(0, new EdgelogError("NETWORK_EXCEPTION", "gone"), false)).toEqual({ action: "reconnect" });
    expect(at(0, new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", "gone"))).toEqual({ action: "retry", leadership: false });
    expect(at(0, new EdgelogError("UNKNOWN_TOPIC_OR_PARTITION", "gone"), true, false)).toEqual({ action: "fail" });
    expect(at(0, new EdgelogError("CORRUPT_MESSAGE", "bad", { retriable: false }))).toEqual({ action: "fail" });
  });

  it("afterGap() reports the gap, then resumes at the log start, at the end, or fails with none", () => {
    const gaps: unknown[] = [];
    const gap = { topic: "t", partition: 0, error: new EdgelogError("OFFSET_OUT_OF_RANGE", "gone"), logStartOffset: 500, position: 42, from: "earliest" as const, onGap: (g: unknown) => gaps.push(g) };
    expect(afterGap({ ...gap, policy: "earliest" })).toEqual({ position: 500, from: "earliest" });
    expect(afterGap({ ...gap, policy: "latest" })).toEqual({ position: undefined, from: "latest" });
    expect(afterGap({ ...gap, policy: "none" })).toMatchObject({ code: "OFFSET_OUT_OF_RANGE", message: "Offset 42 of t-0 is not in the log (it starts at 500)" });
    expect(gaps).toEqual(Array(3).fill({ topic: "t", partition: 0, requestedOffset: 42, logStartOffset: 500 }));
  });
});

describe("ClusterMetadata", () => {
  it("asks once for lookups of a topic at the same time, trusts the answer until invalidated, and keeps the broker list", async () => {
    const asked: string[][] = [];
    const server = new FakeCluster();
    const metadata = new ClusterMetadata(async (topics) => {
      asked.push(topics);
      return { id: 0, ...server.metadata(topics) };
    }, 60_000);
    const [a, b] = await Promise.all([metadata.topic("t"), metadata.topic("t")]);
    expect(a).toBe(b);
    expect(a.partitions.map((p) => p.leader)).toEqual([1, 2]);
    expect(await metadata.topic("t")).toBe(a);
    expect(asked).toEqual([["t"]]);
    expect([...metadata.brokers]).toEqual([[1, URLS[1]], [2, URLS[2]]]);
    metadata.invalidate("t");
    expect(metadata.leader("t", 0)).toBeUndefined();
    server.leaders = [2, 2];
    expect((await metadata.topic("t")).partitions[0]!.leader).toBe(2);
    expect(asked).toHaveLength(2);
  });

  it("rejects with the topic's error, and LEADER_NOT_AVAILABLE for a topic without partitions", async () => {
    const unknown = new ClusterMetadata(async () => ({
      id: 0, clusterId: "c", controllerId: -1, brokers: [],
      topics: [{ topic: "t", internal: false, partitions: [], error: { code: "UNKNOWN_TOPIC_OR_PARTITION", message: "no t", retriable: true } }],
    }), 60_000);
    await expect(unknown.topic("t")).rejects.toMatchObject({ code: "UNKNOWN_TOPIC_OR_PARTITION", retriable: true });
    const empty = new ClusterMetadata(async () => ({ id: 0, clusterId: "c", controllerId: -1, brokers: [], topics: [{ topic: "t", internal: false, partitions: [] }] }), 60_000);
    await expect(empty.topic("t")).rejects.toMatchObject({ code: "LEADER_NOT_AVAILABLE" });
  });
});

describe("BrokerPool", () => {
  it("sends everything to the bootstrap connection when its broker does not list metadata among its ops", async () => {
    const server = new FakeServer();
    const pool = new BrokerPool(bootstrap(server));
    closers.push(() => pool.close());
    expect(await pool.leaderConnection("t", 3)).toBe(pool.bootstrap);
    expect(pool.routing).toBe(false);
    expect(server.requests("metadata")).toEqual([]);
  });

  it("uses the bootstrap connection for the broker it is connected to, one pooled connection per other broker, and LEADER_NOT_AVAILABLE for a leaderless partition", async () => {
    const server = new FakeCluster();
    const pool = new BrokerPool(bootstrap(server));
    closers.push(() => pool.close());
    expect(await pool.leaderConnection("t", 0)).toBe(pool.bootstrap);
    const second = await pool.leaderConnection("t", 1);
    expect(second).not.toBe(pool.bootstrap);
    expect(await pool.brokerConnection(2)).toBe(second);
    expect(await pool.brokerConnection(7)).toBeUndefined();
    server.leaders = [1, -1];
    pool.metadata.invalidate("t");
    await expect(pool.leaderConnection("t", 1)).rejects.toMatchObject({ code: "LEADER_NOT_AVAILABLE", retriable: true });
  });
});

describe("Producer in a cluster", () => {
  it("sends each partition's batch to its leader and, refused with NOT_LEADER_OR_FOLLOWER, asks metadata again and sends to the new leader", async () => {
    const server = new FakeCluster();
    server.handler = (request, socket) => {
      if (request["op"] !== "produce") return undefined;
      return {
        topic: request["topic"],
        partitions: (request["partitions"] as Frame[]).map((p) =>
          server.leaders[p["partition"] as number] === server.brokerOf(socket)
            ? { partition: p["partition"], baseOffset: 5, logAppendTime: -1, logStartOffset: 0 }
            : { partition: p["partition"], error: { code: "NOT_LEADER_OR_FOLLOWER", message: "moved", retriable: true } },
        ),
      };
    };
    const producer = new Producer(bootstrap(server), { retry });
    closers.push(() => producer.disconnect());
    const first = await producer.send({ topic: "t", messages: [{ value: "a", partition: 0 }, { value: "b", partition: 1 }] });
    expect(first.map((m) => [m.partition, m.baseOffset])).toEqual([[0, 5], [1, 5]]);
    expect(server.sentTo("produce").map((s) => [s.broker, (s.frame["partitions"] as Frame[]).map((p) => p["partition"])])).toEqual([[1, [0]], [2, [1]]]);

    server.leaders = [2, 2]; // partition 0 moved; the producer does not know yet
    const asked = server.requests("metadata").length;
    await producer.send({ topic: "t", messages: [{ value: "c", partition: 0 }] });
    const perBroker = (broker: number) => server.sentTo("produce").filter((s) => s.broker === broker).length;
    expect([perBroker(1), perBroker(2)]).toEqual([2, 2]); // refused by 1, then written by 2
    expect(server.requests("metadata").length).toBe(asked + 1);
  });

  it("retries while a partition has no leader, until metadata names one", async () => {
    const server = new FakeCluster();
    server.leaders = [-1];
    server.handler = (request) =>
      request["op"] === "produce" ? { topic: "t", partitions: [{ partition: 0, baseOffset: 0, logAppendTime: -1, logStartOffset: 0 }] } : undefined;
    const producer = new Producer(bootstrap(server), { retry });
    closers.push(() => producer.disconnect());
    setTimeout(() => (server.leaders = [2]), 15);
    const [meta] = await producer.send({ topic: "t", messages: [{ value: "a", partition: 0 }] });
    expect(meta!.baseOffset).toBe(0);
    expect(server.sentTo("produce").map((s) => s.broker)).toEqual([2]);
  });
});

describe("Admin in a cluster", () => {
  it("sends listOffsets to each partition's leader and merges the replies in the order asked", async () => {
    const server = new FakeCluster();
    server.handler = (request, socket) =>
      request["op"] === "listOffsets"
        ? { topic: "t", partitions: (request["partitions"] as Frame[]).map((p) => ({ partition: p["partition"], offset: 100 * server.brokerOf(socket), timestamp: -1, leaderEpoch: 0 })) }
        : undefined;
    const admin = new Admin(bootstrap(server), { retry });
    closers.push(() => admin.disconnect());
    const offsets = await admin.listOffsets({ topic: "t", partitions: [{ partition: 1, timestamp: "latest" }, { partition: 0, timestamp: "latest" }] });
    expect(offsets.map((o) => [o.partition, o.offset])).toEqual([[1, 200], [0, 100]]);
  });

  it("sends a group op to the coordinator named by NOT_COORDINATOR, and asks every broker for listGroups", async () => {
    const server = new FakeCluster();
    server.handler = (request, socket) => {
      const broker = server.brokerOf(socket);
      if (request["op"] === "listGroups") return { groups: [{ groupId: `g${broker}`, state: "Empty", protocolType: "consumer" }] };
      if (request["op"] !== "describeGroups") return undefined;
      if (broker === 1) return { error: { code: "NOT_COORDINATOR", message: "ask 2", retriable: true, details: { coordinator: 2 } } };
      return { groups: (request["groupIds"] as string[]).map((groupId) => ({ groupId, state: "Empty", protocolType: "consumer", assignor: "", groupEpoch: 0, assignmentEpoch: 0, members: [] })) };
    };
    const admin = new Admin(bootstrap(server), { retry });
    closers.push(() => admin.disconnect());
    const { groups } = await admin.describeGroups(["billing"]);
    expect(groups.map((g) => g.groupId)).toEqual(["billing"]);
    expect(server.sentTo("describeGroups").map((s) => s.broker)).toEqual([1, 2]);
    await admin.describeGroups(["billing"]); // remembered
    expect(server.sentTo("describeGroups").map((s) => s.broker)).toEqual([1, 2, 2]);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toEqual(["g1", "g2"]);
  });
});

describe("CoordinatorLink", () => {
  it("retries while the coordinator loads, follows NOT_COORDINATOR, and shows the move as a disconnect and a reconnect", async () => {
    const server = new FakeCluster();
    let loading = 2;
    server.handler = (request, socket) => {
      if (request["op"] !== "groupHeartbeat") return undefined;
      if (server.brokerOf(socket) === 1) return { error: { code: "NOT_COORDINATOR", message: "ask 2", retriable: true, details: { coordinator: 2 } } };
      if (loading-- > 0) return { error: { code: "COORDINATOR_LOAD_IN_PROGRESS", message: "loading", retriable: true } };
      return { groupId: "g", memberId: "m", memberEpoch: 1, heartbeatIntervalMs: 3000, assignment: [] };
    };
    const pool = new BrokerPool(bootstrap(server));
    closers.push(() => pool.close());
    const link = new CoordinatorLink(pool, "g", resolveRetry(retry));
    closers.push(async () => link.close());
    const events: string[] = [];
    link.on("disconnect", () => events.push("disconnect"));
    link.on("connect", ({ reconnected }) => events.push(`connect ${reconnected}`));
    await link.connect();
    const reply = await link.request<Frame>("groupHeartbeat", { groupId: "g", memberEpoch: 0 });
    expect(reply["memberId"]).toBe("m");
    expect(server.sentTo("groupHeartbeat").map((s) => s.broker)).toEqual([1, 2, 2, 2]);
    expect(link.current.url).toBe(URLS[2]);
    await until(() => events.length === 3, "the reconnect");
    expect(events).toEqual(["connect false", "disconnect", "connect true"]);
  });

  it("finds a live coordinator again when a redirect to a dead one fails while it is still looking after a lost connection", async () => {
    // The trace of a consumer that stalled for good: its coordinator's connection dropped (a search
    // for another broker began), the bootstrap connection came back on its own, a heartbeat there
    // was told NOT_COORDINATOR naming the dead broker 3, and the move to broker 3 failed while the
    // first search was still winding down.
    const server = new FakeCluster();
    server.refused.add("b3");
    let coordinator = 3;
    server.handler = (request, socket) => {
      if (request["op"] !== "groupHeartbeat") return undefined;
      if (server.brokerOf(socket) !== coordinator) return { error: { code: "NOT_COORDINATOR", message: `ask ${coordinator}`, retriable: true, details: { coordinator } } };
      return { groupId: "g", memberId: "m", memberEpoch: 1, heartbeatIntervalMs: 3000, assignment: [] };
    };
    const metadata = server.metadata.bind(server);
    server.metadata = (topics) => ({ ...metadata(topics), brokers: [1, 2, 3].map((brokerId) => ({ brokerId, url: `ws://b${brokerId}:9092/`, rack: null })) });
    const slow = { retries: 4, initialRetryTimeMs: 150, maxRetryTimeMs: 300 };
    const connection = new Connection({ brokers: ["b1:9092"], WebSocket: server.WebSocket, retry: slow });
    closers.push(() => connection.close());
    const pool = new BrokerPool(connection);
    closers.push(() => pool.close());
    const link = new CoordinatorLink(pool, "g", resolveRetry(slow));
    closers.push(async () => link.close());
    await link.connect();
    await pool.metadata.refreshBrokers();
    let connects = 0;
    link.on("connect", () => connects++);

    server.sockets[0]!.drop(); // the search for another broker starts, and waits its backoff
    await until(() => connection.ready, "the bootstrap connection back by itself");
    await expect(link.request("groupHeartbeat", { groupId: "g", memberEpoch: 1 })).rejects.toMatchObject({ code: "NETWORK_EXCEPTION" });
    coordinator = 2; // the cluster elected a new coordinator
    await until(() => link.current.ready && connects >= 2, "the link up again", 5_000);
    const reply = await link.request<Frame>("groupHeartbeat", { groupId: "g", memberEpoch: 1 });
    expect(reply["memberId"]).toBe("m");
    expect(link.current.url).toBe("ws://b2:9092/");
  });

  it("gives the caller a coordinator error once the retries are spent", async () => {
    const server = new FakeCluster();
    server.handler = () => ({ error: { code: "COORDINATOR_NOT_AVAILABLE", message: "creating", retriable: true } });
    const pool = new BrokerPool(bootstrap(server));
    closers.push(() => pool.close());
    const link = new CoordinatorLink(pool, "g", resolveRetry(retry));
    await expect(link.request("groupHeartbeat", { groupId: "g", memberEpoch: 0 })).rejects.toMatchObject({ code: "COORDINATOR_NOT_AVAILABLE" });
    expect(server.requests("groupHeartbeat")).toHaveLength(1 + retry.retries);
  });
});
