/**
 * The broker-to-broker ops and the cluster's topic administration on two in-process brokers, and
 * what a broker that runs alone answers to the broker-internal ops.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeWebSocketClass } from "../../src/adapters/node/websocket.ts";
import { memoryFileSystem } from "../../src/adapters/memory/file-system.ts";
import { parseBrokerConfig } from "../../src/core/config/broker-config.ts";
import { EdgelogError } from "../../src/core/errors.ts";
import { createBroker } from "../../src/server/broker.ts";
import { webSocketReplicaClient } from "../../src/server/cluster-replica-client.ts";
import { startBroker } from "./broker-harness.ts";
import { batchOf, utf8 } from "../support/record-bytes.ts";
import type { Frame, WsTestClient } from "../support/ws-test-client.ts";
import { clusterHarness, eventually, type ClusterBroker } from "./cluster-harness.ts";

async function rejection(work: Promise<unknown>): Promise<EdgelogError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof EdgelogError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("a broker that runs alone", () => {
  it("answers the broker-internal ops with INVALID_REQUEST and leaves them out of hello", async () => {
    const { broker, connect } = await startBroker();
    const client = await connect();
    const fetch = await client.request({ op: "replicaFetch", topic: "t", partition: 0, fetchOffset: 0, leaderEpoch: 0, lastFetchedEpoch: -1, maxBytes: 100, maxWaitMs: 0, replicaId: 1 });
    expect(fetch["error"]).toMatchObject({ code: "INVALID_REQUEST", details: { field: "op" } });
    const epochs = await client.request({ op: "offsetForLeaderEpoch", topic: "t", partition: 0, leaderEpoch: 0, currentLeaderEpoch: 0 });
    expect(epochs["error"]).toMatchObject({ code: "INVALID_REQUEST" });
    const metadata = await client.request({ op: "metadata", topics: [] });
    expect(metadata).toMatchObject({ controllerId: 0, brokers: [{ brokerId: 0, url: "ws://:9092/", rack: null }] });
    await broker.close();
  });

  it("does not start with controller.etcd.endpoints but no coordination store", async () => {
    const { config } = parseBrokerConfig({ "log.dirs": "data", "controller.etcd.endpoints": "http://127.0.0.1:2379" });
    const error = await rejection(createBroker({ fs: memoryFileSystem(), config }));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.details?.["config"]).toBe("controller.etcd.endpoints");
  });
});

describe("two brokers of a cluster", () => {
  const cluster = clusterHarness({ "default.replication.factor": "2" });
  let b1: ClusterBroker;
  let b2: ClusterBroker;
  let leader: ClusterBroker;
  let follower: ClusterBroker;
  let admin: WsTestClient;

  beforeAll(async () => {
    [b1, b2] = (await cluster.start([1, 2])) as [ClusterBroker, ClusterBroker];
    admin = await b2.connect();
    await admin.call("createTopics", { topics: [{ topic: "events", numPartitions: 1 }] });
    const metadata = await admin.call("metadata", { topics: ["events"] });
    const leaderId = ((metadata["topics"] as Frame[])[0]!["partitions"] as Frame[])[0]!["leader"];
    [leader, follower] = leaderId === 1 ? [b1, b2] : [b2, b1];
    const producer = await leader.connect();
    await eventually(async () => {
      const reply = await producer.call("produce", {
        acks: -1,
        topic: "events",
        partitions: [{ partition: 0, batches: batchOf(["x", "y", "z"].map((v) => ({ key: null, value: utf8(v) }))) }],
      });
      expect((reply["partitions"] as Frame[])[0]!["error"]).toBeUndefined();
    });
  });
  afterAll(() => cluster.stopAll());

  it("creates a topic of default.replication.factor replicas, each log naming the topic id in partition.metadata", async () => {
    const metadata = await admin.call("metadata", { topics: ["events"] });
    const topic = (metadata["topics"] as Frame[])[0]!;
    expect(((topic["partitions"] as Frame[])[0]!["replicas"] as number[]).sort()).toEqual([1, 2]);
    for (const b of [b1, b2]) {
      const text = new TextDecoder().decode(await b.fs.readFile("data/events-0/partition.metadata"));
      expect(text).toBe(`version: 0\ntopic_id: ${String(topic["topicId"])}\n`);
    }
  });

  it("webSocketReplicaClient() fetches byte for byte and learns where an epoch ends on the leader", async () => {
    const client = webSocketReplicaClient(leader.url, { WebSocket: nodeWebSocketClass(), brokerId: follower.id });
    const epoch = leader.log("events", 0)!.leaderEpochCache.latestEpoch;
    const reply = await client.fetch({ topic: "events", partition: 0, fetchOffset: 0, leaderEpoch: epoch, lastFetchedEpoch: -1, maxBytes: 1 << 20, maxWaitMs: 0, replicaId: follower.id });
    const stored = await leader.log("events", 0)!.read(0, { maxBytes: 1 << 20, maxOffset: Number.MAX_SAFE_INTEGER });
    expect(reply).toMatchObject({ highWatermark: 3, logStartOffset: 0, logEndOffset: 3 });
    expect(reply.batches).toEqual(stored.bytes);
    expect(await client.offsetForLeaderEpoch({ topic: "events", partition: 0, leaderEpoch: epoch, currentLeaderEpoch: epoch })).toEqual({ leaderEpoch: epoch, endOffset: 3 });
    client.close();
  });

  it("webSocketReplicaClient() carries the leader's OFFSET_OUT_OF_RANGE with its log start and log end, and FENCED_LEADER_EPOCH", async () => {
    const client = webSocketReplicaClient(leader.url, { WebSocket: nodeWebSocketClass(), brokerId: follower.id });
    const epoch = leader.log("events", 0)!.leaderEpochCache.latestEpoch;
    const request = { topic: "events", partition: 0, fetchOffset: 99, leaderEpoch: epoch, lastFetchedEpoch: -1, maxBytes: 1024, maxWaitMs: 0, replicaId: follower.id };
    const outOfRange = await rejection(client.fetch(request));
    expect(outOfRange.code).toBe("OFFSET_OUT_OF_RANGE");
    expect(outOfRange.details).toMatchObject({ logStartOffset: 0, logEndOffset: 3 });
    if (epoch > 0) expect((await rejection(client.fetch({ ...request, fetchOffset: 0, leaderEpoch: epoch - 1 }))).code).toBe("FENCED_LEADER_EPOCH");
    expect((await rejection(client.fetch({ ...request, fetchOffset: 0, leaderEpoch: epoch + 1 }))).code).toBe("UNKNOWN_LEADER_EPOCH");
    client.close();
    expect((await rejection(client.fetch(request))).code).toBe("NETWORK_EXCEPTION");
  });

  it("refuses a replicaFetch from a broker id that is not registered in the cluster", async () => {
    const client = webSocketReplicaClient(leader.url, { WebSocket: nodeWebSocketClass(), brokerId: 9 });
    const error = await rejection(client.fetch({ topic: "events", partition: 0, fetchOffset: 0, leaderEpoch: -1, lastFetchedEpoch: -1, maxBytes: 1024, maxWaitMs: 0, replicaId: 9 }));
    expect(error.code).toBe("BROKER_ID_NOT_REGISTERED");
    client.close();
  });

  it("webSocketReplicaClient() rejects with NETWORK_EXCEPTION when nothing listens at the leader's URL", async () => {
    const client = webSocketReplicaClient("ws://127.0.0.1:1", { WebSocket: nodeWebSocketClass(), brokerId: 1 });
    const error = await rejection(client.offsetForLeaderEpoch({ topic: "events", partition: 0, leaderEpoch: 0, currentLeaderEpoch: 0 }));
    expect(error.code).toBe("NETWORK_EXCEPTION");
    expect(error.retriable).toBe(true);
    client.close();
  });

  it("aborting a long-polling fetch rejects it at once with NETWORK_EXCEPTION", async () => {
    const client = webSocketReplicaClient(leader.url, { WebSocket: nodeWebSocketClass(), brokerId: follower.id });
    const epoch = leader.log("events", 0)!.leaderEpochCache.latestEpoch;
    const abort = new AbortController();
    const pending = client.fetch(
      { topic: "events", partition: 0, fetchOffset: 3, leaderEpoch: epoch, lastFetchedEpoch: -1, maxBytes: 1024, maxWaitMs: 10_000, replicaId: follower.id },
      abort.signal,
    );
    const started = Date.now();
    setTimeout(() => abort.abort(), 50);
    expect((await rejection(pending)).code).toBe("NETWORK_EXCEPTION");
    expect(Date.now() - started).toBeLessThan(2000);
    client.close();
  });

  it("writes the high watermark of every replica to replication-offset-checkpoint", async () => {
    for (const b of [b1, b2]) {
      await eventually(async () => {
        const text = new TextDecoder().decode(await b.fs.readFile("data/replication-offset-checkpoint"));
        expect(text.split("\n")).toContain("events 0 3");
      });
    }
  });

  it("applies configs altered through either broker to the logs of every replica", async () => {
    const other = await follower.connect();
    const reply = await other.call("alterConfigs", { resources: [{ type: "topic", name: "events", set: { "retention.ms": "3600000" } }] });
    expect(reply["resources"]).toEqual([{ type: "topic", name: "events" }]);
    for (const b of [b1, b2]) await eventually(() => expect(b.log("events", 0)!.config.retentionMs).toBe(3_600_000));
    const described = await admin.call("describeConfigs", { resources: [{ type: "topic", name: "events", keys: ["retention.ms"] }] });
    expect((described["resources"] as Frame[])[0]!["configs"]).toMatchObject([{ key: "retention.ms", value: "3600000", source: "DYNAMIC_TOPIC_CONFIG" }]);
  });

  it("adds partitions through the cluster, each with its replicas and logs", async () => {
    const reply = await admin.call("createPartitions", { topics: [{ topic: "events", count: 2 }] });
    expect(reply["topics"]).toEqual([{ topic: "events" }]);
    for (const b of [b1, b2]) await eventually(() => expect(b.log("events", 1)).toBeDefined());
  });

  it("deletes a topic through either broker, and with it the logs of every replica", async () => {
    const other = await follower.connect();
    expect((await other.call("deleteTopics", { topics: ["events"] }))["topics"]).toEqual([{ topic: "events" }]);
    for (const b of [b1, b2]) {
      await eventually(async () => expect((await b.fs.list("data")).filter((name) => name.startsWith("events-"))).toEqual([]));
    }
    const metadata = await admin.call("metadata", { topics: null });
    expect((metadata["topics"] as Frame[]).map((t) => t["topic"])).not.toContain("events");
  });
});
