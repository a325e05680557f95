/**
 * `edgelog topics`: Kafka's `kafka-topics.sh` — create, list, describe, alter (add partitions) and
 * delete topics, with Kafka's flags and output:
 *
 * ```
 * $ edgelog topics --bootstrap-server localhost:9092 --create --topic hello.kafka --partitions 3 --config retention.ms=172800000
 * Created topic hello.kafka.
 * $ edgelog topics --bootstrap-server localhost:9092 --describe --topic hello.kafka
 * Topic: hello.kafka	TopicId: 2c7cvTC1QGKy2bu18revoA	PartitionCount: 3	ReplicationFactor: 1	Configs: retention.ms=172800000
 * 	Topic: hello.kafka	Partition: 0	Leader: 0	Replicas: 0	Isr: 0
 * ```
 *
 * - `--topic` is, as in Kafka, a regular expression over whole topic names for `--list`,
 *   `--describe`, `--alter` and `--delete` (without it: every topic); `--list` includes internal
 *   topics unless `--exclude-internal`.
 * - `Configs:` lists the settings that are not defaults: broker-level settings first, then the
 *   topic's own overrides (Kafka prints them in hash-map order, which has no meaning).
 * - Partitions can only be added: a lower count is refused with Kafka's message ("Topic currently has
 *   3 partitions, which is higher than the requested 2.").
 * - Kafka's collision warning for names with `.` or `_` is not printed: edgelog's metric names do not
 *   collide.
 *
 * @example
 * ```sh
 * edgelog topics --bootstrap-server localhost:9092 --list
 * ```
 * @module
 */
import type { Admin } from "../../client/admin.ts";
import type { ConfigEntryDescription } from "../../client/admin-types.ts";
import type { ArgSpec, ParsedArgs } from "../args.ts";
import type { CliIo, Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, withAdmin } from "../tools/bootstrap.ts";
import { includeList, listClusterTopics, type ClusterTopic } from "../tools/cluster-topics.ts";
import { keyValues } from "../tools/key-values.ts";
import { integerOption, oneAction, parseToolArgs } from "../tools/tool-args.ts";

const NAME = "topics";
const ACTIONS = ["list", "describe", "create", "alter", "delete"] as const;
type Action = (typeof ACTIONS)[number];

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "command-config": { type: "string" },
    list: { type: "boolean" },
    describe: { type: "boolean" },
    create: { type: "boolean" },
    alter: { type: "boolean" },
    delete: { type: "boolean" },
    topic: { type: "string" },
    partitions: { type: "string" },
    "replication-factor": { type: "string" },
    config: { type: "string", multiple: true },
    "if-not-exists": { type: "boolean" },
    "if-exists": { type: "boolean" },
    "exclude-internal": { type: "boolean" },
    "topics-with-overrides": { type: "boolean" },
    "under-replicated-partitions": { type: "boolean" },
    "unavailable-partitions": { type: "boolean" },
    "under-min-isr-partitions": { type: "boolean" },
    "at-min-isr-partitions": { type: "boolean" },
  },
};

const HELP = `Usage: edgelog topics --bootstrap-server <host:port|ws-url>[,...] (--create | --list | --describe | --alter | --delete) [options]

Creates, lists, describes, alters and deletes topics, as Kafka's kafka-topics.sh.

Actions (exactly one):
      --create                 Create a topic (--topic required)
      --list                   List topic names
      --describe               Describe topics: partition count, replication factor, configs, and
                               each partition's leader, replicas and in-sync replicas
      --alter                  Add partitions to topics (--partitions: the new total; it cannot go down)
      --delete                 Delete topics

Options:
      --bootstrap-server <list>  REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --topic <topic>            The topic; for --list, --describe, --alter and --delete a regular
                                 expression over whole topic names (without it: every topic)
      --partitions <n>           Partitions of a new topic (default: the broker's num.partitions), or
                                 the new total with --alter
      --replication-factor <n>   Replicas of each partition (default: the broker's default.replication.factor)
      --config <key=value>       A topic config for --create (e.g. retention.ms=86400000); may be repeated
      --if-not-exists            With --create: do nothing when the topic exists
      --if-exists                With --alter, --describe, --delete: do nothing when no topic matches
      --exclude-internal         Leave out internal topics (__consumer_offsets)
      --topics-with-overrides    With --describe: only topics whose configs differ from the defaults
      --under-replicated-partitions  With --describe: only partitions with fewer in-sync replicas than replicas
      --unavailable-partitions   With --describe: only partitions without a leader
      --under-min-isr-partitions With --describe: only partitions with fewer in-sync replicas than min.insync.replicas
      --at-min-isr-partitions    With --describe: only partitions with exactly min.insync.replicas in-sync replicas
      --command-config <file>    Accepted for compatibility; edgelog needs no admin client settings
  -h, --help                     Show this help

To change topic configs use 'edgelog configs'.`;

/**
 * The `topics` command.
 *
 * @example
 * ```ts
 * await topicsCommand.run(["--bootstrap-server", "localhost:9092", "--list"], io);
 * ```
 */
