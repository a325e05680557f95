/**
 * Kafka consumer settings (`--consumer-property`, `--consumer.config`) as the tools use them:
 * `group.id`, `client.id`, `auto.offset.reset`, `max.poll.records` (the record window),
 * `max.partition.fetch.bytes` (the byte window), `enable.auto.commit`, `auto.commit.interval.ms`,
 * `session.timeout.ms`, `group.instance.id`, `group.remote.assignor` and `bootstrap.servers`. Other
 * Kafka consumer keys are accepted silently (they have no meaning for edgelog's consumer); unknown
 * keys give Kafka's warning.
 *
 * @example
 * ```ts
 * const s = consumerSettings(new Map([["auto.offset.reset", "earliest"]]), "console-consumer");
 * s.autoOffsetReset; // "earliest"
 * ```
 * @module
 */
import type { AutoOffsetReset } from "../../client/consumer-options.ts";
import { UsageError } from "../usage-error.ts";
import { parseInteger } from "./tool-args.ts";

const ACCEPTED = new Set([
  "key.deserializer",
  "value.deserializer",
  "fetch.min.bytes",
  "fetch.max.bytes",
  "fetch.max.wait.ms",
  "heartbeat.interval.ms",
  "max.poll.interval.ms",
  "isolation.level",
  "request.timeout.ms",
  "receive.buffer.bytes",
  "send.buffer.bytes",
  "check.crcs",
  "group.protocol",
  "partition.assignment.strategy",
  "allow.auto.create.topics",
  "exclude.internal.topics",
  "security.protocol",
  "interceptor.classes",
  "metric.reporters",
  "reconnect.backoff.ms",
  "retry.backoff.ms",
]);

/**
 * What {@link consumerSettings} reads.
 *
 * @example
 * ```ts
 * const { groupId, warnings }: ConsumerSettings = consumerSettings(map, "console-consumer");
 * ```
 */
export interface ConsumerSettings {
  groupId: string | undefined;
  clientId: string | undefined;
  autoOffsetReset: AutoOffsetReset | undefined;
  maxPollRecords: number | undefined;
  maxPartitionFetchBytes: number | undefined;
  autoCommit: boolean | undefined;
  autoCommitIntervalMs: number | undefined;
  sessionTimeoutMs: number | undefined;
  groupInstanceId: string | undefined;
  assignor: string | undefined;
  bootstrapServers: string | undefined;
  warnings: string[];
}

/**
 * Reads Kafka consumer settings; a bad value is a usage error naming the key.
 *
 * @example
 * ```ts
 * consumerSettings(new Map([["auto.offset.reset", "smallest"]]), "console-consumer"); // throws UsageError
 * ```
 */
export function consumerSettings(settings: ReadonlyMap<string, string>, command: string): ConsumerSettings {
  const out: ConsumerSettings = {
    groupId: undefined,
    clientId: undefined,
    autoOffsetReset: undefined,
    maxPollRecords: undefined,
    maxPartitionFetchBytes: undefined,
    autoCommit: undefined,
    autoCommitIntervalMs: undefined,
    sessionTimeoutMs: undefined,
    groupInstanceId: undefined,
    assignor: undefined,
    bootstrapServers: undefined,
    warnings: [],
  };
  for (const [key, value] of settings) {
    switch (key) {
      case "group.id":
        out.groupId = value;
        break;
      case "client.id":
        out.clientId = value;
        break;
      case "auto.offset.reset": {
        const reset = value.trim().toLowerCase();
        if (reset !== "earliest" && reset !== "latest" && reset !== "none") {
          throw new UsageError(`auto.offset.reset must be earliest, latest or none, got ${JSON.stringify(value)}`, command);
        }
        out.autoOffsetReset = reset;
        break;
      }
      case "max.poll.records":
        out.maxPollRecords = parseInteger(value, key, command, { min: 1 });
        break;
      case "max.partition.fetch.bytes":
        out.maxPartitionFetchBytes = parseInteger(value, key, command, { min: 1 });
        break;
      case "enable.auto.commit":
        out.autoCommit = value.trim().toLowerCase() === "true";
        break;
      case "auto.commit.interval.ms":
        out.autoCommitIntervalMs = parseInteger(value, key, command, { min: 1 });
        break;
      case "session.timeout.ms":
        out.sessionTimeoutMs = parseInteger(value, key, command, { min: 1 });
        break;
      case "group.instance.id":
        out.groupInstanceId = value;
        break;
      case "group.remote.assignor":
        out.assignor = value;
        break;
      case "bootstrap.servers":
        out.bootstrapServers = value;
        break;
      default:
        if (!ACCEPTED.has(key)) out.warnings.push(`The configuration '${key}' was supplied but isn't a known config.`);
    }
  }
  return out;
}

/**
 * The group options of a consumer from the settings that are given.
 *
 * @example
 * ```ts
 * client.consumer({ groupId: "g", ...groupOptions(settings) });
 * ```
 */
export function groupOptions(settings: ConsumerSettings): {
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
  sessionTimeoutMs?: number;
  groupInstanceId?: string;
  assignor?: string;
} {
  return {
    ...(settings.autoCommit === undefined ? {} : { autoCommit: settings.autoCommit }),
    ...(settings.autoCommitIntervalMs === undefined ? {} : { autoCommitIntervalMs: settings.autoCommitIntervalMs }),
    ...(settings.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: settings.sessionTimeoutMs }),
    ...(settings.groupInstanceId === undefined ? {} : { groupInstanceId: settings.groupInstanceId }),
    ...(settings.assignor === undefined ? {} : { assignor: settings.assignor }),
  };
}
