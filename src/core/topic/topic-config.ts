/**
 * Topic-level config keys with Kafka's names, types, defaults and validation, the broker keys that
 * supply each one's default (Kafka's `ServerTopicConfigSynonyms`), and their resolution into the
 * {@link LogConfig} a partition log runs with.
 *
 * Where edgelog differs from Kafka:
 * - `segment.bytes` accepts 14 bytes and up (Kafka 3.x's rule); Kafka 4 asks for at least 1 MiB.
 *   Small segments suit small devices and tests.
 * - `compression.type` accepts only `uncompressed`, `gzip` and `producer`: edgelog has no lz4,
 *   snappy or zstd codec, so it refuses to promise them.
 * - Keys the log does not act on yet (`preallocate`, `segment.jitter.ms`, `max.compaction.lag.ms`,
 *   `message.timestamp.before.max.ms`, `message.timestamp.after.max.ms`, the compression keys) are
 *   accepted, validated, stored and described, like Kafka's, but have no {@link TopicConfigKey.field}.
 *
 * @example
 * ```ts
 * const overrides = validateTopicConfigs({ "retention.ms": "60000", "cleanup.policy": "compact" });
 * const config = resolveLogConfig(overrides, defaultLogConfig);
 * config.retentionMs; // 60000
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import type { LogConfig } from "../log/log-config.ts";
import {
  invalidConfig,
  LONG_MAX_TEXT,
  oneLine,
  parseConfigValue,
  type ConfigKey,
  type ConfigValue,
} from "../config/config-def.ts";

/**
 * A broker key that supplies a topic key's default, and the unit its value is in.
 *
 * @example
 * ```ts
 * const synonym: BrokerSynonym = { name: "log.retention.hours", unit: "hours" };
 * ```
 */
export interface BrokerSynonym {
  name: string;
  /** The broker key counts hours or minutes; the topic key counts milliseconds. */
  unit?: "hours" | "minutes";
}

/**
 * One topic-level config key.
 *
 * @example
 * ```ts
 * topicConfigKey("segment.bytes"); // { name: "segment.bytes", type: "int", field: "segmentBytes", ... }
 * ```
 */
export interface TopicConfigKey extends ConfigKey {
  /** Broker keys supplying the default, highest priority first. */
  brokerSynonyms: readonly BrokerSynonym[];
  /** The {@link LogConfig} field this key sets, when the log acts on it. */
  field?: keyof LogConfig;
}

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;

function key(
  name: string,
  type: ConfigKey["type"],
  defaultText: string,
  doc: string,
  brokerSynonyms: readonly (string | BrokerSynonym)[],
  more: Partial<TopicConfigKey> = {},
): TopicConfigKey {
  return {
    name,
    type,
    default: defaultText,
    doc,
    brokerSynonyms: brokerSynonyms.map((s) => (typeof s === "string" ? { name: s } : s)),
    ...more,
  };
}

function gzipLevel(value: ConfigValue): string | undefined {
  const n = value as number;
  return n === -1 || (n >= 1 && n <= 9) ? undefined : "Value must be between 1 and 9, or -1 for the codec's default";
}

/**
 * Every topic-level key, in name order (the order Kafka describes them in).
 *
 * @example
 * ```ts
 * TOPIC_CONFIG_KEYS.map((k) => k.name); // ["cleanup.policy", "compression.gzip.level", ...]
 * ```
 */
