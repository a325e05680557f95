/**
 * `edgelog console-producer`: Kafka's `kafka-console-producer.sh` — one record per line of standard
 * input, keys and headers parsed as `--property` says (see `line-reader.ts`).
 *
 * ```
 * $ edgelog console-producer --bootstrap-server localhost:9092 --topic hello.kafka --property parse.key=true --property key.separator=:
 * >key1:no1
 * >key2:no2
 * ```
 *
 * - The `>` prompt is printed only when standard input is a terminal, as Kafka does.
 * - Records are batched for up to `--timeout` ms (Kafka's default 1000) or `--batch-size` bytes;
 *   `--sync` sends each line alone and waits for it. End of input sends what lingers.
 * - It exits 0 only once every line was acknowledged (per `--request-required-acks`, default all);
 *   the first record that fails for good stops it with one error line and status 1. SIGINT/SIGTERM
 *   (Ctrl-C) ends the input: the lines read so far are still sent before it exits.
 *
 * @example
 * ```sh
 * printf 'a\nb\n' | edgelog console-producer --bootstrap-server localhost:9092 --topic test
 * ```
 * @module
 */
import process from "node:process";
import type { ProducerOptions } from "../../client/producer-options.ts";
import type { ArgSpec } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, toolClient } from "../tools/bootstrap.ts";
import { keyValues, mergedSettings } from "../tools/key-values.ts";
import { LineReader } from "../tools/line-reader.ts";
import { produceLines } from "../tools/produce-lines.ts";
import { onStopSignal } from "../tools/stop-signals.ts";
import { parseAcks, parseCompression, producerSettings } from "../tools/producer-settings.ts";
import { integerOption, parseToolArgs, required } from "../tools/tool-args.ts";

const NAME = "console-producer";

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "broker-list": { type: "string" },
    topic: { type: "string" },
    property: { type: "string", multiple: true },
    "reader-property": { type: "string", multiple: true },
    "producer-property": { type: "string", multiple: true },
    "producer.config": { type: "string" },
    "request-required-acks": { type: "string" },
    sync: { type: "boolean" },
    timeout: { type: "string" },
    "batch-size": { type: "string" },
    "compression-codec": { type: "string" },
    "message-send-max-retries": { type: "string" },
    "retry-backoff-ms": { type: "string" },
    "request-timeout-ms": { type: "string" },
    "metadata-expiry-ms": { type: "string" },
  },
};

const HELP = `Usage: edgelog console-producer --bootstrap-server <host:port|ws-url>[,...] --topic <topic> [options]

Reads lines from standard input and sends each as a record, as Kafka's kafka-console-producer.sh.
It exits 0 once every line was acknowledged; a record that cannot be written stops it with one
error line and status 1.

Options:
      --bootstrap-server <list>  REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
                                 (--broker-list is accepted as Kafka's older name)
      --topic <topic>            REQUIRED: the topic to write to
      --property <key=value>     How lines are read; may be repeated:
                                   parse.key=true       split each line into key and value
                                   key.separator=<s>    between key and value (default a tab)
                                   parse.headers=true   headers come first: k1:v1,k2:v2<tab>...
                                   headers.delimiter, headers.separator, headers.key.separator
                                   null.marker=<s>      this text stands for a null key, value or header value
                                   ignore.error=true    a line without the separator is a value without key
      --producer-property <key=value>  A producer setting (acks, linger.ms, batch.size,
                                 compression.type, retries, retry.backoff.ms, client.id, ...); may be repeated
      --producer.config <file>   Producer settings from a properties file (--producer-property wins)
      --request-required-acks <acks>  all, -1, 0 or 1 (default all)
      --sync                     Send each line on its own and wait for its acknowledgement
      --timeout <ms>             How long a batch waits for more lines (linger.ms; default 1000)
      --batch-size <bytes>       Batch size in bytes (default 16384)
      --compression-codec <c>    none or gzip
      --message-send-max-retries <n>  Retries of a failed batch (default 3)
      --retry-backoff-ms <ms>    Wait before the first retry (default 100)
      --request-timeout-ms <ms>  How long the broker may wait for acks (default 1500)
      --metadata-expiry-ms <ms>  How long a topic's partition count is trusted (default 300000)
  -h, --help                     Show this help

A '>' prompt is printed before each line only when standard input is a terminal.`;

