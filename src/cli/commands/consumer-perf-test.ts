/**
 * `edgelog consumer-perf-test`: Kafka's `kafka-consumer-perf-test.sh` — consumes `--messages`
 * records of a topic (every partition, from the log start unless `--from-latest`) and prints
 * Kafka's CSV header and summary:
 *
 * ```
 * start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
 * 2024-01-10 13:27:18:441, 2024-01-10 13:27:19:112, 9.5367, 14.2127, 100000, 149031.2966, 0, 671, 14.2127, 149031.2966
 * ```
 *
 * Sizes count keys and values, as Kafka's. With `--group` the consumer joins that group and
 * rebalance.time.ms is the time until its first assignment (fetch.time.ms the rest); without it, it
 * reads every partition itself and there is no rebalance (0). When no record comes for `--timeout` ms
 * before `--messages` were read, Kafka's warning is printed and the summary covers what was read.
 *
 * @example
 * ```sh
 * edgelog consumer-perf-test --bootstrap-server localhost:9092 --topic perf --messages 100000
 * ```
 * @module
 */
import type { ArgSpec } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, toolClient, withAdmin } from "../tools/bootstrap.ts";
import { topicPartitions } from "../tools/cluster-topics.ts";
import { consumeLoop } from "../tools/consume-loop.ts";
import { consumerSettings, groupOptions } from "../tools/consumer-settings.ts";
import { javaFixed, simpleDateFormat } from "../tools/java-format.ts";
import { mergedSettings } from "../tools/key-values.ts";
import { integerOption, parseToolArgs, required } from "../tools/tool-args.ts";

const NAME = "consumer-perf-test";
const MB = 1024 * 1024;

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "broker-list": { type: "string" },
    topic: { type: "string" },
    messages: { type: "string" },
    group: { type: "string" },
    "fetch-size": { type: "string" },
    "from-latest": { type: "boolean" },
    timeout: { type: "string" },
    "reporting-interval": { type: "string" },
    "show-detailed-stats": { type: "boolean" },
    "date-format": { type: "string" },
    "hide-header": { type: "boolean" },
    "print-metrics": { type: "boolean" },
    "consumer.config": { type: "string" },
    threads: { type: "string" },
    "num-fetch-threads": { type: "string" },
    "socket-buffer-size": { type: "string" },
  },
};

const HELP = `Usage: edgelog consumer-perf-test --bootstrap-server <host:port|ws-url>[,...] --topic <topic> --messages <n> [options]

Measures consumer throughput, as Kafka's kafka-consumer-perf-test.sh: reads every partition of the
topic from the start and prints a CSV summary (start.time, end.time, data.consumed.in.MB, MB.sec,
data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec).

Options:
      --bootstrap-server <list>  REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --topic <topic>            REQUIRED: the topic to read
      --messages <n>             REQUIRED: how many records to read
      --from-latest              Start at the end of each partition instead of the start
      --timeout <ms>             Stop when no record arrives for this long (default 10000)
      --fetch-size <bytes>       Bytes received ahead per partition (default 1048576)
      --show-detailed-stats      Print a line per --reporting-interval (default 5000 ms)
      --date-format <pattern>    SimpleDateFormat pattern of the times (default yyyy-MM-dd HH:mm:ss:SSS)
      --hide-header              Do not print the CSV header
      --consumer.config <file>   Consumer settings from a properties file
      --group <group>            Consume as a member of this consumer group (default: no group)
  -h, --help                     Show this help`;

/**
 * The `consumer-perf-test` command.
 *
 * @example
 * ```ts
 * await consumerPerfTestCommand.run(["--bootstrap-server", "localhost:9092", "--topic", "perf", "--messages", "1000"], io);
 * ```
 */
