/**
 * `edgelog producer-perf-test`: Kafka's `kafka-producer-perf-test.sh` — sends `--num-records`
 * records of `--record-size` random capital letters (or lines of `--payload-file`) as fast as
 * `--throughput` allows, prints a progress line every 5 s and Kafka's summary:
 *
 * ```
 * 100000 records sent, 48123.2 records/sec (4.59 MB/sec), 310.52 ms avg latency, 512.00 ms max latency, 301 ms 50th, 480 ms 95th, 505 ms 99th, 511 ms 99.9th.
 * ```
 *
 * Producer settings come from `--producer-props k=v ...` (several after one flag, as Kafka takes
 * them) and `--producer.config`; `bootstrap.servers` there or `--bootstrap-server` names the cluster.
 *
 * @example
 * ```sh
 * edgelog producer-perf-test --topic perf --num-records 100000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=1
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import type { ArgSpec } from "../args.ts";
import type { CliIo, Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, toolClient } from "../tools/bootstrap.ts";
import { InFlightSends } from "../tools/in-flight-sends.ts";
import { mergedSettings } from "../tools/key-values.ts";
import { pace } from "../tools/pace.ts";
import { PerfStats } from "../tools/perf-stats.ts";
import { producerSettings } from "../tools/producer-settings.ts";
import { onStopSignal } from "../tools/stop-signals.ts";
import { integerOption, parseToolArgs, required } from "../tools/tool-args.ts";

const NAME = "producer-perf-test";
const MAX_PENDING = 50_000;
const REPORTING_INTERVAL_MS = 5000;

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    topic: { type: "string" },
    "num-records": { type: "string" },
    "record-size": { type: "string" },
    "payload-file": { type: "string" },
    "payload-delimiter": { type: "string" },
    "payload-monotonic": { type: "boolean" },
    throughput: { type: "string" },
    "producer-props": { type: "string", multiple: true },
    "producer.config": { type: "string" },
    "print-metrics": { type: "boolean" },
  },
};

const HELP = `Usage: edgelog producer-perf-test --topic <topic> --num-records <n> (--record-size <bytes> | --payload-file <file> | --payload-monotonic) --throughput <n> [--producer-props <k=v> ...] [options]

Measures producer throughput and latency, as Kafka's kafka-producer-perf-test.sh: a progress line
every 5 seconds and a summary with average, maximum and percentile latencies.

Options:
      --topic <topic>            REQUIRED: the topic to produce to
      --num-records <n>          REQUIRED: how many records
      --record-size <bytes>      Size of each record (random capital letters)
      --payload-file <file>      Records picked at random from this file's lines (--payload-delimiter, default \\n)
      --payload-monotonic        Record values 0, 1, 2, ... as text
      --throughput <n>           REQUIRED: at most about this many records per second; -1: no limit
      --producer-props <k=v> ... Producer settings (bootstrap.servers, acks, linger.ms, batch.size,
                                 compression.type, ...), several after one flag
      --producer.config <file>   Producer settings from a properties file (--producer-props win)
      --bootstrap-server <list>  Broker addresses (instead of bootstrap.servers)
      --print-metrics            Accepted for compatibility; edgelog prints no client metrics
  -h, --help                     Show this help`;

/**
 * The `producer-perf-test` command.
 *
 * @example
 * ```ts
 * await producerPerfTestCommand.run(["--topic", "t", "--num-records", "1000", "--record-size", "100", "--throughput", "-1", "--producer-props", "bootstrap.servers=localhost:9092"], io);
 * ```
 */
export const producerPerfTestCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(spreadProducerProps(argv), ARGS, NAME);
    const topic = required(args, "topic", NAME);
    const numRecords = integerOption(args, "num-records", NAME, { min: 1 })!;
    if (numRecords === undefined) throw new UsageError("missing required option --num-records", NAME);
    const throughput = integerOption(args, "throughput", NAME, { min: -1 });
    if (throughput === undefined) throw new UsageError("missing required option --throughput", NAME);
    const payloads = await payloadSource(args, io);
    const settings = producerSettings(await mergedSettings(args.string("producer.config"), args.strings("producer-props"), "--producer-props", NAME), NAME);
    for (const warning of settings.warnings) io.err(`WARN ${warning}`);
    const brokers = bootstrapServers(args.string("bootstrap-server") ?? settings.bootstrapServers, NAME, "--bootstrap-server (or bootstrap.servers in --producer-props)");

    const client = await toolClient(brokers, settings.clientId ?? "perf-producer-client");
    const producer = client.producer({ lingerMs: 5, ...settings.options });
    let stopping = false;
    const unlisten = onStopSignal(() => (stopping = true));
    const inFlight = new InFlightSends(MAX_PENDING);
    let failure: unknown;
    let stats: PerfStats | undefined;
    try {
      await producer.connect();
      const start = Date.now();
      stats = new PerfStats(numRecords, REPORTING_INTERVAL_MS, start, (line) => io.out(line));
      for (let i = 0; i < numRecords && !stopping && failure === undefined; i++) {
        await pace(start, i, throughput, () => stopping);
        if (stopping) break;
        const value = payloads(i);
        const sentAt = Date.now();
        await inFlight.add(
          producer.send({ topic, messages: [{ value }] }),
          () => {
            const now = Date.now();
            stats!.record(now - sentAt, value.length, now);
          },
          (error) => (failure ??= error),
        );
      }
      await producer.flush();
      await inFlight.drain();
    } finally {
      unlisten();
      await producer.disconnect().catch(() => undefined);
    }
    if (stats !== undefined) io.out(stats.summary(Date.now()));
    if (failure !== undefined) throw failure;
    return 0;
  },
};

/** `--producer-props a=1 b=2` (argparse's several values) as `--producer-props a=1 --producer-props b=2`. */
function spreadProducerProps(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    out.push(arg);
    if (arg !== "--producer-props") continue;
    let first = true;
    while (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) {
      if (!first) out.push("--producer-props");
      out.push(argv[++i]!);
      first = false;
    }
  }
  return out;
}

/** The value of record `i`: random letters, a line of the payload file, or the number itself. */
async function payloadSource(args: ReturnType<typeof parseToolArgs>, io: CliIo): Promise<(i: number) => Uint8Array> {
  const size = integerOption(args, "record-size", NAME, { min: 0 });
  const file = args.string("payload-file");
  const monotonic = args.flag("payload-monotonic");
  if ([size !== undefined, file !== undefined, monotonic].filter(Boolean).length !== 1) {
    throw new UsageError("Give exactly one of --record-size, --payload-file and --payload-monotonic", NAME);
  }
  const utf8 = new TextEncoder();
  if (monotonic) return (i) => utf8.encode(String(i));
  let seed = 0x9e3779b9;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      throw new Error(`Cannot read the payload file ${file}`);
    }
    const delimiter = (args.string("payload-delimiter") ?? "\\n").replaceAll("\\n", "\n").replaceAll("\\t", "\t");
    const lines = text.split(delimiter).filter((l) => l !== "").map((l) => utf8.encode(l));
    if (lines.length === 0) throw new Error(`File is empty: ${file}`);
    io.out(`Reading payloads from: ${file}`);
    io.out(`Number of messages read: ${lines.length}`);
    return () => lines[next() % lines.length]!;
  }
  return () => {
    const payload = new Uint8Array(size!);
    for (let j = 0; j < payload.length; j++) payload[j] = 65 + (next() % 26);
    return payload;
  };
}
