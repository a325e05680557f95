/**
 * The broker's configuration, read from Kafka's keys (a `server.properties` file parsed with
 * {@link parseProperties}, plus command-line overrides) into a typed {@link BrokerConfig}.
 *
 * - Keys edgelog reads are validated like Kafka validates them; a bad value throws `INVALID_CONFIG`
 *   with a one-line message naming the key and value:
 *   "Invalid value abc for configuration num.partitions: Not a number of type INT".
 * - Unknown keys, and Kafka keys edgelog ignores on purpose (ZooKeeper, KRaft, JKS keystores), give a
 *   warning line each, not an error. Kafka's tuning keys with no meaning here (thread counts, socket
 *   buffers, transaction log settings) are accepted quietly.
 * - `log.retention.ms` wins over `log.retention.minutes`, which wins over `log.retention.hours`, and
 *   `log.roll.ms` over `log.roll.hours`, as in Kafka.
 * - Listeners are `ws://host:port` or `wss://host:port`; Kafka's `PLAINTEXT://` and `SSL://` are read
 *   as `ws://` and `wss://` with a warning. An empty host means every interface.
 *
 * See `broker-config-keys.ts` for the keys and where edgelog's defaults differ from Kafka's.
 *
 * @example
 * ```ts
 * const { config, warnings } = parseBrokerConfig(parseProperties(text), { overrides: { "broker.id": "2" } });
 * config.logDirs; // ["./data"]
 * for (const line of warnings) console.warn(line);
 * const defaults = brokerLogDefaults(config); // what every topic inherits
 * ```
 * @module
 */
import type { CleanupPolicy, LogConfig } from "../log/log-config.ts";
import { defaultLogConfig } from "../log/log-config.ts";
import { brokerValueForTopicConfig, setField, TOPIC_CONFIG_KEYS } from "../topic/topic-config.ts";
import { ACCEPTED_KAFKA_KEYS, brokerConfigKey, ignoredKeyWarning } from "./broker-config-keys.ts";
import { invalidConfig, oneLine, parseConfigValue, type ConfigValue } from "./config-def.ts";
import { EdgelogError } from "../errors.ts";

/**
 * One address the broker listens on or advertises.
 *
 * @example
 * ```ts
 * const listener: Listener = { scheme: "ws", host: "", port: 9092, url: "ws://:9092" };
 * ```
 */
export interface Listener {
  scheme: "ws" | "wss";
  /** Host name or address ("" for every interface); an IPv6 address without brackets. */
  host: string;
  /** 0 asks the runtime for a free port. */
  port: number;
  /** The listener as a URL, e.g. "ws://:9092" or "wss://[::1]:9093". */
  url: string;
}

/**
 * The broker's settings, typed, with the entries they were read from in `raw`.
 *
 * @example
 * ```ts
 * const { config } = parseBrokerConfig({ "log.dirs": "/var/edgelog" });
 * config.logDirs; // ["/var/edgelog"]
 * config.raw.get("log.dirs"); // "/var/edgelog"
 * ```
 */
export interface BrokerConfig {
  /** `broker.id` (or `node.id`); Kafka's -1 ("generate one") becomes 0. */
  brokerId: number;
  listeners: Listener[];
  /** `advertised.listeners`, or the listeners when not set. */
  advertisedListeners: Listener[];
  /** `log.dirs`, else `log.dir` (default "./data"). */
  logDirs: string[];
  numPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopicsEnable: boolean;
  deleteTopicEnable: boolean;
  /** From `log.retention.ms` / `.minutes` / `.hours`; -1 keeps logs forever. */
  logRetentionMs: number;
  logRetentionBytes: number;
  logSegmentBytes: number;
  /** From `log.roll.ms` / `log.roll.hours`. */
  logRollMs: number;
  logRetentionCheckIntervalMs: number;
  /** Number.MAX_SAFE_INTEGER (Kafka's Long.MAX_VALUE) leaves flushing to the OS. */
  logFlushIntervalMessages: number;
  /** From `log.flush.interval.ms`, else `log.flush.scheduler.interval.ms`. */
  logFlushIntervalMs: number;
  logFlushOffsetCheckpointIntervalMs: number;
  logFlushStartOffsetCheckpointIntervalMs: number;
  logCleanupPolicy: CleanupPolicy[];
  logCleanerEnable: boolean;
  logCleanerBackoffMs: number;
  messageMaxBytes: number;
  socketRequestMaxBytes: number;
  maxConnections: number;
  connectionsMaxIdleMs: number;
  minInsyncReplicas: number;
  offsetsTopicNumPartitions: number;
  offsetsTopicReplicationFactor: number;
  offsetsRetentionMinutes: number;
  offsetsRetentionCheckIntervalMs: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  groupMaxSize: number;
  uncleanLeaderElectionEnable: boolean;
  replicaLagTimeMaxMs: number;
  /** `replica.fetch.max.bytes`. */
  replicaFetchMaxBytes: number;
  /** `replica.fetch.wait.max.ms` (less than `replica.lag.time.max.ms`). */
  replicaFetchWaitMaxMs: number;
  /** `replica.fetch.backoff.ms`. */
  replicaFetchBackoffMs: number;
  /** `edgelog.replica.fetch.leader.backoff.ms`. */
  replicaFetchLeaderBackoffMs: number;
  /** `replica.high.watermark.checkpoint.interval.ms`. */
  replicaHighWatermarkCheckpointIntervalMs: number;
  /** `broker.session.timeout.ms` (Kafka KRaft's key): the lease of the broker's cluster registration. */
  brokerSessionTimeoutMs: number;
  /** `controller.etcd.endpoints`; empty runs a single broker. */
  controllerEtcdEndpoints: string[];
  /** `edgelog.cluster.id`: the cluster's name in etcd (`/edgelog/<id>/`), shared by its brokers. */
  clusterId: string;
  sslCertificateLocation: string | null;
  sslKeyLocation: string | null;
  /** `edgelog.max.partitions`. */
  maxPartitions: number;
  /** `edgelog.max.subscriptions.per.connection`. */
  maxSubscriptionsPerConnection: number;
  /** `edgelog.max.in.flight.requests.per.connection`. */
  maxInFlightRequestsPerConnection: number;
  /** `edgelog.websocket.ping.interval.ms`. */
  websocketPingIntervalMs: number;
  /** Every entry given (overrides applied), known or not, as strings. */
  raw: Map<string, string>;
}

