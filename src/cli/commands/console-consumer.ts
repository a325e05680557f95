/**
 * `edgelog console-consumer`: Kafka's `kafka-console-consumer.sh` — prints records of a topic to
 * standard output, formatted as `--property` says (see `message-formatter.ts`).
 *
 * ```
 * $ edgelog console-consumer --bootstrap-server localhost:9092 --topic his-topic --partition 0 --offset 4
 * e
 * f
 * ^C Processed a total of 2 messages
 * ```
 *
 * - Without `--from-beginning` (or `--offset`) it starts at the end, printing only new records, as
 *   Kafka's does; `--from-beginning` starts at the log start. `--partition P` reads one partition,
 *   from `--offset` (a number, `earliest` or `latest`; default latest).
 * - It runs until `--max-messages` records were printed, `--timeout-ms` passed without a record,
 *   or SIGINT/SIGTERM; then prints `Processed a total of N messages` on standard error and exits 0.
 *   A failure (the topic was deleted, a position left the log) prints one error line, the count,
 *   and exits 1.
 * - `--group G` consumes as a member of the consumer group G: the broker assigns the partitions,
 *   each starts at the group's committed offset (without one: at the end, or the start with
 *   `--from-beginning`), and what was printed is committed (automatically, and when it exits).
 *   Without `--group` it reads every partition itself and commits nothing.
 *
 * @example
 * ```sh
 * edgelog console-consumer --bootstrap-server localhost:9092 --topic test --from-beginning --max-messages 10
 * ```
 * @module
 */
import type { PartitionAssignment } from "../../client/consumer-options.ts";
import type { ArgSpec, ParsedArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, toolClient, withAdmin } from "../tools/bootstrap.ts";
import { includeList, listClusterTopics, topicPartitions } from "../tools/cluster-topics.ts";
import { consumeLoop } from "../tools/consume-loop.ts";
import { consumerSettings, groupOptions } from "../tools/consumer-settings.ts";
import { keyValues, mergedSettings } from "../tools/key-values.ts";
import { MessageFormatter } from "../tools/message-formatter.ts";
import { stdoutSink } from "../tools/stdout-sink.ts";
import { integerOption, parseToolArgs } from "../tools/tool-args.ts";

const NAME = "console-consumer";

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    topic: { type: "string" },
    include: { type: "string" },
    whitelist: { type: "string" },
    partition: { type: "string" },
    offset: { type: "string" },
    "from-beginning": { type: "boolean" },
    group: { type: "string" },
    "max-messages": { type: "string" },
    "timeout-ms": { type: "string" },
    property: { type: "string", multiple: true },
    "consumer-property": { type: "string", multiple: true },
    "consumer.config": { type: "string" },
    "skip-message-on-error": { type: "boolean" },
    "isolation-level": { type: "string" },
    "key-deserializer": { type: "string" },
    "value-deserializer": { type: "string" },
  },
};

const HELP = `Usage: edgelog console-consumer --bootstrap-server <host:port|ws-url>[,...] (--topic <topic> | --include <regex>) [options]

Reads records and prints them to standard output, as Kafka's kafka-console-consumer.sh. Without
--from-beginning or --offset it starts at the end and prints only new records. At exit it prints
"Processed a total of N messages" on standard error.

Options:
      --bootstrap-server <list>  REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --topic <topic>            The topic to read
      --include <regex>          Read every topic whose whole name matches (instead of --topic)
      --partition <n>            Read only this partition (from the end unless --offset or --from-beginning)
      --offset <offset>          With --partition: a non-negative offset, earliest or latest (default latest)
      --from-beginning           Start at the earliest record instead of the end
      --group <group>            Consume as a member of this consumer group and commit what was printed
      --max-messages <n>         Exit after printing this many records
      --timeout-ms <ms>          Exit when no record arrives for this long
      --property <key=value>     How records are printed; may be repeated:
                                   print.key, print.value (default true), print.timestamp,
                                   print.offset, print.partition, print.headers = true|false
                                   key.separator (default a tab), line.separator (default a newline),
                                   headers.separator (default ","), null.literal (default "null")
      --consumer-property <key=value>  A consumer setting (auto.offset.reset, max.poll.records,
                                 max.partition.fetch.bytes, client.id, group.id, ...); may be repeated
      --consumer.config <file>   Consumer settings from a properties file (--consumer-property wins)
  -h, --help                     Show this help

Keys and values are printed as their bytes; a null key or value prints as "null".`;

/**
 * The `console-consumer` command.
 *
 * @example
 * ```ts
 * await consoleConsumerCommand.run(["--bootstrap-server", "localhost:9092", "--topic", "t", "--from-beginning", "--max-messages", "1"], io);
 * ```
 */