export const consumerPerfTestCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const topic = required(args, "topic", NAME);
    const messages = integerOption(args, "messages", NAME, { min: 1 });
    if (messages === undefined) throw new UsageError("missing required option --messages", NAME);
    const timeoutMs = integerOption(args, "timeout", NAME, { min: 1 }, 10_000)!;
    const reportingMs = integerOption(args, "reporting-interval", NAME, { min: 1 }, 5000)!;
    const fetchSize = integerOption(args, "fetch-size", NAME, { min: 1 }, 1024 * 1024)!;
    const dateFormat = args.string("date-format") ?? "yyyy-MM-dd HH:mm:ss:SSS";
    const detailed = args.flag("show-detailed-stats");
    const settings = consumerSettings(await mergedSettings(args.string("consumer.config"), [], "--consumer.config", NAME), NAME);
    for (const warning of settings.warnings) io.err(`WARN ${warning}`);
    const brokers = bootstrapServers(args.string("bootstrap-server") ?? args.string("broker-list") ?? settings.bootstrapServers, NAME);
    const groupId = args.string("group") ?? settings.groupId;

    if (!args.flag("hide-header")) {
      const extra = ", rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
      io.out(detailed ? `time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${extra}` : `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${extra}`);
    }
    const partitions = await withAdmin(brokers, NAME, ({ connection }) => topicPartitions(connection, topic));
    const client = await toolClient(brokers, settings.clientId ?? "perf-consumer-client");
    const consumer = client.consumer({
      maxBufferedBytes: fetchSize,
      maxBufferedRecords: settings.maxPollRecords ?? 5000,
      autoOffsetReset: args.flag("from-latest") ? "latest" : "earliest",
      ...(groupId === undefined ? {} : { groupId, ...groupOptions(settings) }),
    });
    let bytes = 0;
    let lastBytes = 0;
    let lastCount = 0;
    let count = 0;
    const startMs = Date.now();
    let lastReport = startMs;
    let joinTimeMs = 0;
    consumer.on("rebalance", ({ assigned }) => {
      if (assigned.length > 0 && joinTimeMs === 0) joinTimeMs = Math.max(1, Date.now() - startMs);
    });
    let end;
    try {
      if (groupId === undefined) {
        await consumer.assign(partitions.map((partition) => ({ topic, partition, from: args.flag("from-latest") ? ("latest" as const) : ("earliest" as const) })));
      } else {
        await consumer.subscribe({ topics: [topic], fromBeginning: !args.flag("from-latest") });
      }
      end = await consumeLoop({
        consumer,
        maxMessages: messages,
        idleTimeoutMs: timeoutMs,
        onRecord: (r) => {
          bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
          count++;
          const now = Date.now();
          if (detailed && now - lastReport >= reportingMs) {
            io.out(progressLine(now, lastReport, bytes, lastBytes, count, lastCount, dateFormat));
            lastReport = now;
            lastBytes = bytes;
            lastCount = count;
          }
        },
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
    const endMs = Date.now();
    if (end.reason === "error") throw end.error;
    if (end.count < messages && end.reason === "timeout") {
      io.out(`WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.`);
    }
    if (!detailed) {
      const elapsedSec = Math.max(1, endMs - startMs) / 1000;
      const mb = bytes / MB;
      const fetchSec = Math.max(1, endMs - startMs - joinTimeMs) / 1000;
      io.out(
        [
          simpleDateFormat(startMs, dateFormat),
          simpleDateFormat(endMs, dateFormat),
          javaFixed(mb, 4),
          javaFixed(mb / elapsedSec, 4),
          String(end.count),
          javaFixed(end.count / elapsedSec, 4),
          String(joinTimeMs),
          String(Math.round(fetchSec * 1000)),
          javaFixed(mb / fetchSec, 4),
          javaFixed(end.count / fetchSec, 4),
        ].join(", "),
      );
    }
    return 0;
  },
};

function progressLine(now: number, since: number, bytes: number, lastBytes: number, count: number, lastCount: number, dateFormat: string): string {
  const elapsedMs = Math.max(1, now - since);
  const intervalMb = (bytes - lastBytes) / MB;
  const perSecMb = (1000 * intervalMb) / elapsedMs;
  const perSecMsg = (1000 * (count - lastCount)) / elapsedMs;
  return `${simpleDateFormat(now, dateFormat)}, 0, ${javaFixed(bytes / MB, 4)}, ${javaFixed(perSecMb, 4)}, ${count}, ${javaFixed(perSecMsg, 4)}, 0, ${elapsedMs}, ${javaFixed(perSecMb, 4)}, ${javaFixed(perSecMsg, 4)}`;
}