/**
 * Options for {@link parseBrokerConfig}.
 *
 * @example
 * ```ts
 * parseBrokerConfig(fileEntries, { overrides: { "broker.id": "1" } });
 * ```
 */
export interface ParseBrokerConfigOptions {
  /** Entries that replace those of the file (the command line's `--override key=value`). */
  overrides?: Readonly<Record<string, string>>;
}

/**
 * Reads and validates broker config entries. Throws `INVALID_CONFIG` (one line, naming the key) for
 * a bad value; returns warnings for keys it ignores.
 *
 * @example
 * ```ts
 * const { config, warnings } = parseBrokerConfig({ "num.partitions": "3", "zookeeper.connect": "zk:2181" });
 * config.numPartitions; // 3
 * warnings.length; // 1
 * parseBrokerConfig({ "num.partitions": "abc" });
 * // throws "Invalid value abc for configuration num.partitions: Not a number of type INT"
 * ```
 */
export function parseBrokerConfig(
  entries: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
  options: ParseBrokerConfigOptions = {},
): { config: BrokerConfig; warnings: string[] } {
  const raw = new Map<string, string>();
  const pairs = entries instanceof Map ? [...entries] : Object.entries(entries);
  for (const [name, value] of [...pairs, ...Object.entries(options.overrides ?? {})]) {
    raw.set(String(name), typeof value === "string" ? value : String(value));
  }

  const warnings: string[] = [];
  const parsed = new Map<string, ConfigValue>();
  for (const [name, value] of raw) {
    const key = brokerConfigKey(name);
    if (key) parsed.set(name, parseConfigValue(key, value));
    else if (!ACCEPTED_KAFKA_KEYS.has(name)) warnings.push(oneLine(ignoredKeyWarning(name) ?? `Ignoring unknown configuration key ${name}`));
  }
  const get = <T extends ConfigValue | null>(name: string): T => {
    if (parsed.has(name)) return parsed.get(name) as T;
    const key = brokerConfigKey(name)!;
    return (key.default === null ? null : parseConfigValue(key, key.default)) as T;
  };

  checkTopicDefaults(raw);
  const listeners = parseListeners("listeners", get<string[]>("listeners"), warnings);
  if (listeners.length === 0) throw invalidConfig("listeners", raw.get("listeners") ?? "", "At least one listener is required");
  const advertised = raw.has("advertised.listeners")
    ? parseListeners("advertised.listeners", get<string[]>("advertised.listeners"), warnings)
    : listeners;
  for (const listener of advertised) {
    if (listener.host === "0.0.0.0" || listener.host === "::") {
      throw invalidConfig("advertised.listeners", raw.get("advertised.listeners") ?? "", `Cannot advertise the non-routable address ${listener.host}`);
    }
  }

  const config: BrokerConfig = {
    brokerId: brokerId(raw, get),
    listeners,
    advertisedListeners: advertised,
    logDirs: logDirs(raw, get),
    numPartitions: get("num.partitions"),
    defaultReplicationFactor: get("default.replication.factor"),
    autoCreateTopicsEnable: get("auto.create.topics.enable"),
    deleteTopicEnable: get("delete.topic.enable"),
    logRetentionMs: topicDefault(raw, "retention.ms"),
    logRetentionBytes: get("log.retention.bytes"),
    logSegmentBytes: get("log.segment.bytes"),
    logRollMs: topicDefault(raw, "segment.ms"),
    logRetentionCheckIntervalMs: get("log.retention.check.interval.ms"),
    logFlushIntervalMessages: get("log.flush.interval.messages"),
    logFlushIntervalMs: topicDefault(raw, "flush.ms"),
    logFlushOffsetCheckpointIntervalMs: get("log.flush.offset.checkpoint.interval.ms"),
    logFlushStartOffsetCheckpointIntervalMs: get("log.flush.start.offset.checkpoint.interval.ms"),
    logCleanupPolicy: [...new Set(get<string[]>("log.cleanup.policy"))] as CleanupPolicy[],
    logCleanerEnable: get("log.cleaner.enable"),
    logCleanerBackoffMs: get("log.cleaner.backoff.ms"),
    messageMaxBytes: get("message.max.bytes"),
    socketRequestMaxBytes: get("socket.request.max.bytes"),
    maxConnections: get("max.connections"),
    connectionsMaxIdleMs: get("connections.max.idle.ms"),
    minInsyncReplicas: get("min.insync.replicas"),
    offsetsTopicNumPartitions: get("offsets.topic.num.partitions"),
    offsetsTopicReplicationFactor: get("offsets.topic.replication.factor"),
    offsetsRetentionMinutes: get("offsets.retention.minutes"),
    offsetsRetentionCheckIntervalMs: get("offsets.retention.check.interval.ms"),
    groupInitialRebalanceDelayMs: get("group.initial.rebalance.delay.ms"),
    groupMinSessionTimeoutMs: get("group.min.session.timeout.ms"),
    groupMaxSessionTimeoutMs: get("group.max.session.timeout.ms"),
    groupMaxSize: get("group.max.size"),
    uncleanLeaderElectionEnable: get("unclean.leader.election.enable"),
    replicaLagTimeMaxMs: get("replica.lag.time.max.ms"),
    replicaFetchMaxBytes: get("replica.fetch.max.bytes"),
    replicaFetchWaitMaxMs: get("replica.fetch.wait.max.ms"),
    replicaFetchBackoffMs: get("replica.fetch.backoff.ms"),
    replicaFetchLeaderBackoffMs: get("edgelog.replica.fetch.leader.backoff.ms"),
    replicaHighWatermarkCheckpointIntervalMs: get("replica.high.watermark.checkpoint.interval.ms"),
    brokerSessionTimeoutMs: get("broker.session.timeout.ms"),
    controllerEtcdEndpoints: get<string[]>("controller.etcd.endpoints").filter((e) => e !== ""),
    clusterId: get("edgelog.cluster.id"),
    sslCertificateLocation: emptyToNull(get<string | null>("ssl.certificate.location")),
    sslKeyLocation: emptyToNull(get<string | null>("ssl.key.location")),
    maxPartitions: get("edgelog.max.partitions"),
    maxSubscriptionsPerConnection: get("edgelog.max.subscriptions.per.connection"),
    maxInFlightRequestsPerConnection: get("edgelog.max.in.flight.requests.per.connection"),
    websocketPingIntervalMs: get("edgelog.websocket.ping.interval.ms"),
    raw,
  };

  if (config.groupMinSessionTimeoutMs > config.groupMaxSessionTimeoutMs) {
    throw invalidConfig(
      "group.min.session.timeout.ms",
      String(config.groupMinSessionTimeoutMs),
      `Value must be no more than group.max.session.timeout.ms (${config.groupMaxSessionTimeoutMs})`,
    );
  }
  if (config.replicaFetchWaitMaxMs >= config.replicaLagTimeMaxMs) {
    throw invalidConfig(
      "replica.fetch.wait.max.ms",
      String(config.replicaFetchWaitMaxMs),
      `Value must be less than replica.lag.time.max.ms (${config.replicaLagTimeMaxMs}) to prevent frequent changes in ISR`,
    );
  }
  if (!CLUSTER_ID.test(config.clusterId) || config.clusterId === "." || config.clusterId === "..") {
    throw invalidConfig("edgelog.cluster.id", config.clusterId, "Use 1 to 200 letters, digits, '.', '_' or '-'");
  }
  if (listeners.some((l) => l.scheme === "wss")) {
    for (const name of ["ssl.certificate.location", "ssl.key.location"] as const) {
      const value = name === "ssl.certificate.location" ? config.sslCertificateLocation : config.sslKeyLocation;
      if (value === null) {
        throw new EdgelogError("INVALID_CONFIG", `Missing required configuration "${name}": a wss:// listener needs a PEM file`, {
          details: { config: name },
        });
      }
    }
  }
  return { config, warnings };
}