/**
 * The `console-producer` command.
 *
 * @example
 * ```ts
 * await consoleProducerCommand.run(["--bootstrap-server", "localhost:9092", "--topic", "t"], io); // reads stdin
 * ```
 */
export const consoleProducerCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const listed = args.string("bootstrap-server") ?? args.string("broker-list");
    const topic = required(args, "topic", NAME);
    const reader = readerOf(keyValues([...args.strings("property"), ...args.strings("reader-property")], "--property", NAME));
    const settings = producerSettings(await mergedSettings(args.string("producer.config"), args.strings("producer-property"), "--producer-property", NAME), NAME);
    for (const warning of settings.warnings) io.err(`WARN ${warning}`);
    const brokers = bootstrapServers(listed ?? settings.bootstrapServers, NAME);
    const options = producerOptions(args, settings.options);

    const client = await toolClient(brokers, settings.clientId ?? "console-producer");
    const producer = client.producer(options);
    const interrupted = new AbortController();
    const unlisten = onStopSignal(() => interrupted.abort());
    try {
      await producer.connect();
      await produceLines(producer, topic, reader, {
        input: process.stdin,
        sync: args.flag("sync"),
        // Kafka prints its prompt only when a person types (System.console() != null).
        prompt: process.stdin.isTTY === true ? () => void process.stdout.write(">") : undefined,
        signal: interrupted.signal,
      });
    } finally {
      unlisten();
      await producer.disconnect().catch(() => undefined);
    }
    return 0;
  },
};

/** Kafka's console producer defaults, overridden by its flags, then by producer settings. */
function producerOptions(args: ReturnType<typeof parseToolArgs>, fromSettings: ProducerOptions): ProducerOptions {
  const options: ProducerOptions = { acks: "all", lingerMs: 1000, batchSize: 16_384, timeoutMs: 1500, retry: { retries: 3, initialRetryTimeMs: 100 } };
  const acks = args.string("request-required-acks");
  if (acks !== undefined) options.acks = parseAcks(acks, NAME);
  if (args.flag("sync")) options.lingerMs = 0;
  const timeout = integerOption(args, "timeout", NAME, { min: 0 });
  if (timeout !== undefined) options.lingerMs = timeout;
  const batchSize = integerOption(args, "batch-size", NAME, { min: 0 });
  if (batchSize !== undefined) options.batchSize = batchSize;
  const codec = args.string("compression-codec");
  if (codec !== undefined) options.compression = parseCompression(codec, NAME);
  const retries = integerOption(args, "message-send-max-retries", NAME, { min: 0 });
  const backoff = integerOption(args, "retry-backoff-ms", NAME, { min: 0 });
  options.retry = { ...options.retry, ...(retries === undefined ? {} : { retries }), ...(backoff === undefined ? {} : { initialRetryTimeMs: backoff }) };
  const requestTimeout = integerOption(args, "request-timeout-ms", NAME, { min: 1 });
  if (requestTimeout !== undefined) options.timeoutMs = requestTimeout;
  const metadataExpiry = integerOption(args, "metadata-expiry-ms", NAME, { min: 0 });
  if (metadataExpiry !== undefined) options.metadataMaxAgeMs = metadataExpiry;
  const { retry, ...rest } = fromSettings;
  return { ...options, ...rest, retry: { ...options.retry, ...retry } };
}

function readerOf(properties: Map<string, string>): LineReader {
  try {
    return new LineReader(properties);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), NAME);
  }
}
