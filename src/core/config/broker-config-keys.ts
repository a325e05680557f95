/**
 * The broker config keys edgelog reads, with Kafka's names, types and defaults, and the Kafka keys
 * it accepts without acting on them (thread counts, socket buffers, transactions) or ignores with a
 * warning (ZooKeeper, KRaft and JKS-keystore keys).
 *
 * Defaults that differ from Kafka's, on purpose:
 * - `log.dir` is "./data" (Kafka: "/tmp/kafka-logs", which a reboot may empty).
 * - `listeners` is "ws://:9092" (Kafka: "PLAINTEXT://:9092").
 * - `offsets.topic.replication.factor` is 1 (Kafka: 3, which a single broker can never satisfy).
 * - `log.segment.bytes` accepts 14 bytes and up (Kafka 3.x's rule; Kafka 4 asks for 1 MiB).
 * - `compression.type` accepts uncompressed, gzip and producer only.
 *
 * Keys of edgelog's own: `controller.etcd.endpoints`, `edgelog.cluster.id`, `ssl.certificate.location` and
 * `ssl.key.location` (PEM files for wss://, named as librdkafka names them), and `edgelog.*` limits
 * for which Kafka has no key.
 *
 * @example
 * ```ts
 * brokerConfigKey("num.partitions")?.default; // "1"
 * ```
 * @module
 */
import { TOPIC_CONFIG_KEYS } from "../topic/topic-config.ts";
import type { ConfigKey } from "./config-def.ts";

const INT_MAX_TEXT = "2147483647";

function k(name: string, type: ConfigKey["type"], defaultText: string | null, doc: string, more: Partial<ConfigKey> = {}): ConfigKey {
  return { name, type, default: defaultText, doc, ...more };
}

/** The broker keys that supply topic defaults, with the topic key's validation and Kafka's broker defaults. */
function topicSynonymKeys(): ConfigKey[] {
  const overrides: Record<string, Partial<ConfigKey> & { default?: string | null; type?: ConfigKey["type"] }> = {
    "log.retention.ms": { default: null, min: undefined },
    "log.retention.minutes": { type: "int", default: null, min: undefined },
    "log.retention.hours": { type: "int", default: "168", min: undefined },
    "log.roll.ms": { default: null },
    "log.roll.hours": { type: "int", default: "168", min: 1 },
    "log.roll.jitter.ms": { default: null },
    "log.roll.jitter.hours": { type: "int", default: "0", min: 0 },
    "log.flush.interval.ms": { default: null },
  };
  const keys: ConfigKey[] = [];
  for (const topicKey of TOPIC_CONFIG_KEYS) {
    for (const synonym of topicKey.brokerSynonyms) {
      const { brokerSynonyms: _s, field: _f, ...base } = topicKey;
      keys.push({ ...base, name: synonym.name, doc: `Default of the topic config ${topicKey.name}: ${topicKey.doc}`, ...overrides[synonym.name] });
    }
  }
  return keys;
}

/**
 * Every broker key edgelog reads.
 *
 * @example
 * ```ts
 * BROKER_CONFIG_KEYS.find((k) => k.name === "log.dir")?.default; // "./data"
 * ```
 */