export const TOPIC_CONFIG_KEYS: readonly TopicConfigKey[] = [
  key("cleanup.policy", "list", "delete", "What happens to old segments: delete them, compact them by key, or both",
    ["log.cleanup.policy"], { values: ["compact", "delete"], field: "cleanupPolicy", check: (v) => ((v as string[]).length === 0 ? "List must not be empty" : undefined) }),
  key("compression.gzip.level", "int", "-1", "The gzip level used when compression.type is gzip",
    ["compression.gzip.level"], { check: gzipLevel }),
  key("compression.lz4.level", "int", "9", "The lz4 level used when compression.type is lz4 (edgelog has no lz4 codec)",
    ["compression.lz4.level"], { min: 1, max: 17 }),
  key("compression.type", "enum", "producer", "How stored batches are compressed: as the producer sent them, or recompressed",
    ["compression.type"], { values: ["uncompressed", "gzip", "producer"] }),
  key("compression.zstd.level", "int", "3", "The zstd level used when compression.type is zstd (edgelog has no zstd codec)",
    ["compression.zstd.level"], { min: -131072, max: 22 }),
  key("delete.retention.ms", "long", "86400000", "How long tombstones stay readable in a compacted topic",
    ["log.cleaner.delete.retention.ms"], { min: 0, field: "deleteRetentionMs" }),
  key("file.delete.delay.ms", "long", "60000", "How long a deleted segment's files linger before removal",
    ["log.segment.delete.delay.ms"], { min: 0, field: "fileDeleteDelayMs" }),
  key("flush.messages", "long", LONG_MAX_TEXT, "Force an fsync after this many records (the default leaves it to the OS)",
    ["log.flush.interval.messages"], { min: 1, field: "flushMessages" }),
  key("flush.ms", "long", LONG_MAX_TEXT, "Force an fsync when unsynced records are this old (the default leaves it to the OS)",
    ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"], { min: 0, field: "flushMs" }),
  key("index.interval.bytes", "int", "4096", "Bytes of log between two entries of the offset index",
    ["log.index.interval.bytes"], { min: 0, field: "indexIntervalBytes" }),
  key("max.compaction.lag.ms", "long", LONG_MAX_TEXT, "The longest a record may stay uncompacted",
    ["log.cleaner.max.compaction.lag.ms"], { min: 1 }),
  key("max.message.bytes", "int", "1048588", "The largest record batch the topic accepts",
    ["message.max.bytes"], { min: 0, field: "maxMessageBytes" }),
  key("message.timestamp.after.max.ms", "long", LONG_MAX_TEXT, "How far ahead of the broker's clock a CreateTime timestamp may be",
    ["log.message.timestamp.after.max.ms"], { min: 0 }),
  key("message.timestamp.before.max.ms", "long", LONG_MAX_TEXT, "How far behind the broker's clock a CreateTime timestamp may be",
    ["log.message.timestamp.before.max.ms"], { min: 0 }),
  key("message.timestamp.type", "enum", "CreateTime", "Keep the producer's timestamp or stamp the broker's append time",
    ["log.message.timestamp.type"], { values: ["CreateTime", "LogAppendTime"], field: "messageTimestampType" }),
  key("min.cleanable.dirty.ratio", "double", "0.5", "Compact once this share of the log is uncompacted",
    ["log.cleaner.min.cleanable.ratio"], { min: 0, max: 1, field: "minCleanableDirtyRatio" }),
  key("min.compaction.lag.ms", "long", "0", "Records younger than this are not compacted",
    ["log.cleaner.min.compaction.lag.ms"], { min: 0, field: "minCompactionLagMs" }),
  key("min.insync.replicas", "int", "1", "With acks=all, the fewest in-sync replicas that must have a write",
    ["min.insync.replicas"], { min: 1, field: "minInsyncReplicas" }),
  key("preallocate", "boolean", "false", "Preallocate a new segment's file at its full size",
    ["log.preallocate"]),
  key("retention.bytes", "long", "-1", "Delete the oldest segments while a partition is larger than this; -1 means no limit",
    ["log.retention.bytes"], { field: "retentionBytes" }),
  key("retention.ms", "long", "604800000", "Delete segments whose newest record is older than this; -1 keeps them forever",
    ["log.retention.ms", { name: "log.retention.minutes", unit: "minutes" }, { name: "log.retention.hours", unit: "hours" }],
    { min: -1, field: "retentionMs" }),
  key("segment.bytes", "int", "1073741824", "Roll to a new segment when the active one would pass this size",
    ["log.segment.bytes"], { min: 14, field: "segmentBytes" }),
  key("segment.index.bytes", "int", "10485760", "The largest offset index of a segment",
    ["log.index.size.max.bytes"], { min: 4, field: "segmentIndexBytes" }),
  key("segment.jitter.ms", "long", "0", "The most random time subtracted from segment.ms",
    ["log.roll.jitter.ms", { name: "log.roll.jitter.hours", unit: "hours" }], { min: 0 }),
  key("segment.ms", "long", "604800000", "Roll to a new segment once the active one's first record is this old",
    ["log.roll.ms", { name: "log.roll.hours", unit: "hours" }], { min: 1, field: "segmentMs" }),
  key("unclean.leader.election.enable", "boolean", "false", "Let an out-of-sync replica become leader, at the cost of losing records",
    ["unclean.leader.election.enable"], { field: "uncleanLeaderElectionEnable" }),
];

const BY_NAME: ReadonlyMap<string, TopicConfigKey> = new Map(TOPIC_CONFIG_KEYS.map((k) => [k.name, k]));

/**
 * The definition of one topic-level key, or undefined for an unknown name.
 *
 * @example
 * ```ts
 * topicConfigKey("retention.ms")?.brokerSynonyms[0]?.name; // "log.retention.ms"
 * ```
 */
export function topicConfigKey(name: string): TopicConfigKey | undefined {
  return BY_NAME.get(name);
}

/**
 * Checks topic-level overrides: every name known, every value of its type and in range. Returns the
 * overrides with values trimmed; throws `INVALID_CONFIG` naming the first bad key.
 *
 * @example
 * ```ts
 * validateTopicConfigs({ "retention.ms": " 1000 " }); // { "retention.ms": "1000" }
 * validateTopicConfigs({ "retention.ms": "abc" });
 * // throws "Invalid value abc for configuration retention.ms: Not a number of type LONG"
 * validateTopicConfigs({ foo: "1" }); // throws "Unknown topic config name: foo"
 * ```
 */
export function validateTopicConfigs(configs: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  const parsed = new Map<string, ConfigValue>();
  for (const [name, raw] of Object.entries(configs)) {
    const def = BY_NAME.get(name);
    if (!def) {
      throw new EdgelogError("INVALID_CONFIG", `Unknown topic config name: ${oneLine(name)}`, { details: { config: name } });
    }
    const text = configText(name, raw);
    parsed.set(name, parseConfigValue(def, text));
    result[name] = text.trim();
  }
  const minLag = (parsed.get("min.compaction.lag.ms") ?? 0) as number;
  const maxLag = (parsed.get("max.compaction.lag.ms") ?? Number.MAX_SAFE_INTEGER) as number;
  if (minLag > maxLag) {
    throw new EdgelogError(
      "INVALID_CONFIG",
      `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`,
      { details: { config: "min.compaction.lag.ms" } },
    );
  }
  return result;
}

/**
 * The settings a topic's partitions run with: the broker's defaults with the topic's overrides on
 * top. Throws `INVALID_CONFIG` for an unknown or bad override.
 *
 * @example
 * ```ts
 * resolveLogConfig({ "segment.bytes": "1048576", "flush.messages": "1" }, defaultLogConfig);
 * // { ...defaultLogConfig, segmentBytes: 1048576, flushMessages: 1 }
 * ```
 */
export function resolveLogConfig(topicOverrides: Readonly<Record<string, string>>, brokerDefaults: Readonly<LogConfig>): LogConfig {
  const config: LogConfig = { ...brokerDefaults, cleanupPolicy: [...brokerDefaults.cleanupPolicy] };
  const valid = validateTopicConfigs(topicOverrides);
  for (const [name, text] of Object.entries(valid)) {
    const def = BY_NAME.get(name)!;
    if (def.field) setField(config, def.field, parseConfigValue(def, text));
  }
  return config;
}

/**
 * Sets one {@link LogConfig} field from a parsed value (lists of cleanup policies deduplicated).
 *
 * @example
 * ```ts
 * setField(config, "cleanupPolicy", ["compact", "delete", "compact"]); // ["compact", "delete"]
 * ```
 */
export function setField(config: LogConfig, field: keyof LogConfig, value: ConfigValue): void {
  const target = config as unknown as Record<string, unknown>;
  target[field] = Array.isArray(value) ? [...new Set(value)] : value;
}

/**
 * The value a broker config gives a topic key, as Kafka would print it, and the broker key it came
 * from: the first synonym present in `raw`, converted from hours or minutes to milliseconds (a
 * negative retention becomes -1, as Kafka's broker reads it). Undefined when the broker sets none.
 *
 * @example
 * ```ts
 * brokerValueForTopicConfig("retention.ms", new Map([["log.retention.hours", "1"]]));
 * // { value: "3600000", synonym: "log.retention.hours" }
 * ```
 */
export function brokerValueForTopicConfig(
  name: string,
  raw: ReadonlyMap<string, string>,
): { value: string; synonym: string } | undefined {
  const def = BY_NAME.get(name);
  if (!def) return undefined;
  for (const synonym of def.brokerSynonyms) {
    const text = raw.get(synonym.name);
    if (text === undefined) continue;
    const trimmed = text.trim();
    if (!synonym.unit && name !== "retention.ms") return { value: trimmed, synonym: synonym.name };
    if (!/^[+-]?\d+$/.test(trimmed)) return { value: trimmed, synonym: synonym.name };
    const factor = synonym.unit === "hours" ? MS_PER_HOUR : synonym.unit === "minutes" ? MS_PER_MINUTE : 1;
    let ms = Number(trimmed) * factor;
    if (name === "retention.ms" && ms < 0) ms = -1;
    if (ms > Number.MAX_SAFE_INTEGER) return { value: LONG_MAX_TEXT, synonym: synonym.name };
    return { value: String(ms), synonym: synonym.name };
  }
  return undefined;
}

/**
 * Where a described config value comes from, as Kafka's DescribeConfigs names it.
 *
 * @example
 * ```ts
 * const source: ConfigSource = "DYNAMIC_TOPIC_CONFIG";
 * ```
 */
export type ConfigSource = "DYNAMIC_TOPIC_CONFIG" | "STATIC_BROKER_CONFIG" | "DEFAULT_CONFIG";

/**
 * One line of {@link describeTopicConfigs}.
 *
 * @example
 * ```ts
 * const entry: TopicConfigEntry = { name: "retention.ms", value: "1000", source: "DYNAMIC_TOPIC_CONFIG", isDefault: false, readOnly: false, sensitive: false };
 * ```
 */
export interface TopicConfigEntry {
  name: string;
  value: string;
  source: ConfigSource;
  isDefault: boolean;
  readOnly: boolean;
  sensitive: boolean;
  /** The broker key the value came from, for STATIC_BROKER_CONFIG. */
  synonym?: string;
}

/**
 * Every topic-level key with its effective value and where it comes from, in name order, as Kafka's
 * DescribeConfigs answers for a topic: the topic's override (DYNAMIC_TOPIC_CONFIG), else the broker's
 * configured synonym (STATIC_BROKER_CONFIG), else Kafka's default (DEFAULT_CONFIG).
 *
 * @example
 * ```ts
 * const entries = describeTopicConfigs({ "retention.ms": "1000" }, { raw: new Map([["log.segment.bytes", "1048576"]]) });
 * entries.find((e) => e.name === "segment.bytes"); // { value: "1048576", source: "STATIC_BROKER_CONFIG", ... }
 * ```
 */
export function describeTopicConfigs(
  overrides: Readonly<Record<string, string>>,
  brokerConfig: { readonly raw: ReadonlyMap<string, string> },
): TopicConfigEntry[] {
  return TOPIC_CONFIG_KEYS.map((def): TopicConfigEntry => {
    const base = { name: def.name, readOnly: false, sensitive: false };
    const own = overrides[def.name];
    if (own !== undefined) return { ...base, value: own, source: "DYNAMIC_TOPIC_CONFIG", isDefault: false };
    const broker = brokerValueForTopicConfig(def.name, brokerConfig.raw);
    if (broker) return { ...base, value: broker.value, source: "STATIC_BROKER_CONFIG", isDefault: false, synonym: broker.synonym };
    return { ...base, value: def.default ?? "", source: "DEFAULT_CONFIG", isDefault: true };
  });
}

function configText(name: string, raw: unknown): string {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  throw invalidConfig(name, String(raw), "Value must be a string");
}
