import { describe, expect, it } from "vitest";
import { parseBrokerConfig } from "../../../src/core/config/broker-config.ts";
import { isEdgelogError } from "../../../src/core/errors.ts";
import { defaultLogConfig, type LogConfig } from "../../../src/core/log/log-config.ts";
import {
  brokerValueForTopicConfig,
  describeTopicConfigs,
  resolveLogConfig,
  TOPIC_CONFIG_KEYS,
  validateTopicConfigs,
} from "../../../src/core/topic/topic-config.ts";

function invalid(configs: Record<string, unknown>): string {
  try {
    validateTopicConfigs(configs as Record<string, string>);
  } catch (error) {
    expect(isEdgelogError(error, "INVALID_CONFIG")).toBe(true);
    expect((error as Error).message).not.toContain("\n");
    return (error as Error).message;
  }
  throw new Error(`validateTopicConfigs(${JSON.stringify(configs)}) did not throw`);
}

describe("the topic config table", () => {
  it("TOPIC_CONFIG_KEYS is in name order with no duplicates", () => {
    const names = TOPIC_CONFIG_KEYS.map((k) => k.name);
    expect(names).toEqual([...new Set(names)].sort());
  });

  it("every LogConfig field is set by exactly one topic key", () => {
    const fields = TOPIC_CONFIG_KEYS.flatMap((k) => (k.field ? [k.field] : []));
    expect([...fields].sort()).toEqual(Object.keys(defaultLogConfig).sort());
  });

  it("every topic key's default passes its own validation and resolves to Kafka's defaults", () => {
    const defaults = Object.fromEntries(TOPIC_CONFIG_KEYS.map((k) => [k.name, k.default!]));
    expect(resolveLogConfig(defaults, { ...defaultLogConfig, segmentBytes: 1 << 20 })).toEqual(defaultLogConfig);
  });

  it("the broker synonyms are Kafka's", () => {
    const synonyms = Object.fromEntries(TOPIC_CONFIG_KEYS.map((k) => [k.name, k.brokerSynonyms.map((s) => s.name)]));
    expect(synonyms).toMatchObject({
      "segment.bytes": ["log.segment.bytes"],
      "retention.ms": ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
      "retention.bytes": ["log.retention.bytes"],
      "segment.ms": ["log.roll.ms", "log.roll.hours"],
      "max.message.bytes": ["message.max.bytes"],
      "flush.messages": ["log.flush.interval.messages"],
      "flush.ms": ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"],
      "cleanup.policy": ["log.cleanup.policy"],
      "min.insync.replicas": ["min.insync.replicas"],
      "delete.retention.ms": ["log.cleaner.delete.retention.ms"],
      "index.interval.bytes": ["log.index.interval.bytes"],
      "segment.index.bytes": ["log.index.size.max.bytes"],
      "message.timestamp.type": ["log.message.timestamp.type"],
      "unclean.leader.election.enable": ["unclean.leader.election.enable"],
      "min.compaction.lag.ms": ["log.cleaner.min.compaction.lag.ms"],
      "min.cleanable.dirty.ratio": ["log.cleaner.min.cleanable.ratio"],
      "file.delete.delay.ms": ["log.segment.delete.delay.ms"],
    });
  });
});