/**
 * The topic-level settings every topic inherits from this broker (its `log.*` keys and the other
 * synonyms of topic keys), before the topic's own overrides.
 *
 * @example
 * ```ts
 * const { config } = parseBrokerConfig({ "log.retention.hours": "1" });
 * brokerLogDefaults(config).retentionMs; // 3600000
 * ```
 */
export function brokerLogDefaults(config: Pick<BrokerConfig, "raw">): LogConfig {
  const result: LogConfig = { ...defaultLogConfig, cleanupPolicy: [...defaultLogConfig.cleanupPolicy] };
  for (const def of TOPIC_CONFIG_KEYS) {
    if (!def.field) continue;
    const text = brokerValueForTopicConfig(def.name, config.raw)?.value ?? def.default!;
    setField(result, def.field, parseConfigValue(def, text));
  }
  return result;
}

/** Checks each broker-supplied topic default against the topic key's rules, naming the broker key. */
function checkTopicDefaults(raw: ReadonlyMap<string, string>): void {
  for (const def of TOPIC_CONFIG_KEYS) {
    const found = brokerValueForTopicConfig(def.name, raw);
    if (!found) continue;
    if (def.name === "retention.ms" && found.value === "0") {
      throw invalidConfig(found.synonym, raw.get(found.synonym)!, "Value must be -1 (unlimited) or at least 1");
    }
    parseConfigValue({ ...def, name: found.synonym }, found.value);
  }
}

