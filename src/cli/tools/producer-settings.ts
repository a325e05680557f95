/**
 * Kafka producer settings (`--producer-property`, `--producer-props`, `--producer.config`) as the
 * client library's {@link ProducerOptions}: `acks`, `linger.ms`, `batch.size`, `compression.type`
 * (none or gzip), `request.timeout.ms`, `retries`, `retry.backoff.ms`, `retry.backoff.max.ms`,
 * `metadata.max.age.ms`, `max.in.flight.requests.per.connection` (counted per partition),
 * `client.id` and `bootstrap.servers`. Kafka keys that edgelog's producer has
 * no use for (serializers, buffer.memory, idempotence, …) are accepted silently; unknown keys give
 * Kafka's warning. A bad value is a usage error naming the key.
 *
 * @example
 * ```ts
 * const { options, warnings } = producerSettings(new Map([["acks", "1"], ["linger.ms", "5"]]), "console-producer");
 * options; // { acks: 1, lingerMs: 5 }
 * ```
 * @module
 */
import type { AcksOption, ProducerCompression, ProducerOptions } from "../../client/producer-options.ts";
import type { RetryOptions } from "../../client/retry.ts";
import { UsageError } from "../usage-error.ts";
import { parseInteger } from "./tool-args.ts";

/** Producer settings edgelog takes but does not act on (they have no meaning for its producer). */
const ACCEPTED = new Set([
  "key.serializer",
  "value.serializer",
  "buffer.memory",
  "max.block.ms",
  "delivery.timeout.ms",
  "enable.idempotence",
  "send.buffer.bytes",
  "receive.buffer.bytes",
  "max.request.size",
  "connections.max.idle.ms",
  "reconnect.backoff.ms",
  "reconnect.backoff.max.ms",
  "partitioner.class",
  "partitioner.ignore.keys",
  "partitioner.adaptive.partitioning.enable",
  "security.protocol",
  "transactional.id",
  "transaction.timeout.ms",
  "interceptor.classes",
  "metric.reporters",
  "compression.gzip.level",
]);

/**
 * What {@link producerSettings} makes of the settings.
 *
 * @example
 * ```ts
 * const { options, clientId, brokers, warnings }: ProducerSettings = producerSettings(map, "producer-perf-test");
 * ```
 */
export interface ProducerSettings {
  options: ProducerOptions;
  /** `client.id`, when set. */
  clientId: string | undefined;
  /** `bootstrap.servers`, when set (a comma-separated list). */
  bootstrapServers: string | undefined;
  /** Kafka's warning for each unknown key. */
  warnings: string[];
}

/**
 * Maps Kafka producer settings to producer options; see the module documentation.
 *
 * @example
 * ```ts
 * producerSettings(new Map([["compression.type", "lz4"]]), "console-producer"); // throws UsageError: no lz4 codec
 * ```
 */
export function producerSettings(settings: ReadonlyMap<string, string>, command: string): ProducerSettings {
  const options: ProducerOptions = {};
  const retry: RetryOptions = {};
  const warnings: string[] = [];
  let clientId: string | undefined;
  let bootstrapServers: string | undefined;
  const int = (key: string, value: string, min = 0): number => parseInteger(value, key, command, { min });
  for (const [key, value] of settings) {
    switch (key) {
      case "acks":
        options.acks = parseAcks(value, command);
        break;
      case "linger.ms":
        options.lingerMs = int(key, value);
        break;
      case "max.in.flight.requests.per.connection":
        options.maxInFlightRequests = int(key, value);
        break;
      case "batch.size":
        options.batchSize = int(key, value);
        break;
      case "compression.type":
        options.compression = parseCompression(value, command);
        break;
      case "request.timeout.ms":
        options.timeoutMs = int(key, value);
        break;
      case "retries":
        retry.retries = int(key, value);
        break;
      case "retry.backoff.ms":
        retry.initialRetryTimeMs = int(key, value);
        break;
      case "retry.backoff.max.ms":
        retry.maxRetryTimeMs = int(key, value);
        break;
      case "metadata.max.age.ms":
        options.metadataMaxAgeMs = int(key, value);
        break;
      case "client.id":
        clientId = value;
        break;
      case "bootstrap.servers":
        bootstrapServers = value;
        break;
      default:
        if (!ACCEPTED.has(key)) warnings.push(`The configuration '${key}' was supplied but isn't a known config.`);
    }
  }
  if (Object.keys(retry).length > 0) options.retry = retry;
  return { options, clientId, bootstrapServers, warnings };
}

/**
 * Kafka's acks values: `all`, `-1`, `0`, `1`.
 *
 * @example
 * ```ts
 * parseAcks("all", "console-producer"); // "all"
 * parseAcks("2", "console-producer");   // throws UsageError
 * ```
 */
export function parseAcks(value: string, command: string): AcksOption {
  const text = value.trim().toLowerCase();
  if (text === "all" || text === "-1") return text === "all" ? "all" : -1;
  if (text === "0") return 0;
  if (text === "1") return 1;
  throw new UsageError(`acks must be one of all, -1, 0 or 1, got ${JSON.stringify(value)}`, command);
}

/**
 * Kafka's compression names that edgelog can write: `none` and `gzip`.
 *
 * @example
 * ```ts
 * parseCompression("gzip", "console-producer"); // "gzip"
 * ```
 */
export function parseCompression(value: string, command: string): ProducerCompression {
  const text = value.trim().toLowerCase();
  if (text === "none" || text === "gzip") return text;
  if (text === "snappy" || text === "lz4" || text === "zstd") {
    throw new UsageError(`compression.type ${text} is not available: edgelog writes none or gzip`, command);
  }
  throw new UsageError(`compression.type must be none or gzip, got ${JSON.stringify(value)}`, command);
}
