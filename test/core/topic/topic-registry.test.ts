import { describe, expect, it } from "vitest";
import { memoryFileSystem, type MemoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import { parseBrokerConfig, type BrokerConfig } from "../../../src/core/config/broker-config.ts";
import { EdgelogError, isEdgelogError, type ErrorCode } from "../../../src/core/errors.ts";
import { defaultLogConfig, type LogConfig } from "../../../src/core/log/log-config.ts";
import type { FileSystem } from "../../../src/core/ports/file-system.ts";
import {
  openTopicRegistry,
  TOPIC_REGISTRY_FILE,
  type LogStore,
  type TopicRegistry,
  type TopicRegistryOptions,
} from "../../../src/core/topic/topic-registry.ts";

const DIR = "data";
const FILE = `${DIR}/${TOPIC_REGISTRY_FILE}`;

/** A LogStore that keeps each partition's config in a map and records every call. */
class StubLogs implements LogStore {
  readonly logs = new Map<string, LogConfig>();
  readonly calls: string[] = [];
  failCreate?: (topic: string, partition: number) => boolean;
  failDelete?: (topic: string, partition: number) => boolean;

  async createLog(topic: string, partition: number, config: LogConfig): Promise<unknown> {
    this.calls.push(`create ${topic}-${partition}`);
    await Promise.resolve();
    if (this.failCreate?.(topic, partition)) throw new EdgelogError("KAFKA_STORAGE_ERROR", "disk full");
    this.logs.set(`${topic}-${partition}`, config);
    return {};
  }

  async deleteLog(topic: string, partition: number): Promise<void> {
    this.calls.push(`delete ${topic}-${partition}`);
    await Promise.resolve();
    if (this.failDelete?.(topic, partition)) throw new EdgelogError("KAFKA_STORAGE_ERROR", "disk gone");
    this.logs.delete(`${topic}-${partition}`);
  }

  updateLogConfig(topic: string, partition: number, config: LogConfig): void {
    this.calls.push(`update ${topic}-${partition}`);
    this.logs.set(`${topic}-${partition}`, config);
  }

  hasLog(topic: string, partition: number): boolean {
    return this.logs.has(`${topic}-${partition}`);
  }

  names(): string[] {
    return [...this.logs.keys()].sort();
  }
}

interface Setup {
  fs: MemoryFileSystem;
  logs: StubLogs;
  registry: TopicRegistry;
  brokerConfig: BrokerConfig;
}

async function setup(broker: Record<string, string> = {}, more: Partial<TopicRegistryOptions> = {}): Promise<Setup> {
  const fs = (more.fs as MemoryFileSystem | undefined) ?? memoryFileSystem();
  const logs = (more.logs as StubLogs | undefined) ?? new StubLogs();
  const { config: brokerConfig } = parseBrokerConfig(broker);
  const registry = await openTopicRegistry({ fs, logs, dir: DIR, brokerConfig, ...more });
  return { fs, logs, registry, brokerConfig };
}

async function rejection(promise: Promise<unknown>, code: ErrorCode): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(isEdgelogError(error), String(error)).toBe(true);
    expect((error as EdgelogError).code).toBe(code);
    return (error as Error).message;
  }
  throw new Error(`expected ${code}`);
}

async function registryFile(fs: FileSystem): Promise<{ version: number; topics: Array<Record<string, unknown>> }> {
  return JSON.parse(new TextDecoder().decode(await fs.readFile(FILE)));
}