describe("validateTopicConfigs()", () => {
  it("validateTopicConfigs() returns the overrides with values trimmed", () => {
    expect(validateTopicConfigs({ "retention.ms": " 1000 ", "cleanup.policy": "compact, delete" })).toEqual({
      "retention.ms": "1000",
      "cleanup.policy": "compact, delete",
    });
    expect(validateTopicConfigs({})).toEqual({});
  });

  it("validateTopicConfigs() names a value that is not a number, as Kafka does", () => {
    expect(invalid({ "retention.ms": "abc" })).toBe("Invalid value abc for configuration retention.ms: Not a number of type LONG");
    expect(invalid({ "segment.bytes": "1e6" })).toBe("Invalid value 1e6 for configuration segment.bytes: Not a number of type INT");
    expect(invalid({ "min.cleanable.dirty.ratio": "half" })).toBe(
      "Invalid value half for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE",
    );
  });

  it("validateTopicConfigs() refuses an unknown key", () => {
    expect(invalid({ foo: "1" })).toBe("Unknown topic config name: foo");
    expect(invalid({ "log.retention.ms": "1" })).toBe("Unknown topic config name: log.retention.ms");
  });

  it("validateTopicConfigs() enforces ranges", () => {
    expect(invalid({ "retention.ms": "-2" })).toBe("Invalid value -2 for configuration retention.ms: Value must be at least -1");
    expect(invalid({ "segment.bytes": "13" })).toContain("Value must be at least 14");
    expect(invalid({ "segment.ms": "0" })).toContain("Value must be at least 1");
    expect(invalid({ "min.insync.replicas": "0" })).toContain("Value must be at least 1");
    expect(invalid({ "flush.messages": "0" })).toContain("Value must be at least 1");
    expect(invalid({ "min.cleanable.dirty.ratio": "1.01" })).toContain("Value must be no more than 1");
    expect(invalid({ "min.cleanable.dirty.ratio": "-0.1" })).toContain("Value must be at least 0");
    expect(invalid({ "compression.gzip.level": "0" })).toContain("Value must be between 1 and 9, or -1");
    expect(validateTopicConfigs({ "retention.ms": "-1", "retention.bytes": "-1", "segment.bytes": "14" })).toBeTruthy();
  });

  it("validateTopicConfigs() checks cleanup.policy, message.timestamp.type and compression.type against their sets", () => {
    expect(invalid({ "cleanup.policy": "compact,shrink" })).toBe(
      "Invalid value compact,shrink for configuration cleanup.policy: String must be one of: compact, delete",
    );
    expect(invalid({ "cleanup.policy": "" })).toContain("List must not be empty");
    expect(invalid({ "cleanup.policy": "compact,,delete" })).toContain("String must be one of");
    expect(invalid({ "message.timestamp.type": "BrokerTime" })).toBe(
      "Invalid value BrokerTime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime",
    );
    expect(invalid({ "compression.type": "lz4" })).toBe(
      "Invalid value lz4 for configuration compression.type: String must be one of: uncompressed, gzip, producer",
    );
    expect(validateTopicConfigs({ "compression.type": "gzip", "message.timestamp.type": "LogAppendTime" })).toBeTruthy();
  });

  it("validateTopicConfigs() checks booleans", () => {
    expect(invalid({ "unclean.leader.election.enable": "1" })).toBe(
      "Invalid value 1 for configuration unclean.leader.election.enable: Expected value to be either true or false",
    );
    expect(validateTopicConfigs({ preallocate: "TRUE" })).toEqual({ preallocate: "TRUE" });
  });

  it("validateTopicConfigs() refuses a minimum compaction lag above the maximum", () => {
    expect(invalid({ "min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5" })).toBe(
      "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)",
    );
  });

  it("validateTopicConfigs() accepts numbers and booleans given as such, and refuses other values", () => {
    expect(validateTopicConfigs({ "retention.ms": 5 as unknown as string })).toEqual({ "retention.ms": "5" });
    expect(invalid({ "retention.ms": null })).toBe("Invalid value null for configuration retention.ms: Value must be a string");
  });

  it("validateTopicConfigs() keeps its messages on one line", () => {
    expect(invalid({ "retention.ms": "1\n2" })).toBe("Invalid value 1\\n2 for configuration retention.ms: Not a number of type LONG");
    expect(invalid({ "a\nb": "1" })).toBe("Unknown topic config name: a\\nb");
  });
});

