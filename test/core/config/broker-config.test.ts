import { describe, expect, it } from "vitest";
import { brokerLogDefaults, parseBrokerConfig } from "../../../src/core/config/broker-config.ts";
import { BROKER_CONFIG_KEYS } from "../../../src/core/config/broker-config-keys.ts";
import { isEdgelogError } from "../../../src/core/errors.ts";
import { defaultLogConfig } from "../../../src/core/log/log-config.ts";

/** The INVALID_CONFIG message a call throws, or fails the test. */
function invalid(entries: Record<string, string>): string {
  try {
    parseBrokerConfig(entries);
  } catch (error) {
    expect(isEdgelogError(error, "INVALID_CONFIG")).toBe(true);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error(`parseBrokerConfig(${JSON.stringify(entries)}) did not throw`);
}

describe("parseBrokerConfig()", () => {
  it("parseBrokerConfig() gives Kafka's defaults, with edgelog's own log dir and listener, for no entries", () => {
    const { config, warnings } = parseBrokerConfig({});
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      brokerId: 0,
      listeners: [{ scheme: "ws", host: "", port: 9092, url: "ws://:9092" }],
      logDirs: ["./data"],
      numPartitions: 1,
      defaultReplicationFactor: 1,
      autoCreateTopicsEnable: true,
      deleteTopicEnable: true,
      logRetentionMs: 604_800_000,
      logRetentionBytes: -1,
      logSegmentBytes: 1_073_741_824,
      logRollMs: 604_800_000,
      logRetentionCheckIntervalMs: 300_000,
      logFlushIntervalMessages: Number.MAX_SAFE_INTEGER,
      logFlushIntervalMs: Number.MAX_SAFE_INTEGER,
      logCleanupPolicy: ["delete"],
      messageMaxBytes: 1_048_588,
      socketRequestMaxBytes: 104_857_600,
      maxConnections: 2_147_483_647,
      connectionsMaxIdleMs: 600_000,
      minInsyncReplicas: 1,
      offsetsTopicNumPartitions: 50,
      offsetsTopicReplicationFactor: 1,
      offsetsRetentionMinutes: 10_080,
      groupInitialRebalanceDelayMs: 3000,
      groupMinSessionTimeoutMs: 6000,
      groupMaxSessionTimeoutMs: 1_800_000,
      uncleanLeaderElectionEnable: false,
      replicaLagTimeMaxMs: 30_000,
      controllerEtcdEndpoints: [],
      sslCertificateLocation: null,
      sslKeyLocation: null,
    });
    expect(config.advertisedListeners).toEqual(config.listeners);
  });

  it("parseBrokerConfig() reads a Map as well as a record, and keeps every entry in raw", () => {
    const { config } = parseBrokerConfig(new Map([["num.partitions", "4"], ["some.unknown", "x"]]));
    expect(config.numPartitions).toBe(4);
    expect(config.raw.get("some.unknown")).toBe("x");
  });

  it("parseBrokerConfig() lets overrides replace file entries", () => {
    const { config } = parseBrokerConfig({ "broker.id": "1", "num.partitions": "2" }, { overrides: { "broker.id": "7" } });
    expect(config.brokerId).toBe(7);
    expect(config.numPartitions).toBe(2);
    expect(config.raw.get("broker.id")).toBe("7");
  });

  it("parseBrokerConfig() trims values as Kafka does", () => {
    expect(parseBrokerConfig({ "num.partitions": "  3  ", "delete.topic.enable": " FALSE " }).config).toMatchObject({
      numPartitions: 3,
      deleteTopicEnable: false,
    });
  });

  it("parseBrokerConfig() names the key and value of a bad number, on one line", () => {
    expect(invalid({ "num.partitions": "abc" })).toBe("Invalid value abc for configuration num.partitions: Not a number of type INT");
    expect(invalid({ "log.retention.bytes": "1.5" })).toBe("Invalid value 1.5 for configuration log.retention.bytes: Not a number of type LONG");
    expect(invalid({ "num.partitions": "2147483648" })).toContain("Not a number of type INT");
    expect(invalid({ "log.retention.bytes": "9223372036854775808" })).toContain("Not a number of type LONG");
    expect(invalid({ "num.partitions": "1\n2" })).toBe("Invalid value 1\\n2 for configuration num.partitions: Not a number of type INT");
  });

  it("parseBrokerConfig() enforces Kafka's ranges", () => {
    expect(invalid({ "num.partitions": "0" })).toBe("Invalid value 0 for configuration num.partitions: Value must be at least 1");
    expect(invalid({ "log.cleaner.min.cleanable.ratio": "1.5" })).toBe(
      "Invalid value 1.5 for configuration log.cleaner.min.cleanable.ratio: Value must be no more than 1",
    );
    expect(invalid({ "log.segment.bytes": "13" })).toContain("Value must be at least 14");
    expect(invalid({ "log.roll.hours": "0" })).toContain("log.roll.hours: Value must be at least 1");
    expect(invalid({ "log.roll.ms": "0" })).toContain("log.roll.ms: Value must be at least 1");
  });

  it("parseBrokerConfig() checks booleans, enums and lists", () => {
    expect(invalid({ "auto.create.topics.enable": "yes" })).toBe(
      "Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false",
    );
    expect(invalid({ "log.message.timestamp.type": "createtime" })).toBe(
      "Invalid value createtime for configuration log.message.timestamp.type: String must be one of: CreateTime, LogAppendTime",
    );
    expect(invalid({ "log.cleanup.policy": "delete,shrink" })).toContain("String must be one of: compact, delete");
    expect(invalid({ "compression.type": "zstd" })).toContain("String must be one of: uncompressed, gzip, producer");
  });

  it("parseBrokerConfig() takes log.retention.ms over minutes over hours", () => {
    expect(parseBrokerConfig({ "log.retention.hours": "1" }).config.logRetentionMs).toBe(3_600_000);
    expect(parseBrokerConfig({ "log.retention.hours": "1", "log.retention.minutes": "2" }).config.logRetentionMs).toBe(120_000);
    expect(
      parseBrokerConfig({ "log.retention.hours": "1", "log.retention.minutes": "2", "log.retention.ms": "5" }).config.logRetentionMs,
    ).toBe(5);
  });

  it("parseBrokerConfig() reads any negative retention as unlimited and refuses zero", () => {
    expect(parseBrokerConfig({ "log.retention.hours": "-5" }).config.logRetentionMs).toBe(-1);
    expect(parseBrokerConfig({ "log.retention.ms": "-1" }).config.logRetentionMs).toBe(-1);
    expect(invalid({ "log.retention.ms": "0" })).toBe("Invalid value 0 for configuration log.retention.ms: Value must be -1 (unlimited) or at least 1");
    expect(invalid({ "log.retention.minutes": "0" })).toContain("log.retention.minutes");
  });

  it("parseBrokerConfig() takes log.roll.ms over log.roll.hours", () => {
    expect(parseBrokerConfig({ "log.roll.hours": "2" }).config.logRollMs).toBe(7_200_000);
    expect(parseBrokerConfig({ "log.roll.hours": "2", "log.roll.ms": "1000" }).config.logRollMs).toBe(1000);
  });

  it("parseBrokerConfig() takes log.flush.interval.ms over log.flush.scheduler.interval.ms", () => {
    expect(parseBrokerConfig({ "log.flush.scheduler.interval.ms": "500" }).config.logFlushIntervalMs).toBe(500);
    expect(parseBrokerConfig({ "log.flush.scheduler.interval.ms": "500", "log.flush.interval.ms": "20" }).config.logFlushIntervalMs).toBe(20);
  });

  it("parseBrokerConfig() reads Long.MAX_VALUE as the largest safe integer", () => {
    expect(parseBrokerConfig({ "log.flush.interval.messages": "9223372036854775807" }).config.logFlushIntervalMessages).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it("parseBrokerConfig() reads log.dirs as a list and falls back to log.dir", () => {
    expect(parseBrokerConfig({ "log.dirs": "/a, /b" }).config.logDirs).toEqual(["/a", "/b"]);
    expect(parseBrokerConfig({ "log.dir": "/c" }).config.logDirs).toEqual(["/c"]);
    expect(parseBrokerConfig({ "log.dir": "/c", "log.dirs": "/d" }).config.logDirs).toEqual(["/d"]);
    expect(invalid({ "log.dirs": "/a,/a" })).toContain("must not be duplicated");
    expect(invalid({ "log.dirs": "" })).toContain("must not be empty");
    expect(invalid({ "log.dirs": "/a,,/b" })).toContain("must not be empty");
  });

  it("parseBrokerConfig() reads node.id as broker.id, refuses two different ids, and turns -1 into 0", () => {
    expect(parseBrokerConfig({ "node.id": "3" }).config.brokerId).toBe(3);
    expect(parseBrokerConfig({ "node.id": "3", "broker.id": "3" }).config.brokerId).toBe(3);
    expect(parseBrokerConfig({ "broker.id": "-1" }).config.brokerId).toBe(0);
    expect(invalid({ "node.id": "3", "broker.id": "4" })).toBe("Invalid value 3 for configuration node.id: Value must match broker.id (4) when both are set");
    expect(invalid({ "broker.id": "-2" })).toContain("Value must be at least -1");
  });

  it("parseBrokerConfig() reads ws:// and wss:// listeners, IPv6 hosts included", () => {
    const { config, warnings } = parseBrokerConfig({
      listeners: "ws://0.0.0.0:9092, wss://[::1]:9093",
      "ssl.certificate.location": "/etc/edgelog/cert.pem",
      "ssl.key.location": "/etc/edgelog/key.pem",
      "advertised.listeners": "ws://broker1.local:9092",
    });
    expect(warnings).toEqual([]);
    expect(config.listeners).toEqual([
      { scheme: "ws", host: "0.0.0.0", port: 9092, url: "ws://0.0.0.0:9092" },
      { scheme: "wss", host: "::1", port: 9093, url: "wss://[::1]:9093" },
    ]);
    expect(config.advertisedListeners).toEqual([{ scheme: "ws", host: "broker1.local", port: 9092, url: "ws://broker1.local:9092" }]);
    expect(config.sslCertificateLocation).toBe("/etc/edgelog/cert.pem");
  });

  it("parseBrokerConfig() serves Kafka's PLAINTEXT:// as ws:// and SSL:// as wss://, with a warning", () => {
    const { config, warnings } = parseBrokerConfig({
      listeners: "PLAINTEXT://:9092,SSL://:9093",
      "ssl.certificate.location": "c.pem",
      "ssl.key.location": "k.pem",
    });
    expect(config.listeners.map((l) => l.url)).toEqual(["ws://:9092", "wss://:9093"]);
    expect(warnings).toEqual([
      "listeners: PLAINTEXT://:9092 is served as ws://:9092 (edgelog speaks WebSocket, not Kafka's binary protocol)",
      "listeners: SSL://:9093 is served as wss://:9093 (edgelog speaks WebSocket, not Kafka's binary protocol)",
    ]);
  });

  it("parseBrokerConfig() refuses bad listeners", () => {
    expect(invalid({ listeners: "SASL_PLAINTEXT://:9092" })).toBe(
      "Invalid value SASL_PLAINTEXT://:9092 for configuration listeners: Unsupported listener scheme SASL_PLAINTEXT; use ws:// or wss://",
    );
    expect(invalid({ listeners: "localhost:9092" })).toContain("Expected a listener of the form ws://host:port");
    expect(invalid({ listeners: "ws://:70000" })).toContain("Port must be between 0 and 65535");
    expect(invalid({ listeners: "ws://a:9092,ws://b:9092" })).toContain("Each listener must have a different port");
    expect(invalid({ listeners: "" })).toContain("At least one listener is required");
    expect(invalid({ "advertised.listeners": "ws://0.0.0.0:9092" })).toContain("Cannot advertise the non-routable address 0.0.0.0");
  });

  it("parseBrokerConfig() asks for a certificate and a key when a listener is wss://", () => {
    expect(() => parseBrokerConfig({ listeners: "wss://:9093" })).toThrow(/Missing required configuration "ssl.certificate.location"/);
    expect(() => parseBrokerConfig({ listeners: "wss://:9093", "ssl.certificate.location": "c.pem" })).toThrow(
      /Missing required configuration "ssl.key.location"/,
    );
  });

  it("parseBrokerConfig() warns about unknown, ZooKeeper-era and KRaft keys instead of failing", () => {
    const { warnings } = parseBrokerConfig({
      "zookeeper.connect": "zk:2181",
      port: "9092",
      "process.roles": "broker",
      "ssl.keystore.location": "/k.jks",
      "no.such.key": "1",
      "num.io.threads": "8",
    });
    expect(warnings).toEqual([
      "Ignoring zookeeper.connect: ZooKeeper-era key; edgelog keeps cluster metadata in etcd (controller.etcd.endpoints)",
      "Ignoring port: ZooKeeper-era key removed in Kafka 3.0; use listeners and advertised.listeners",
      "Ignoring process.roles: edgelog has no KRaft controller; cluster metadata lives in etcd (controller.etcd.endpoints)",
      "Ignoring ssl.keystore.location: edgelog serves wss:// from the PEM files in ssl.certificate.location and ssl.key.location",
      "Ignoring unknown configuration key no.such.key",
    ]);
  });

  it("parseBrokerConfig() refuses a minimum session timeout above the maximum", () => {
    expect(invalid({ "group.min.session.timeout.ms": "10", "group.max.session.timeout.ms": "5" })).toContain(
      "group.min.session.timeout.ms: Value must be no more than group.max.session.timeout.ms (5)",
    );
  });

  it("parseBrokerConfig() reads controller.etcd.endpoints as a list", () => {
    expect(parseBrokerConfig({ "controller.etcd.endpoints": "http://e1:2379, http://e2:2379" }).config.controllerEtcdEndpoints).toEqual([
      "http://e1:2379",
      "http://e2:2379",
    ]);
  });

  it("every broker key's default passes its own validation", () => {
    for (const key of BROKER_CONFIG_KEYS) {
      if (key.default === null || key.name === "listeners") continue;
      expect(() => parseBrokerConfig({ [key.name]: key.default! }), key.name).not.toThrow();
    }
  });
});

describe("brokerLogDefaults()", () => {
  it("brokerLogDefaults() equals Kafka's topic defaults when the broker sets nothing", () => {
    expect(brokerLogDefaults(parseBrokerConfig({}).config)).toEqual(defaultLogConfig);
  });

  it("brokerLogDefaults() takes each topic default from its broker key", () => {
    const { config } = parseBrokerConfig({
      "log.segment.bytes": "1048576",
      "log.roll.hours": "1",
      "log.index.size.max.bytes": "4096",
      "log.index.interval.bytes": "100",
      "log.retention.minutes": "10",
      "log.retention.bytes": "5000",
      "log.cleanup.policy": "compact,delete",
      "log.cleaner.delete.retention.ms": "7",
      "log.cleaner.min.compaction.lag.ms": "8",
      "log.cleaner.min.cleanable.ratio": "0.25",
      "message.max.bytes": "2000",
      "log.message.timestamp.type": "LogAppendTime",
      "log.flush.interval.messages": "10",
      "log.flush.interval.ms": "1000",
      "min.insync.replicas": "2",
      "log.segment.delete.delay.ms": "0",
      "unclean.leader.election.enable": "true",
    });
    expect(brokerLogDefaults(config)).toEqual({
      segmentBytes: 1_048_576,
      segmentMs: 3_600_000,
      segmentIndexBytes: 4096,
      indexIntervalBytes: 100,
      retentionMs: 600_000,
      retentionBytes: 5000,
      cleanupPolicy: ["compact", "delete"],
      deleteRetentionMs: 7,
      minCompactionLagMs: 8,
      minCleanableDirtyRatio: 0.25,
      maxMessageBytes: 2000,
      messageTimestampType: "LogAppendTime",
      flushMessages: 10,
      flushMs: 1000,
      minInsyncReplicas: 2,
      fileDeleteDelayMs: 0,
      uncleanLeaderElectionEnable: true,
    });
  });
});