export const consoleConsumerCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const topic = args.string("topic");
    const include = args.string("include") ?? args.string("whitelist");
    if ((topic === undefined) === (include === undefined)) throw new UsageError("Exactly one of --include/--topic is required.", NAME);
    const partition = integerOption(args, "partition", NAME, { min: 0, max: 0x7fff_ffff });
    if (partition !== undefined && topic === undefined) throw new UsageError("The topic is required when partition is specified.", NAME);
    const offset = args.string("offset");
    if (offset !== undefined && args.flag("from-beginning")) throw new UsageError("Options from-beginning and offset cannot be specified together.", NAME);
    if (offset !== undefined && partition === undefined) throw new UsageError("The partition is required when offset is specified.", NAME);
    const start = startOf(args, offset);
    const maxMessages = integerOption(args, "max-messages", NAME, { min: -1 });
    const timeoutMs = integerOption(args, "timeout-ms", NAME, { min: 0 });
    const formatter = new MessageFormatter(keyValues(args.strings("property"), "--property", NAME));
    const settings = consumerSettings(await mergedSettings(args.string("consumer.config"), args.strings("consumer-property"), "--consumer-property", NAME), NAME);
    for (const warning of settings.warnings) io.err(`WARN ${warning}`);
    const groupId = args.string("group") ?? settings.groupId;
    if (groupId !== undefined && partition !== undefined) throw new UsageError("Options group and partition cannot be specified together.", NAME);
    const brokers = bootstrapServers(args.string("bootstrap-server") ?? settings.bootstrapServers, NAME);

    const fallback = args.flag("from-beginning") ? "earliest" : (settings.autoOffsetReset ?? "latest");
    const { assignments, logAppendTime } = await withAdmin(brokers, NAME, async ({ admin, connection }) => {
      const topics = topic !== undefined ? [topic] : (await listClusterTopics(connection)).filter((t) => !t.internal).filter(includeList(include!, NAME)).map((t) => t.name);
      const list: PartitionAssignment[] = [];
      for (const name of topics) {
        const partitions = await topicPartitions(connection, name);
        if (partition !== undefined && !partitions.includes(partition)) throw new Error(`Partition ${partition} of topic ${name} does not exist`);
        for (const p of partition === undefined ? partitions : [partition]) list.push({ topic: name, partition: p, from: start ?? (fallback === "earliest" ? "earliest" : "latest") });
      }
      const logAppendTime: string[] = [];
      if (formatterPrintsTimestamp(args) && topics.length > 0) {
        const { resources } = await admin.describeConfigs({ resources: topics.map((name) => ({ type: "topic" as const, name, configNames: ["message.timestamp.type"] })) });
        for (const r of resources) if (r.configEntries.some((e) => e.configValue === "LogAppendTime")) logAppendTime.push(r.name);
      }
      return { assignments: list, logAppendTime };
    });
    for (const name of logAppendTime) formatter.logAppendTimeTopics.add(name);

    const client = await toolClient(brokers, settings.clientId ?? "console-consumer");
    const consumer = client.consumer({
      autoOffsetReset: settings.autoOffsetReset ?? (fallback === "earliest" ? "earliest" : "latest"),
      ...(settings.maxPollRecords === undefined ? {} : { maxBufferedRecords: settings.maxPollRecords }),
      ...(settings.maxPartitionFetchBytes === undefined ? {} : { maxBufferedBytes: settings.maxPartitionFetchBytes }),
      ...(groupId === undefined ? {} : { groupId, ...groupOptions(settings) }),
    });
    const sink = stdoutSink();
    let end;
    try {
      if (groupId === undefined) await consumer.assign(assignments);
      else await consumer.subscribe({ topics: [topic ?? new RegExp(include!)], fromBeginning: args.flag("from-beginning") });
      end = await consumeLoop({
        consumer,
        ...(maxMessages === undefined || maxMessages < 0 ? {} : { maxMessages }),
        ...(timeoutMs === undefined ? {} : { idleTimeoutMs: timeoutMs }),
        onRecord: (record) => sink.write(formatter.format(record)),
        shouldStop: () => sink.broken,
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
    if (sink.broken) io.err("Unable to write to standard out, closing consumer.");
    if (end.reason === "timeout") io.err(`ERROR Error processing message, terminating consumer process: no message within ${timeoutMs} ms (--timeout-ms)`);
    if (end.reason === "error") io.err(`ERROR Error processing message, terminating consumer process: ${messageOf(end.error)}`);
    io.err(`Processed a total of ${end.count} messages`);
    return end.reason === "error" ? 1 : 0;
  },
};

/** Where a --partition starts: --offset, or --from-beginning; undefined: the default (end). */
function startOf(args: ParsedArgs, offset: string | undefined): PartitionAssignment["from"] | undefined {
  if (args.flag("from-beginning")) return "earliest";
  if (offset === undefined) return undefined;
  const text = offset.trim();
  if (text === "earliest" || text === "latest") return text;
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return { offset: Number(text) };
  throw new UsageError(`The provided offset value '${offset}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`, NAME);
}

function formatterPrintsTimestamp(args: ParsedArgs): boolean {
  return args.strings("property").some((p) => /^print\.timestamp\s*=\s*true\s*$/i.test(p));
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split(/\r?\n/, 1)[0]!;
}