describe("openTopicRegistry()", () => {
  it("createTopic() creates the partition logs, persists the topic and describes it", async () => {
    const { fs, logs, registry } = await setup();
    const created = await registry.createTopic("orders", { partitions: 3, configs: { "retention.ms": "60000" } });
    expect(created).toMatchObject({ name: "orders", partitions: 3, replicationFactor: 1, configs: { "retention.ms": "60000" } });
    expect(created.id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(logs.names()).toEqual(["orders-0", "orders-1", "orders-2"]);
    expect(logs.logs.get("orders-1")).toEqual({ ...defaultLogConfig, retentionMs: 60_000 });
    expect(registry.describe("orders")).toEqual(created);
    expect(registry.get("orders")).toEqual(created);
    expect(registry.list()).toEqual([created]);
    expect(await registryFile(fs)).toEqual({ version: 1, topics: [created] });
  });

  it("createTopic() takes num.partitions and default.replication.factor when none are given, or -1", async () => {
    const { registry } = await setup({ "num.partitions": "4", "default.replication.factor": "2" }, { brokerCount: 2 });
    expect(await registry.createTopic("a")).toMatchObject({ partitions: 4, replicationFactor: 2 });
    expect(await registry.createTopic("b", { partitions: -1, replicationFactor: -1 })).toMatchObject({ partitions: 4, replicationFactor: 2 });
  });

  it("createTopic() refuses an illegal name", async () => {
    const { registry, logs } = await setup();
    expect(await rejection(registry.createTopic("bad name"), "INVALID_TOPIC_EXCEPTION")).toContain("is illegal");
    expect(await rejection(registry.createTopic(""), "INVALID_TOPIC_EXCEPTION")).toBe("Topic name is illegal, it can't be empty");
    expect(logs.calls).toEqual([]);
  });

  it("createTopic() refuses an existing topic with TOPIC_ALREADY_EXISTS", async () => {
    const { registry } = await setup();
    await registry.createTopic("orders");
    expect(await rejection(registry.createTopic("orders"), "TOPIC_ALREADY_EXISTS")).toBe("Topic 'orders' already exists.");
  });

  it("createTopic() refuses a name that collides with an existing topic through '.' and '_'", async () => {
    const { registry } = await setup();
    await registry.createTopic("metrics.cpu");
    expect(await rejection(registry.createTopic("metrics_cpu"), "INVALID_TOPIC_EXCEPTION")).toBe(
      "Topic 'metrics_cpu' collides with existing topic: metrics.cpu",
    );
  });

  it("createTopic() refuses a partition count below 1 or not whole with INVALID_PARTITIONS", async () => {
    const { registry, logs, fs } = await setup();
    for (const partitions of [0, -2, 1.5, Number.NaN]) {
      expect(await rejection(registry.createTopic("t", { partitions }), "INVALID_PARTITIONS")).toBe(
        "Number of partitions was set to an invalid non-positive value.",
      );
    }
    expect(logs.calls).toEqual([]);
    expect(await fs.stat(FILE)).toBeNull();
  });

  it("createTopic() refuses more than 10000 partitions at once with POLICY_VIOLATION", async () => {
    const { registry } = await setup();
    expect(await rejection(registry.createTopic("t", { partitions: 10_001 }), "POLICY_VIOLATION")).toBe(
      "Excessively large number of partitions per request.",
    );
  });

  it("createTopic() refuses to go past edgelog.max.partitions", async () => {
    const { registry } = await setup({ "edgelog.max.partitions": "5" });
    await registry.createTopic("a", { partitions: 3 });
    expect(await rejection(registry.createTopic("b", { partitions: 3 }), "POLICY_VIOLATION")).toContain("edgelog.max.partitions=5");
    await registry.createTopic("c", { partitions: 2 });
  });

  it("createTopic() refuses a replication factor below 1 or above the broker count", async () => {
    const { registry } = await setup();
    expect(await rejection(registry.createTopic("t", { replicationFactor: 0 }), "INVALID_REPLICATION_FACTOR")).toBe(
      "Replication factor must be larger than 0, or -1 to use the default value.",
    );
    expect(await rejection(registry.createTopic("t", { replicationFactor: 3 }), "INVALID_REPLICATION_FACTOR")).toBe(
      "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.",
    );
    let brokers = 1;
    const { registry: clustered } = await setup({}, { brokerCount: () => brokers });
    await rejection(clustered.createTopic("t", { replicationFactor: 3 }), "INVALID_REPLICATION_FACTOR");
    brokers = 3;
    expect(await clustered.createTopic("t", { replicationFactor: 3 })).toMatchObject({ replicationFactor: 3 });
  });

  it("createTopic() refuses bad configs with INVALID_CONFIG and creates nothing", async () => {
    const { registry, logs, fs } = await setup();
    expect(await rejection(registry.createTopic("t", { configs: { "retention.ms": "abc" } }), "INVALID_CONFIG")).toBe(
      "Invalid value abc for configuration retention.ms: Not a number of type LONG",
    );
    expect(await rejection(registry.createTopic("t", { configs: { foo: "1" } }), "INVALID_CONFIG")).toBe("Unknown topic config name: foo");
    expect(logs.calls).toEqual([]);
    expect(await fs.stat(FILE)).toBeNull();
    expect(registry.list()).toEqual([]);
  });

  it("createTopic() with validateOnly checks everything and changes nothing", async () => {
    const { registry, logs, fs } = await setup();
    expect(await registry.createTopic("t", { partitions: 2, validateOnly: true })).toMatchObject({ name: "t", partitions: 2, id: "AAAAAAAAAAAAAAAAAAAAAA" });
    await rejection(registry.createTopic("t", { partitions: 0, validateOnly: true }), "INVALID_PARTITIONS");
    expect(logs.calls).toEqual([]);
    expect(await fs.stat(FILE)).toBeNull();
    expect(registry.get("t")).toBeUndefined();
  });

  it("createTopic() rolls back when a partition log cannot be created", async () => {
    const { registry, logs, fs } = await setup();
    await registry.createTopic("kept");
    const before = await fs.readFile(FILE);
    logs.failCreate = (topic, partition) => topic === "t" && partition === 2;
    expect(await rejection(registry.createTopic("t", { partitions: 3 }), "KAFKA_STORAGE_ERROR")).toBe("disk full");
    expect(logs.names()).toEqual(["kept-0"]);
    expect(registry.get("t")).toBeUndefined();
    expect(await fs.readFile(FILE)).toEqual(before);
    logs.failCreate = undefined;
    expect(await registry.createTopic("t", { partitions: 3 })).toMatchObject({ partitions: 3 });
  });

  it("describe() and logConfig() throw UNKNOWN_TOPIC_OR_PARTITION for an unknown topic; get() gives undefined", async () => {
    const { registry } = await setup();
    expect(() => registry.describe("nope")).toThrow("Topic 'nope' does not exist.");
    expect(() => registry.logConfig("nope")).toThrow(EdgelogError);
    expect(() => registry.describeConfigs("nope")).toThrow(EdgelogError);
    expect(registry.get("nope")).toBeUndefined();
  });

  it("list() gives every topic in name order", async () => {
    const { registry } = await setup();
    for (const name of ["b", "a", "c"]) await registry.createTopic(name);
    expect(registry.list().map((t) => t.name)).toEqual(["a", "b", "c"]);
  });

  it("descriptions are copies the caller cannot use to change the registry", async () => {
    const { registry } = await setup();
    const described = await registry.createTopic("t", { configs: { "retention.ms": "5" } });
    described.configs["retention.ms"] = "6";
    described.partitions = 9;
    expect(registry.describe("t")).toMatchObject({ partitions: 1, configs: { "retention.ms": "5" } });
  });

  it("deleteTopic() deletes the logs and the topic, and forgets it on disk", async () => {
    const { registry, logs, fs } = await setup();
    await registry.createTopic("a", { partitions: 2 });
    await registry.createTopic("b");
    await registry.deleteTopic("a");
    expect(logs.names()).toEqual(["b-0"]);
    expect(registry.get("a")).toBeUndefined();
    expect((await registryFile(fs)).topics.map((t) => t.name)).toEqual(["b"]);
    await registry.createTopic("a");
    expect(registry.describe("a").partitions).toBe(1);
  });

  it("deleteTopic() answers UNKNOWN_TOPIC_OR_PARTITION for an unknown topic", async () => {
    const { registry } = await setup();
    expect(await rejection(registry.deleteTopic("nope"), "UNKNOWN_TOPIC_OR_PARTITION")).toBe("Topic 'nope' does not exist.");
  });

  it("deleteTopic() refuses with TOPIC_DELETION_DISABLED (Kafka code 73) when delete.topic.enable is false", async () => {
    const { registry, logs } = await setup({ "delete.topic.enable": "false" });
    await registry.createTopic("t");
    let error: unknown;
    await registry.deleteTopic("t").catch((e: unknown) => (error = e));
    expect(isEdgelogError(error, "TOPIC_DELETION_DISABLED")).toBe(true);
    expect((error as EdgelogError).kafkaCode).toBe(73);
    expect((error as EdgelogError).message).toBe("Topic deletion is disabled.");
    expect(logs.names()).toEqual(["t-0"]);
    expect(registry.get("t")).toBeDefined();
  });

  it("deleteTopic() that fails part-way hides the topic, and calling it again finishes", async () => {
    const { registry, logs, fs } = await setup();
    await registry.createTopic("t", { partitions: 2 });
    logs.failDelete = (_topic, partition) => partition === 1;
    await rejection(registry.deleteTopic("t"), "KAFKA_STORAGE_ERROR");
    expect(registry.get("t")).toBeUndefined();
    expect(await rejection(registry.createTopic("t"), "TOPIC_ALREADY_EXISTS")).toBe("Topic 't' is marked for deletion.");
    logs.failDelete = undefined;
    await registry.deleteTopic("t");
    expect(logs.names()).toEqual([]);
    expect((await registryFile(fs)).topics).toEqual([]);
  });

  it("createPartitions() adds partition logs up to the new count with the topic's config", async () => {
    const { registry, logs, fs } = await setup();
    await registry.createTopic("t", { partitions: 2, configs: { "segment.bytes": "1024" } });
    logs.calls.length = 0;
    expect(await registry.createPartitions("t", 4)).toMatchObject({ partitions: 4 });
    expect(logs.calls).toEqual(["create t-2", "create t-3"]);
    expect(logs.logs.get("t-3")?.segmentBytes).toBe(1024);
    expect((await registryFile(fs)).topics[0]).toMatchObject({ partitions: 4 });
  });

  it("createPartitions() refuses to lower or keep the count, with Kafka's messages", async () => {
    const { registry } = await setup();
    await registry.createTopic("t", { partitions: 3 });
    expect(await rejection(registry.createPartitions("t", 2), "INVALID_PARTITIONS")).toBe(
      "Topic currently has 3 partitions, which is higher than the requested 2.",
    );
    expect(await rejection(registry.createPartitions("t", 3), "INVALID_PARTITIONS")).toBe("Topic already has 3 partition(s).");
    await rejection(registry.createPartitions("t", 3.5), "INVALID_PARTITIONS");
    await rejection(registry.createPartitions("t", 10_004), "POLICY_VIOLATION");
    await rejection(registry.createPartitions("nope", 5), "UNKNOWN_TOPIC_OR_PARTITION");
    expect(registry.describe("t").partitions).toBe(3);
  });

  it("createPartitions() with validateOnly changes nothing", async () => {
    const { registry, logs } = await setup();
    await registry.createTopic("t");
    expect(await registry.createPartitions("t", 5, { validateOnly: true })).toMatchObject({ partitions: 5 });
    expect(registry.describe("t").partitions).toBe(1);
    expect(logs.names()).toEqual(["t-0"]);
  });

  it("createPartitions() rolls back when a new log cannot be created", async () => {
    const { registry, logs } = await setup();
    await registry.createTopic("t", { partitions: 1 });
    logs.failCreate = (_topic, partition) => partition === 2;
    await rejection(registry.createPartitions("t", 3), "KAFKA_STORAGE_ERROR");
    expect(logs.names()).toEqual(["t-0"]);
    expect(registry.describe("t").partitions).toBe(1);
  });

  it("alterConfigs() sets and removes overrides, persists them and applies them to every partition", async () => {
    const { registry, logs, fs } = await setup({ "log.retention.hours": "1" });
    await registry.createTopic("t", { partitions: 2, configs: { "retention.ms": "1000", "segment.bytes": "2048" } });
    logs.calls.length = 0;
    const altered = await registry.alterConfigs("t", { "cleanup.policy": "compact" }, ["retention.ms"]);
    expect(altered.configs).toEqual({ "segment.bytes": "2048", "cleanup.policy": "compact" });
    expect(logs.calls).toEqual(["update t-0", "update t-1"]);
    const expected = { ...defaultLogConfig, retentionMs: 3_600_000, segmentBytes: 2048, cleanupPolicy: ["compact"] };
    expect(logs.logs.get("t-1")).toEqual(expected);
    expect(registry.logConfig("t")).toEqual(expected);
    expect((await registryFile(fs)).topics[0]!.configs).toEqual({ "segment.bytes": "2048", "cleanup.policy": "compact" });
  });

  it("alterConfigs() refuses bad values, unknown keys and a key both set and removed, changing nothing", async () => {
    const { registry, logs } = await setup();
    await registry.createTopic("t", { configs: { "retention.ms": "1000" } });
    logs.calls.length = 0;
    expect(await rejection(registry.alterConfigs("t", { "retention.ms": "soon" }), "INVALID_CONFIG")).toBe(
      "Invalid value soon for configuration retention.ms: Not a number of type LONG",
    );
    expect(await rejection(registry.alterConfigs("t", { bogus: "1" }), "INVALID_CONFIG")).toBe("Unknown topic config name: bogus");
    expect(await rejection(registry.alterConfigs("t", {}, ["bogus"]), "INVALID_CONFIG")).toBe("Unknown topic config name: bogus");
    expect(await rejection(registry.alterConfigs("t", { "retention.ms": "5" }, ["retention.ms"]), "INVALID_REQUEST")).toBe(
      "Error due to duplicate config keys: retention.ms",
    );
    await rejection(registry.alterConfigs("nope", {}), "UNKNOWN_TOPIC_OR_PARTITION");
    expect(logs.calls).toEqual([]);
    expect(registry.describe("t").configs).toEqual({ "retention.ms": "1000" });
  });

  it("alterConfigs() with validateOnly changes nothing", async () => {
    const { registry, logs } = await setup();
    await registry.createTopic("t");
    logs.calls.length = 0;
    expect((await registry.alterConfigs("t", { "retention.ms": "5" }, [], { validateOnly: true })).configs).toEqual({ "retention.ms": "5" });
    expect(registry.describe("t").configs).toEqual({});
    expect(logs.calls).toEqual([]);
  });

  it("describeConfigs() tells overrides, broker values and defaults apart", async () => {
    const { registry } = await setup({ "log.segment.bytes": "1048576" });
    await registry.createTopic("t", { configs: { "retention.ms": "5" } });
    const byName = new Map(registry.describeConfigs("t").map((e) => [e.name, e]));
    expect(byName.get("retention.ms")?.source).toBe("DYNAMIC_TOPIC_CONFIG");
    expect(byName.get("segment.bytes")?.source).toBe("STATIC_BROKER_CONFIG");
    expect(byName.get("cleanup.policy")?.source).toBe("DEFAULT_CONFIG");
  });

  it("reopening reloads the topics, creates missing logs and applies each topic's config to existing logs", async () => {
    const { fs, registry } = await setup();
    const created = await registry.createTopic("t", { partitions: 2, configs: { "retention.ms": "7" } });
    await registry.createTopic("u");

    const logs = new StubLogs();
    logs.logs.set("t-0", defaultLogConfig); // the log manager found t-0 on disk, with the broker defaults
    const reopened = await openTopicRegistry({ fs, logs, dir: DIR, brokerConfig: parseBrokerConfig({}).config });
    expect(reopened.describe("t")).toEqual(created);
    expect(reopened.list().map((t) => t.name)).toEqual(["t", "u"]);
    expect(logs.calls.sort()).toEqual(["create t-1", "create u-0", "update t-0"]);
    expect(logs.logs.get("t-0")?.retentionMs).toBe(7);
    expect(logs.logs.get("t-1")?.retentionMs).toBe(7);
  });

  it("a created topic survives power loss once createTopic() has resolved", async () => {
    const { fs, registry } = await setup();
    await registry.createTopic("t", { partitions: 2 });
    fs.crash({ keepUnsynced: "none" });
    const reopened = await openTopicRegistry({ fs, logs: new StubLogs(), dir: DIR, brokerConfig: parseBrokerConfig({}).config });
    expect(reopened.describe("t").partitions).toBe(2);
  });

  it("reopening finishes a deletion a crash interrupted", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir(DIR);
    const topics = [
      { name: "gone", partitions: 2, replicationFactor: 1, configs: {}, id: "AAAAAAAAAAAAAAAAAAAAAQ", deleting: true },
      { name: "kept", partitions: 1, replicationFactor: 1, configs: {}, id: "AAAAAAAAAAAAAAAAAAAAAg" },
    ];
    await fs.writeFile(FILE, new TextEncoder().encode(JSON.stringify({ version: 1, topics })));
    const logs = new StubLogs();
    logs.logs.set("gone-0", defaultLogConfig);
    logs.logs.set("gone-1", defaultLogConfig);
    const registry = await openTopicRegistry({ fs, logs, dir: DIR, brokerConfig: parseBrokerConfig({}).config });
    expect(registry.list().map((t) => t.name)).toEqual(["kept"]);
    expect(logs.names()).toEqual(["kept-0"]);
    expect((await registryFile(fs)).topics.map((t) => t.name)).toEqual(["kept"]);
  });

  it("openTopicRegistry() refuses a damaged registry file with KAFKA_STORAGE_ERROR and leaves it as it is", async () => {
    const damaged = [
      "{not json",
      JSON.stringify({ version: 2, topics: [] }),
      JSON.stringify({ version: 1, topics: [{ name: "bad name", partitions: 1, replicationFactor: 1, configs: {}, id: "x" }] }),
      JSON.stringify({ version: 1, topics: [{ name: "t", partitions: 0, replicationFactor: 1, configs: {}, id: "x" }] }),
      JSON.stringify({ version: 1, topics: [{ name: "t", partitions: 1, replicationFactor: 1, configs: { "retention.ms": "x" }, id: "x" }] }),
      JSON.stringify({ version: 1, topics: [{ name: "t", partitions: 1, replicationFactor: 1, configs: {}, id: "x" }, { name: "t", partitions: 1, replicationFactor: 1, configs: {}, id: "y" }] }),
    ];
    for (const text of damaged) {
      const fs = memoryFileSystem();
      await fs.mkdir(DIR);
      const bytes = new TextEncoder().encode(text);
      await fs.writeFile(FILE, bytes);
      const message = await rejection(
        openTopicRegistry({ fs, logs: new StubLogs(), dir: DIR, brokerConfig: parseBrokerConfig({}).config }),
        "KAFKA_STORAGE_ERROR",
      );
      expect(message, text).toContain("is damaged");
      expect(await fs.readFile(FILE)).toEqual(bytes);
    }
  });

  it("concurrent changes run one at a time and never interleave their writes", async () => {
    const fs = memoryFileSystem();
    const events: string[] = [];
    const slow: FileSystem = {
      open: (path, options) => fs.open(path, options),
      readFile: (path) => fs.readFile(path),
      remove: (path) => fs.remove(path),
      list: (dir) => fs.list(dir),
      mkdir: (path) => fs.mkdir(path),
      stat: (path) => fs.stat(path),
      async writeFile(path, data) {
        events.push("write");
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        await fs.writeFile(path, data);
      },
      async rename(from, to) {
        events.push("rename");
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        await fs.rename(from, to);
      },
      async syncDir(path) {
        await fs.syncDir(path);
        events.push("sync");
      },
    };
    const logs = new StubLogs();
    const registry = await openTopicRegistry({ fs: slow, logs, dir: DIR, brokerConfig: parseBrokerConfig({}).config });
    const names = Array.from({ length: 12 }, (_, i) => `t${i}`);
    const results = await Promise.allSettled([
      ...names.map((name) => registry.createTopic(name, { partitions: 2 })),
      registry.createTopic("t0"),
      registry.alterConfigs("t1", { "retention.ms": "5" }),
      registry.createPartitions("t2", 3),
      registry.deleteTopic("t3"),
    ]);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1); // the second "t0"
    await registry.idle();
    for (let i = 0; i < events.length; i += 3) expect(events.slice(i, i + 3)).toEqual(["write", "rename", "sync"]);
    const onDisk = await registryFile(fs);
    expect(onDisk.topics.map((t) => t.name)).toEqual(names.filter((n) => n !== "t3").sort());
    expect(onDisk.topics.find((t) => t.name === "t1")?.configs).toEqual({ "retention.ms": "5" });
    expect(onDisk.topics.find((t) => t.name === "t2")?.partitions).toBe(3);
    expect(logs.names()).toHaveLength(11 * 2 + 1);
  });
});