describe("resolveLogConfig()", () => {
  it("resolveLogConfig() puts the overrides on top of the broker defaults", () => {
    const broker: LogConfig = { ...defaultLogConfig, retentionMs: 1000, segmentBytes: 2048 };
    const config = resolveLogConfig(
      {
        "segment.bytes": "4096",
        "segment.ms": "60000",
        "segment.index.bytes": "800",
        "index.interval.bytes": "10",
        "retention.bytes": "100000",
        "cleanup.policy": "compact,delete,compact",
        "delete.retention.ms": "1",
        "min.compaction.lag.ms": "2",
        "min.cleanable.dirty.ratio": "0.1",
        "max.message.bytes": "500",
        "message.timestamp.type": "LogAppendTime",
        "flush.messages": "1",
        "flush.ms": "9223372036854775807",
        "min.insync.replicas": "2",
        "file.delete.delay.ms": "0",
        "unclean.leader.election.enable": "true",
        preallocate: "true",
      },
      broker,
    );
    expect(config).toEqual({
      segmentBytes: 4096,
      segmentMs: 60_000,
      segmentIndexBytes: 800,
      indexIntervalBytes: 10,
      retentionMs: 1000,
      retentionBytes: 100_000,
      cleanupPolicy: ["compact", "delete"],
      deleteRetentionMs: 1,
      minCompactionLagMs: 2,
      minCleanableDirtyRatio: 0.1,
      maxMessageBytes: 500,
      messageTimestampType: "LogAppendTime",
      flushMessages: 1,
      flushMs: Number.MAX_SAFE_INTEGER,
      minInsyncReplicas: 2,
      fileDeleteDelayMs: 0,
      uncleanLeaderElectionEnable: true,
    });
  });

  it("resolveLogConfig() leaves the broker defaults untouched", () => {
    const broker: LogConfig = { ...defaultLogConfig, cleanupPolicy: ["delete"] };
    const config = resolveLogConfig({ "retention.ms": "5" }, broker);
    config.cleanupPolicy.push("compact");
    expect(broker).toEqual(defaultLogConfig);
  });

  it("resolveLogConfig() refuses a bad override", () => {
    expect(() => resolveLogConfig({ "retention.ms": "x" }, defaultLogConfig)).toThrow(/retention\.ms/);
  });
});

describe("describeTopicConfigs()", () => {
  it("describeTopicConfigs() tells each value's source, in name order", () => {
    const { config } = parseBrokerConfig({ "log.retention.hours": "168", "log.segment.bytes": "1048576" });
    const entries = describeTopicConfigs({ "cleanup.policy": "compact" }, config);
    expect(entries.map((e) => e.name)).toEqual(TOPIC_CONFIG_KEYS.map((k) => k.name));
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get("cleanup.policy")).toEqual({
      name: "cleanup.policy",
      value: "compact",
      source: "DYNAMIC_TOPIC_CONFIG",
      isDefault: false,
      readOnly: false,
      sensitive: false,
    });
    expect(byName.get("retention.ms")).toMatchObject({
      value: "604800000",
      source: "STATIC_BROKER_CONFIG",
      isDefault: false,
      synonym: "log.retention.hours",
    });
    expect(byName.get("segment.bytes")).toMatchObject({ value: "1048576", source: "STATIC_BROKER_CONFIG" });
    expect(byName.get("flush.messages")).toMatchObject({ value: "9223372036854775807", source: "DEFAULT_CONFIG", isDefault: true });
    expect(byName.get("max.message.bytes")).toMatchObject({ value: "1048588", source: "DEFAULT_CONFIG" });
  });

  it("brokerValueForTopicConfig() follows the synonyms' order and units", () => {
    const raw = new Map([
      ["log.retention.hours", "2"],
      ["log.retention.minutes", "3"],
      ["log.roll.hours", "1"],
      ["log.flush.scheduler.interval.ms", "50"],
    ]);
    expect(brokerValueForTopicConfig("retention.ms", raw)).toEqual({ value: "180000", synonym: "log.retention.minutes" });
    expect(brokerValueForTopicConfig("segment.ms", raw)).toEqual({ value: "3600000", synonym: "log.roll.hours" });
    expect(brokerValueForTopicConfig("flush.ms", raw)).toEqual({ value: "50", synonym: "log.flush.scheduler.interval.ms" });
    expect(brokerValueForTopicConfig("segment.bytes", raw)).toBeUndefined();
    expect(brokerValueForTopicConfig("nope", raw)).toBeUndefined();
  });
});