export const BROKER_CONFIG_KEYS: readonly ConfigKey[] = [
  k("broker.id", "int", "-1", "This broker's id, unique in the cluster; -1 lets edgelog choose 0", { min: -1 }),
  k("node.id", "int", "-1", "KRaft's name for broker.id; when both are set they must match", { min: -1 }),
  k("listeners", "list", "ws://:9092", "Where the broker listens: ws://host:port or wss://host:port, comma separated (Kafka's PLAINTEXT:// and SSL:// map to ws:// and wss://)"),
  k("advertised.listeners", "list", null, "The addresses clients are told to use; defaults to listeners"),
  k("log.dirs", "list", null, "Directories that hold the partition logs, comma separated; defaults to log.dir"),
  k("log.dir", "string", "./data", "The log directory when log.dirs is not set (Kafka's default is /tmp/kafka-logs)"),
  k("num.partitions", "int", "1", "Partitions of a topic created without a count", { min: 1 }),
  k("default.replication.factor", "int", "1", "Replication factor of a topic created without one", { min: 1 }),
  k("auto.create.topics.enable", "boolean", "true", "Create a topic on first produce or metadata request for it"),
  k("delete.topic.enable", "boolean", "true", "Allow topics to be deleted"),
  k("log.retention.check.interval.ms", "long", "300000", "How often retention runs", { min: 1 }),
  k("log.flush.offset.checkpoint.interval.ms", "int", "60000", "How often the recovery point checkpoint is written", { min: 0 }),
  k("log.flush.start.offset.checkpoint.interval.ms", "int", "60000", "How often the log start offset checkpoint is written", { min: 0 }),
  k("log.cleaner.enable", "boolean", "true", "Run compaction for topics whose cleanup.policy includes compact"),
  k("log.cleaner.backoff.ms", "long", "15000", "How long compaction sleeps when no log needs it", { min: 0 }),
  ...topicSynonymKeys(),
  k("socket.request.max.bytes", "int", "104857600", "The largest request frame the broker accepts", { min: 1 }),
  k("max.connections", "int", INT_MAX_TEXT, "The most client connections the broker accepts at once", { min: 0 }),
  k("connections.max.idle.ms", "long", "600000", "Close a connection idle for this long"),
  k("offsets.topic.num.partitions", "int", "50", "Partitions of __consumer_offsets", { min: 1 }),
  k("offsets.topic.replication.factor", "int", "1", "Replication factor of __consumer_offsets (Kafka's default is 3)", { min: 1, max: 32767 }),
  k("offsets.retention.minutes", "int", "10080", "How long the committed offsets of an empty group are kept", { min: 1 }),
  k("offsets.retention.check.interval.ms", "long", "600000", "How often expired offsets are removed", { min: 1 }),
  k("group.initial.rebalance.delay.ms", "int", "3000", "How long a new group waits for more members before its first rebalance"),
  k("group.min.session.timeout.ms", "int", "6000", "The shortest session timeout a consumer may ask for"),
  k("group.max.session.timeout.ms", "int", "1800000", "The longest session timeout a consumer may ask for"),
  k("group.max.size", "int", INT_MAX_TEXT, "The most members one consumer group may have", { min: 1 }),
  k("replica.lag.time.max.ms", "long", "30000", "A follower that has not caught up for this long leaves the ISR"),
  k("replica.fetch.max.bytes", "int", "1048576", "Bytes a follower asks for per partition and fetch (one batch is always sent whole)", { min: 1 }),
  k("replica.fetch.wait.max.ms", "int", "500", "How long a leader holds a follower's fetch that has nothing new; less than replica.lag.time.max.ms", { min: 0 }),
  k("replica.fetch.backoff.ms", "int", "1000", "How long a follower pauses after a failed fetch", { min: 0 }),
  k("edgelog.replica.fetch.leader.backoff.ms", "int", "50", "How long a follower first pauses when its new leader has not yet taken up the leadership; doubles on each repeat up to replica.fetch.backoff.ms (edgelog's key)", { min: 0 }),
  k("replica.high.watermark.checkpoint.interval.ms", "long", "5000", "How often the high watermarks are written to replication-offset-checkpoint", { min: 1 }),
  k("broker.session.timeout.ms", "int", "9000", "A broker whose cluster session (an etcd lease, whole seconds) is not renewed for this long is dead to the cluster", { min: 1 }),
  k("controller.etcd.endpoints", "list", "", "etcd endpoints that hold cluster metadata; empty runs a single broker (edgelog's key)"),
  k("edgelog.cluster.id", "string", "edgelog", "The cluster's name, shared by its brokers: the prefix /edgelog/<id>/ of its keys in etcd and the clusterId clients see"),
  k("ssl.certificate.location", "string", null, "PEM certificate chain served on wss:// listeners (edgelog's key, librdkafka's name)"),
  k("ssl.key.location", "string", null, "PEM private key of ssl.certificate.location (edgelog's key, librdkafka's name)"),
  k("edgelog.max.partitions", "int", "100000", "The most partitions this broker holds, over all topics", { min: 1 }),
  k("edgelog.max.subscriptions.per.connection", "int", "1000", "The most subscriptions one WebSocket connection may hold", { min: 1 }),
  k("edgelog.max.in.flight.requests.per.connection", "int", "1000", "The most requests one WebSocket connection may have unanswered", { min: 1 }),
  k("edgelog.websocket.ping.interval.ms", "long", "30000", "How often the broker pings an idle WebSocket; 0 never", { min: 0 }),
];

