/**
 * `edgelog leader-election`: Kafka's `kafka-leader-election.sh` — gives partitions back to their
 * preferred leader (the first replica), or, with `--election-type unclean`, elects a leader for
 * partitions that have none, with Kafka's output:
 *
 * ```
 * $ edgelog leader-election --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions
 * Successfully completed leader election (PREFERRED) for partitions orders-0, orders-2
 * $ edgelog leader-election --bootstrap-server localhost:9092 --election-type preferred --topic orders --partition 1
 * Valid replica already elected for partitions orders-1
 * ```
 *
 * A partition that cannot get a leader prints `Error completing leader election (PREFERRED) for
 * partition: orders-1: <ERROR_CODE>: <message>` and the command ends with status 1. The partitions
 * come from `--topic` with `--partition`, `--all-topic-partitions`, or `--path-to-json-file`
 * (Kafka's `{"partitions":[{"topic":"orders","partition":1}]}`). With `--all-topic-partitions` the
 * partitions whose preferred leader leads already are not listed, as in Kafka.
 *
 * @example
 * ```sh
 * edgelog leader-election --bootstrap-server localhost:9092 --election-type PREFERRED --all-topic-partitions
 * ```
 * @module
 */
import type { WireElectionType, WireTopicPartition } from "../../protocol/index.ts";
import type { ArgSpec } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, withAdmin } from "../tools/bootstrap.ts";
import { readJsonFile } from "../tools/input-file.ts";
import { integerOption, parseToolArgs, required } from "../tools/tool-args.ts";

const NAME = "leader-election";

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "admin.config": { type: "string" },
    "election-type": { type: "string" },
    topic: { type: "string" },
    partition: { type: "string" },
    "all-topic-partitions": { type: "boolean" },
    "path-to-json-file": { type: "string" },
  },
};

const HELP = `Usage: edgelog leader-election --bootstrap-server <host:port|ws-url>[,...] --election-type <PREFERRED|UNCLEAN>
         (--topic <topic> --partition <n> | --all-topic-partitions | --path-to-json-file <file>)

Elects partition leaders, as Kafka's kafka-leader-election.sh.

Options:
      --bootstrap-server <list>   REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --election-type <type>      REQUIRED: PREFERRED (give partitions back to their first replica, when it
                                  is alive and in sync) or UNCLEAN (elect any live replica for partitions
                                  without a leader; records may be lost)
      --topic <topic>             The topic of the partition to elect a leader for (with --partition)
      --partition <n>             The partition to elect a leader for (with --topic)
      --all-topic-partitions      Every partition of every topic
      --path-to-json-file <file>  The partitions, as JSON: {"partitions":[{"topic":"foo","partition":1}]}
      --admin.config <file>       Accepted for compatibility; edgelog needs no admin client settings
  -h, --help                      Show this help`;

/**
 * The `leader-election` command.
 *
 * @example
 * ```ts
 * await leaderElectionCommand.run(["--bootstrap-server", "localhost:9092", "--election-type", "preferred", "--all-topic-partitions"], io);
 * ```
 */
export const leaderElectionCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const brokers = bootstrapServers(args.string("bootstrap-server"), NAME);
    const typeText = required(args, "election-type", NAME);
    const electionType = typeText.toLowerCase();
    if (electionType !== "preferred" && electionType !== "unclean") {
      throw new UsageError(`--election-type must be PREFERRED or UNCLEAN, got '${typeText}'`, NAME);
    }
    const topic = args.string("topic");
    const path = args.string("path-to-json-file");
    const sources = [topic !== undefined, args.flag("all-topic-partitions"), path !== undefined].filter(Boolean).length;
    if (sources !== 1) throw new UsageError("One and only one of the following options is required: --all-topic-partitions, --topic, --path-to-json-file", NAME);
    const partition = integerOption(args, "partition", NAME, { min: 0, max: 0x7fff_ffff });
    if (topic !== undefined && partition === undefined) throw new UsageError("--topic needs --partition", NAME);
    if (topic === undefined && partition !== undefined) throw new UsageError("--partition needs --topic", NAME);
    const partitions = topic !== undefined ? [{ topic, partition: partition! }] : path !== undefined ? await readElectionFile(path) : undefined;
    const shown = electionType.toUpperCase();

    return withAdmin(brokers, "edgelog-leader-election", async ({ admin }) => {
      const results = await admin.electLeaders({ electionType: electionType as WireElectionType, ...(partitions === undefined ? {} : { partitions }) });
      const name = (p: WireTopicPartition): string => `${p.topic}-${p.partition}`;
      const elected = results.filter((r) => r.error === undefined).map(name);
      const noop = results.filter((r) => r.error?.code === "ELECTION_NOT_NEEDED").map(name);
      const failed = results.filter((r) => r.error !== undefined && r.error.code !== "ELECTION_NOT_NEEDED");
      if (elected.length > 0) io.out(`Successfully completed leader election (${shown}) for partitions ${elected.join(", ")}`);
      if (noop.length > 0) io.out(`Valid replica already elected for partitions ${noop.join(", ")}`);
      for (const r of failed) io.out(`Error completing leader election (${shown}) for partition: ${name(r)}: ${r.error!.code}: ${r.error!.message}`);
      if (failed.length > 0) throw new Error(`${failed.length} replica(s) could not be elected`);
      return 0;
    });
  },
};

/** Kafka's election file: `{"partitions":[{"topic":"foo","partition":1}]}`, no partition twice. */
async function readElectionFile(path: string): Promise<WireTopicPartition[]> {
  const parsed = await readJsonFile(path);
  const list = (parsed as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${path}: expected {"partitions":[{"topic":"foo","partition":1}, ...]} with at least one partition`);
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const partitions = list.map((item, i) => {
    const { topic, partition } = (item ?? {}) as { topic?: unknown; partition?: unknown };
    if (typeof topic !== "string" || topic === "" || !Number.isInteger(partition) || (partition as number) < 0) {
      throw new Error(`${path}: partitions[${i}] needs a "topic" name and a "partition" number`);
    }
    const key = `${topic}-${String(partition)}`;
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
    return { topic, partition: partition as number };
  });
  if (duplicates.length > 0) throw new Error(`Replica election data contains duplicate partitions: ${duplicates.join(",")}`);
  return partitions;
}
