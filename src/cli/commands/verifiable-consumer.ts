/**
 * `edgelog verifiable-consumer`: Kafka's `kafka-verifiable-consumer.sh` — consumes a topic as a
 * member of a consumer group and prints one JSON line per event, with Kafka's names and fields:
 *
 * ```
 * {"timestamp":1736513685811,"name":"startup_complete"}
 * {"timestamp":1736513686054,"name":"partitions_assigned","partitions":[{"topic":"verify-test","partition":0}]}
 * {"timestamp":1736513686129,"name":"records_consumed","count":20,"partitions":[{"topic":"verify-test","partition":0,"count":20,"minOffset":0,"maxOffset":19}]}
 * {"timestamp":1736513686145,"name":"offsets_committed","offsets":[{"topic":"verify-test","partition":0,"offset":20}],"success":true}
 * {"timestamp":1736513690000,"name":"shutdown_complete"}
 * ```
 *
 * - Records are handed over a partition's batch at a time: one `records_consumed` line per batch,
 *   then (unless `--enable-autocommit`) a commit of the offset after it and its `offsets_committed`
 *   line (`"success":false` with an `error` when the commit failed).
 * - `partitions_assigned` and `partitions_revoked` list what changed at each rebalance;
 *   `--verbose` adds a `record_data` line per record.
 * - It runs until `--max-messages` records were consumed (-1, the default: until SIGINT/SIGTERM),
 *   then leaves the group (`partitions_revoked` for what it owned) and prints `shutdown_complete`.
 *
 * @example
 * ```sh
 * edgelog verifiable-consumer --bootstrap-server localhost:9092 --topic verify-test --group-id test-group
 * ```
 * @module
 */
import type { ConsumedRecord } from "../../client/consumed-record.ts";
import type { AutoOffsetReset } from "../../client/consumer-options.ts";
import type { ArgSpec } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, toolClient } from "../tools/bootstrap.ts";
import { consumerSettings, groupOptions } from "../tools/consumer-settings.ts";
import { mergedSettings } from "../tools/key-values.ts";
import { onStopSignal } from "../tools/stop-signals.ts";
import { integerOption, parseToolArgs, required } from "../tools/tool-args.ts";

const NAME = "verifiable-consumer";

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "broker-list": { type: "string" },
    topic: { type: "string" },
    "group-id": { type: "string" },
    "group-instance-id": { type: "string" },
    "group-protocol": { type: "string" },
    "group-remote-assignor": { type: "string" },
    "max-messages": { type: "string" },
    "session-timeout": { type: "string" },
    verbose: { type: "boolean" },
    "enable-autocommit": { type: "boolean" },
    "reset-policy": { type: "string" },
    "assignment-strategy": { type: "string" },
    "consumer.config": { type: "string" },
  },
};

const HELP = `Usage: edgelog verifiable-consumer --bootstrap-server <host:port|ws-url>[,...] --topic <topic> --group-id <group> [options]

Consumes a topic in a consumer group and prints a JSON line per event (startup_complete,
partitions_assigned, partitions_revoked, records_consumed, offsets_committed, shutdown_complete),
as Kafka's kafka-verifiable-consumer.sh.

Options:
      --bootstrap-server <list>  REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --topic <topic>            REQUIRED: the topic to consume
      --group-id <group>         REQUIRED: the consumer group
      --group-instance-id <id>   A static member id
      --max-messages <n>         Stop after this many records; -1 (default): until stopped
      --session-timeout <ms>     The member's session timeout (default: the broker's)
      --verbose                  Print a record_data line per record
      --enable-autocommit        Commit automatically instead of after each batch
      --reset-policy <policy>    earliest (default), latest or none
      --assignment-strategy <s>  The assignor: range, roundrobin, uniform, sticky, cooperative-sticky
                                 (Kafka's class names, e.g. org.apache.kafka.clients.consumer.RangeAssignor, too)
      --group-remote-assignor <s>  The same, by the name KIP-848 consumers use
      --consumer.config <file>   Consumer settings from a properties file
  -h, --help                     Show this help`;

/** Kafka's assignor class names and edgelog's server-side assignors. */
const ASSIGNORS: Record<string, string> = {
  "org.apache.kafka.clients.consumer.RangeAssignor": "range",
  "org.apache.kafka.clients.consumer.RoundRobinAssignor": "roundrobin",
  "org.apache.kafka.clients.consumer.StickyAssignor": "sticky",
  "org.apache.kafka.clients.consumer.CooperativeStickyAssignor": "cooperative-sticky",
};