function topicDefault(raw: ReadonlyMap<string, string>, topicKey: string): number {
  const def = TOPIC_CONFIG_KEYS.find((k) => k.name === topicKey)!;
  return parseConfigValue(def, brokerValueForTopicConfig(topicKey, raw)?.value ?? def.default!) as number;
}

function brokerId(raw: ReadonlyMap<string, string>, get: <T extends ConfigValue | null>(name: string) => T): number {
  const brokerIdValue = get<number>("broker.id");
  const nodeId = get<number>("node.id");
  if (raw.has("broker.id") && raw.has("node.id") && brokerIdValue !== nodeId) {
    throw invalidConfig("node.id", String(nodeId), `Value must match broker.id (${brokerIdValue}) when both are set`);
  }
  const id = raw.has("broker.id") ? brokerIdValue : nodeId;
  return id === -1 ? 0 : id;
}

function logDirs(raw: ReadonlyMap<string, string>, get: <T extends ConfigValue | null>(name: string) => T): string[] {
  const name = raw.has("log.dirs") ? "log.dirs" : "log.dir";
  const dirs = name === "log.dirs" ? get<string[]>("log.dirs") : [get<string>("log.dir")];
  if (dirs.length === 0 || dirs.some((d) => d === "")) throw invalidConfig(name, raw.get(name) ?? "", "Log directories must not be empty");
  if (new Set(dirs).size !== dirs.length) throw invalidConfig(name, raw.get(name) ?? "", "Log directories must not be duplicated");
  return dirs;
}

/** What `edgelog.cluster.id` may be: it names the cluster's keys in etcd (`cluster-keys.ts`). */
const CLUSTER_ID = /^[A-Za-z0-9._-]{1,200}$/;

const LISTENER = /^([A-Za-z][A-Za-z0-9_]*):\/\/(\[[0-9A-Za-z:.%]*\]|[^:/[\]\s]*):(\d{1,5})$/;

function parseListeners(name: string, items: string[], warnings: string[]): Listener[] {
  const listeners: Listener[] = [];
  const ports = new Set<number>();
  for (const item of items) {
    const m = LISTENER.exec(item);
    if (!m) throw invalidConfig(name, item, "Expected a listener of the form ws://host:port or wss://host:port");
    const given = m[1]!;
    const port = Number(m[3]);
    if (port > 65535) throw invalidConfig(name, item, "Port must be between 0 and 65535");
    let scheme: Listener["scheme"];
    switch (given.toLowerCase()) {
      case "ws":
      case "wss":
        scheme = given.toLowerCase() as Listener["scheme"];
        break;
      case "plaintext":
        scheme = "ws";
        break;
      case "ssl":
        scheme = "wss";
        break;
      default:
        throw invalidConfig(name, item, `Unsupported listener scheme ${given}; use ws:// or wss://`);
    }
    const bracketed = m[2]!;
    const host = bracketed.startsWith("[") ? bracketed.slice(1, -1) : bracketed;
    const url = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
    if (scheme !== given) warnings.push(`${name}: ${item} is served as ${url} (edgelog speaks WebSocket, not Kafka's binary protocol)`);
    if (port !== 0 && ports.has(port)) throw invalidConfig(name, items.join(","), "Each listener must have a different port");
    ports.add(port);
    listeners.push({ scheme, host, port, url });
  }
  return listeners;
}

function emptyToNull(value: string | null): string | null {
  return value === null || value === "" ? null : value;
}