const BY_NAME: ReadonlyMap<string, ConfigKey> = new Map(BROKER_CONFIG_KEYS.map((key) => [key.name, key]));

/**
 * The definition of one broker key edgelog reads, or undefined.
 *
 * @example
 * ```ts
 * brokerConfigKey("log.segment.bytes")?.type; // "int"
 * ```
 */
export function brokerConfigKey(name: string): ConfigKey | undefined {
  return BY_NAME.get(name);
}

/**
 * Kafka keys that tune what edgelog does not have (threads, socket buffers, transactions): accepted quietly.
 *
 * @example
 * ```ts
 * ACCEPTED_KAFKA_KEYS.has("num.io.threads"); // true
 * ```
 */
export const ACCEPTED_KAFKA_KEYS: ReadonlySet<string> = new Set([
  "num.network.threads",
  "num.io.threads",
  "num.replica.fetchers",
  "num.recovery.threads.per.data.dir",
  "background.threads",
  "queued.max.requests",
  "socket.send.buffer.bytes",
  "socket.receive.buffer.bytes",
  "socket.listen.backlog.size",
  "transaction.state.log.replication.factor",
  "transaction.state.log.min.isr",
  "transaction.state.log.num.partitions",
  "transaction.state.log.segment.bytes",
  "transactional.id.expiration.ms",
  "log.cleaner.threads",
  "log.cleaner.dedupe.buffer.size",
  "log.cleaner.io.buffer.size",
  "log.cleaner.io.max.bytes.per.second",
  "replica.socket.timeout.ms",
  "offsets.topic.segment.bytes",
  "offsets.load.buffer.size",
  "offsets.commit.timeout.ms",
  "listener.security.protocol.map",
  "inter.broker.listener.name",
  "security.inter.broker.protocol",
]);

/**
 * The warning for a Kafka key edgelog ignores on purpose, or undefined for a key it does not know.
 *
 * @example
 * ```ts
 * ignoredKeyWarning("zookeeper.connect");
 * // "Ignoring zookeeper.connect: ZooKeeper-era key; edgelog keeps cluster metadata in etcd (controller.etcd.endpoints)"
 * ```
 */
export function ignoredKeyWarning(name: string): string | undefined {
  if (name.startsWith("zookeeper.")) {
    return `Ignoring ${name}: ZooKeeper-era key; edgelog keeps cluster metadata in etcd (controller.etcd.endpoints)`;
  }
  if (["port", "host.name", "advertised.port", "advertised.host.name"].includes(name)) {
    return `Ignoring ${name}: ZooKeeper-era key removed in Kafka 3.0; use listeners and advertised.listeners`;
  }
  if (["broker.id.generation.enable", "reserved.broker.max.id", "inter.broker.protocol.version", "log.message.format.version"].includes(name)) {
    return `Ignoring ${name}: ZooKeeper-era key with no meaning in edgelog`;
  }
  if (name === "process.roles" || name.startsWith("controller.quorum.") || name === "controller.listener.names" || name === "metadata.log.dir") {
    return `Ignoring ${name}: edgelog has no KRaft controller; cluster metadata lives in etcd (controller.etcd.endpoints)`;
  }
  if (name.startsWith("ssl.") || name.startsWith("sasl.")) {
    return `Ignoring ${name}: edgelog serves wss:// from the PEM files in ssl.certificate.location and ssl.key.location`;
  }
  return undefined;
}