/**
 * The `verifiable-consumer` command.
 *
 * @example
 * ```ts
 * await verifiableConsumerCommand.run(["--bootstrap-server", "localhost:9092", "--topic", "t", "--group-id", "g", "--max-messages", "10"], io);
 * ```
 */
export const verifiableConsumerCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const topic = required(args, "topic", NAME);
    const groupId = required(args, "group-id", NAME);
    const maxMessages = integerOption(args, "max-messages", NAME, { min: -1 }, -1)!;
    const sessionTimeoutMs = integerOption(args, "session-timeout", NAME, { min: 1 });
    const policy = args.string("reset-policy") ?? "earliest";
    if (policy !== "earliest" && policy !== "latest" && policy !== "none") {
      throw new UsageError(`--reset-policy must be earliest, latest or none, got ${JSON.stringify(policy)}`, NAME);
    }
    const strategy = args.string("group-remote-assignor") ?? args.string("assignment-strategy");
    const settings = consumerSettings(await mergedSettings(args.string("consumer.config"), [], "--consumer.config", NAME), NAME);
    for (const warning of settings.warnings) io.err(`WARN ${warning}`);
    const brokers = bootstrapServers(args.string("bootstrap-server") ?? args.string("broker-list") ?? settings.bootstrapServers, NAME);
    const autoCommit = args.flag("enable-autocommit");
    const instanceId = args.string("group-instance-id");

    const event = (name: string, fields: Record<string, unknown> = {}): void => io.out(JSON.stringify({ timestamp: Date.now(), name, ...fields }));
    const client = await toolClient(brokers, settings.clientId ?? "verifiable-consumer");
    const consumer = client.consumer({
      ...groupOptions(settings),
      groupId,
      autoCommit,
      autoOffsetReset: policy as AutoOffsetReset,
      ...(sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs }),
      ...(instanceId === undefined ? {} : { groupInstanceId: instanceId }),
      ...(strategy === undefined ? {} : { assignor: ASSIGNORS[strategy] ?? strategy }),
    });
    const unwatch = consumer.on("rebalance", ({ assigned, revoked, lost }) => {
      const gone = [...revoked, ...lost];
      if (gone.length > 0) event("partitions_revoked", { partitions: gone.map(({ topic: t, partition }) => ({ topic: t, partition })) });
      if (assigned.length > 0) event("partitions_assigned", { partitions: assigned.map(({ topic: t, partition }) => ({ topic: t, partition })) });
    });
    let consumed = 0;
    const unlisten = onStopSignal(() => void consumer.stop());
    try {
      await consumer.connect();
      event("startup_complete");
      await consumer.subscribe({ topic });
      if (maxMessages !== 0) {
        await consumer.run({
          eachBatch: async ({ batch, isRunning }) => {
            if (!isRunning()) return;
            const records = maxMessages < 0 ? batch.messages : batch.messages.slice(0, maxMessages - consumed);
            if (records.length === 0) return;
            consumed += records.length;
            if (args.flag("verbose")) for (const r of records) event("record_data", recordData(r));
            const minOffset = records[0]!.offset;
            const maxOffset = records[records.length - 1]!.offset;
            event("records_consumed", { count: records.length, partitions: [{ topic: batch.topic, partition: batch.partition, count: records.length, minOffset, maxOffset }] });
            if (!autoCommit) await commit(consumer, batch.topic, batch.partition, maxOffset + 1, event);
            if (maxMessages >= 0 && consumed >= maxMessages) void consumer.stop();
          },
        });
      }
    } finally {
      unlisten();
      unwatch();
      // Leaving the group gives up every partition, as Kafka's consumer reports when it closes.
      const owned = consumer.assignment();
      if (owned.length > 0) event("partitions_revoked", { partitions: owned.map(({ topic: t, partition }) => ({ topic: t, partition })) });
      await consumer.disconnect().catch(() => undefined);
      event("shutdown_complete");
    }
    return 0;
  },
};

async function commit(
  consumer: { commitOffsets(offsets: { topic: string; partition: number; offset: number }[]): Promise<void> },
  topic: string,
  partition: number,
  offset: number,
  event: (name: string, fields?: Record<string, unknown>) => void,
): Promise<void> {
  const offsets = [{ topic, partition, offset }];
  try {
    await consumer.commitOffsets(offsets);
    event("offsets_committed", { offsets, success: true });
  } catch (error) {
    event("offsets_committed", { offsets, error: error instanceof Error ? error.message : String(error), success: false });
  }
}

function recordData(r: ConsumedRecord): Record<string, unknown> {
  return { key: r.keyString(), value: r.valueString(), topic: r.topic, partition: r.partition, offset: r.offset };
}