export const topicsCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const action = oneAction<Action>(args, ACTIONS, NAME);
    const brokers = bootstrapServers(args.string("bootstrap-server"), NAME);
    const topic = args.string("topic");
    if ((action === "create" || action === "alter") && topic === undefined) throw new UsageError(`--${action} needs --topic`, NAME);
    if (action === "alter" && args.string("partitions") === undefined) throw new UsageError("--alter needs --partitions (to change configs use 'edgelog configs')", NAME);
    if (action !== "create" && args.strings("config").length > 0) throw new UsageError("--config is only valid with --create (to change configs use 'edgelog configs')", NAME);
    const configs = keyValues(args.strings("config"), "--config", NAME);
    const partitions = integerOption(args, "partitions", NAME, { min: 1, max: 0x7fff_ffff });
    const replicationFactor = integerOption(args, "replication-factor", NAME, { min: 1, max: 0x7fff });

    return withAdmin(brokers, "edgelog-topics", async ({ admin, connection }) => {
      if (action === "create") {
        const created = await admin.createTopics({
          topics: [
            {
              topic: topic!,
              ...(partitions === undefined ? {} : { numPartitions: partitions }),
              ...(replicationFactor === undefined ? {} : { replicationFactor }),
              configs: Object.fromEntries(configs),
            },
          ],
        });
        if (created) io.out(`Created topic ${topic}.`);
        else if (!args.flag("if-not-exists")) throw new Error(`Topic '${topic}' already exists.`);
        return 0;
      }
      const matching = selectTopics(await listClusterTopics(connection), args);
      if (action === "list") {
        io.out(matching.map((t) => t.name).join("\n"));
        return 0;
      }
      if (matching.length === 0 && topic !== undefined && !args.flag("if-exists")) throw new Error(`Topic '${topic}' does not exist as expected`);
      if (action === "alter") {
        if (matching.length > 0) await admin.createPartitions({ topicPartitions: matching.map((t) => ({ topic: t.name, count: partitions! })) });
      } else if (action === "delete") {
        if (matching.length > 0) await admin.deleteTopics({ topics: matching.map((t) => t.name) });
      } else {
        await describe(admin, matching, args, io);
      }
      return 0;
    });
  },
};

function selectTopics(all: ClusterTopic[], args: ParsedArgs): ClusterTopic[] {
  const pattern = args.string("topic");
  const matches = pattern === undefined ? () => true : includeList(pattern, NAME);
  return all.filter((t) => !(t.internal && args.flag("exclude-internal")) && matches(t));
}

async function describe(admin: Admin, topics: ClusterTopic[], args: ParsedArgs, io: CliIo): Promise<void> {
  if (topics.length === 0) return;
  const { resources } = await admin.describeConfigs({ resources: topics.map((t) => ({ type: "topic" as const, name: t.name })) });
  const configsOf = new Map(resources.map((r) => [r.name, r.configEntries]));
  const partitionFilters = ["under-replicated-partitions", "unavailable-partitions", "under-min-isr-partitions", "at-min-isr-partitions"];
  const describeConfigs = !partitionFilters.some((f) => args.flag(f));
  const describePartitions = !args.flag("topics-with-overrides");
  for (const topic of topics) {
    const entries = configsOf.get(topic.name) ?? [];
    const overrides = nonDefaults(entries);
    if (describeConfigs && (!args.flag("topics-with-overrides") || overrides.length > 0)) {
      const id = topic.topicId === undefined ? "" : `\tTopicId: ${topic.topicId}`;
      const replicationFactor = topic.partitions[0]?.replicas.length ?? 0;
      io.out(
        `Topic: ${topic.name}${id}\tPartitionCount: ${topic.partitions.length}\tReplicationFactor: ${replicationFactor}\t` +
          `Configs: ${overrides.map((e) => `${e.configName}=${e.configValue ?? ""}`).join(",")}`,
      );
    }
    if (!describePartitions) continue;
    const minIsr = Number(entries.find((e) => e.configName === "min.insync.replicas")?.configValue ?? "1");
    for (const p of topic.partitions) {
      if (args.flag("under-replicated-partitions") && !(p.isr.length < p.replicas.length)) continue;
      if (args.flag("unavailable-partitions") && p.leader >= 0) continue;
      if (args.flag("under-min-isr-partitions") && !(p.leader < 0 || p.isr.length < minIsr)) continue;
      if (args.flag("at-min-isr-partitions") && p.isr.length !== minIsr) continue;
      io.out(
        `\tTopic: ${topic.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? "none" : p.leader}\t` +
          `Replicas: ${p.replicas.join(",")}\tIsr: ${p.isr.join(",")}`,
      );
    }
  }
}

/** The entries that are not defaults: broker-level ones first, then the topic's own overrides. */
function nonDefaults(entries: ConfigEntryDescription[]): ConfigEntryDescription[] {
  const rank = (e: ConfigEntryDescription): number => (e.configSource === "DYNAMIC_TOPIC_CONFIG" ? 1 : 0);
  return entries.filter((e) => !e.isDefault).sort((a, b) => rank(a) - rank(b));
}
