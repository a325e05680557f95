/**
 * `edgelog reassign-partitions`: Kafka's `kafka-reassign-partitions.sh` — moves partition replicas
 * between brokers, with Kafka's JSON files and output:
 *
 * ```
 * $ edgelog reassign-partitions --bootstrap-server localhost:9092 --generate --topics-to-move-json-file topics.json --broker-list 1,2
 * Current partition replica assignment
 * {"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[0,1,2],"log_dirs":["any","any","any"]}]}
 *
 * Proposed partition reassignment configuration
 * {"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}
 * $ edgelog reassign-partitions --bootstrap-server localhost:9092 --execute --reassignment-json-file plan.json
 * Current partition replica assignment
 *
 * {"version":1,"partitions":[...]}
 *
 * Save this to use as the --reassignment-json-file option during rollback
 * Successfully started partition reassignment for orders-0
 * $ edgelog reassign-partitions --bootstrap-server localhost:9092 --verify --reassignment-json-file plan.json
 * Status of partition reassignment:
 * Reassignment of partition orders-0 is completed.
 * ```
 *
 * - `--generate` proposes, for each topic of `{"version":1,"topics":[{"topic":"orders"}]}`, Kafka's
 *   rack-unaware assignment over `--broker-list` with the topic's replication factor; it changes
 *   nothing. Leaving a broker out of the list is how a broker is decommissioned: execute the plan,
 *   verify until every partition is completed, then stop the broker.
 * - `--execute` refuses to start while other reassignments run, unless `--additional`.
 * - `--cancel` puts the listed partitions that are still moving back on their original replicas.
 * - `--list` prints the running reassignments.
 * - Replication is not throttled: `--throttle` and `--replica-alter-log-dirs-throttle` are accepted
 *   and ignored with a warning, and `--verify` has no throttles to clear. `log_dirs` other than
 *   "any" are ignored (a broker keeps a partition in one place).
 *
 * @example
 * ```sh
 * edgelog reassign-partitions --bootstrap-server localhost:9092 --list
 * ```
 * @module
 */
import type { Admin } from "../../client/admin.ts";
import { parseReassignmentPlan, type ReassignmentPlan } from "../../core/cluster/reassignment.ts";
import { assignReplicas } from "../../core/cluster/replica-assignment.ts";
import type { ArgSpec } from "../args.ts";
import type { CliIo, Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, withAdmin } from "../tools/bootstrap.ts";
import { listClusterTopics, type ClusterTopic } from "../tools/cluster-topics.ts";
import { readJsonFile } from "../tools/input-file.ts";
import { oneAction, parseInteger, parseToolArgs, required } from "../tools/tool-args.ts";

const NAME = "reassign-partitions";
const ACTIONS = ["generate", "execute", "verify", "cancel", "list"] as const;
type Action = (typeof ACTIONS)[number];

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "command-config": { type: "string" },
    generate: { type: "boolean" },
    execute: { type: "boolean" },
    verify: { type: "boolean" },
    cancel: { type: "boolean" },
    list: { type: "boolean" },
    "topics-to-move-json-file": { type: "string" },
    "broker-list": { type: "string" },
    "reassignment-json-file": { type: "string" },
    additional: { type: "boolean" },
    "preserve-throttles": { type: "boolean" },
    "disable-rack-aware": { type: "boolean" },
    throttle: { type: "string" },
    "replica-alter-log-dirs-throttle": { type: "string" },
    timeout: { type: "string" },
  },
};

const HELP = `Usage: edgelog reassign-partitions --bootstrap-server <host:port|ws-url>[,...]
         (--generate | --execute | --verify | --cancel | --list) [options]

Moves partition replicas between brokers, as Kafka's kafka-reassign-partitions.sh.

Actions (exactly one):
      --generate                   Propose a plan moving the topics of --topics-to-move-json-file onto
                                   the brokers of --broker-list (changes nothing)
      --execute                    Start the reassignments of --reassignment-json-file
      --verify                     Tell whether the reassignments of --reassignment-json-file are done
      --cancel                     Cancel the running reassignments of --reassignment-json-file
      --list                       List the running reassignments

Options:
      --bootstrap-server <list>        REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --topics-to-move-json-file <f>   With --generate: {"version":1,"topics":[{"topic":"foo"}]}
      --broker-list <ids>              With --generate: the brokers to place replicas on, e.g. "0,1,2"
      --reassignment-json-file <f>     The plan: {"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2]}]}
      --additional                     With --execute: start even while other reassignments run
      --throttle <bytes/s>             Accepted for compatibility; edgelog does not throttle replication
      --replica-alter-log-dirs-throttle <bytes/s>  Accepted for compatibility; ignored
      --preserve-throttles, --disable-rack-aware, --timeout <ms>  Accepted for compatibility
      --command-config <file>          Accepted for compatibility; edgelog needs no admin client settings
  -h, --help                           Show this help

Decommissioning broker N: --generate with a --broker-list without N, save the proposed plan,
--execute it, --verify until every partition is completed, then stop broker N.`;

/**
 * The `reassign-partitions` command.
 *
 * @example
 * ```ts
 * await reassignPartitionsCommand.run(["--bootstrap-server", "localhost:9092", "--list"], io);
 * ```
 */
export const reassignPartitionsCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const action = oneAction<Action>(args, ACTIONS, NAME);
    const brokers = bootstrapServers(args.string("bootstrap-server"), NAME);
    if (action === "generate") {
      const topicsFile = required(args, "topics-to-move-json-file", NAME);
      const brokerIds = parseBrokerList(required(args, "broker-list", NAME));
      const topics = parseTopicsToMove(await readJsonFile(topicsFile), topicsFile);
      return withAdmin(brokers, "edgelog-reassign-partitions", async ({ admin, connection }) => {
        const cluster = await admin.describeCluster();
        const known = new Set(cluster.brokers.map((b) => b.nodeId));
        const missing = brokerIds.filter((id) => !known.has(id));
        if (missing.length > 0) throw new Error(`The following brokers in --broker-list do not exist: ${missing.join(",")}`);
        const all = new Map((await listClusterTopics(connection)).map((t) => [t.name, t]));
        const absent = topics.filter((t) => !all.has(t));
        if (absent.length > 0) throw new Error(`Topic(s) ${absent.join(",")} not found.`);
        const chosen = topics.map((t) => all.get(t)!);
        const proposed: Assignment = [];
        for (const topic of chosen) {
          const replicationFactor = topic.partitions[0]?.replicas.length ?? 1;
          const assignment = assignReplicas({ brokers: brokerIds, partitions: topic.partitions.length, replicationFactor });
          assignment.forEach((replicas, partition) => proposed.push({ topic: topic.name, partition, replicas }));
        }
        io.out(`Current partition replica assignment\n${assignmentJson(currentAssignment(chosen))}\n`);
        io.out(`Proposed partition reassignment configuration\n${assignmentJson(proposed)}`);
        return 0;
      });
    }
    if (action === "list") {
      return withAdmin(brokers, "edgelog-reassign-partitions", async ({ admin }) => {
        const running = await admin.listPartitionReassignments();
        if (running.length === 0) {
          io.out("No partition reassignments found.");
          return 0;
        }
        io.out("Current partition reassignments:");
        for (const r of running) {
          io.out(`${r.topic}-${r.partition}: replicas: ${r.replicas.join(",")}. adding: ${r.addingReplicas.join(",")}. removing: ${r.removingReplicas.join(",")}.`);
        }
        return 0;
      });
    }
    const planFile = required(args, "reassignment-json-file", NAME);
    const plan = await readPlan(planFile);
    if (args.string("throttle") !== undefined || args.string("replica-alter-log-dirs-throttle") !== undefined) {
      io.err("Warning: edgelog does not throttle replication; --throttle and --replica-alter-log-dirs-throttle are ignored.");
    }
    return withAdmin(brokers, "edgelog-reassign-partitions", async ({ admin, connection }) => {
      if (action === "execute") await execute(admin, await listClusterTopics(connection), plan, args.flag("additional"), io);
      else if (action === "verify") await verify(admin, await listClusterTopics(connection), plan, io);
      else await cancel(admin, plan, io);
      return 0;
    });
  },
};

type Assignment = { topic: string; partition: number; replicas: number[] }[];

const nameOf = (p: { topic: string; partition: number }): string => `${p.topic}-${p.partition}`;

async function execute(admin: Admin, topics: ClusterTopic[], plan: ReassignmentPlan, additional: boolean, io: CliIo): Promise<void> {
  if (!additional && (await admin.listPartitionReassignments()).length > 0) {
    throw new Error(
      "Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one.",
    );
  }
  const wanted = new Set(plan.partitions.map(nameOf));
  const current = currentAssignment(topics).filter((p) => wanted.has(nameOf(p)));
  io.out(`Current partition replica assignment\n\n${assignmentJson(current)}\n\nSave this to use as the --reassignment-json-file option during rollback`);
  const results = await admin.alterPartitionReassignments({ partitions: plan.partitions.map(({ topic, partition, replicas }) => ({ topic, partition, replicas })) });
  const failed = results.filter((r) => r.error !== undefined);
  if (failed.length > 0) {
    io.err("Error reassigning partition(s):");
    for (const r of failed) io.err(`${nameOf(r)}: ${r.error!.code}: ${r.error!.message}`);
    throw new Error(`${failed.length} partition reassignment(s) could not be started`);
  }
  const names = plan.partitions.map(nameOf).sort(compareNames);
  io.out(`Successfully started partition reassignment${names.length === 1 ? "" : "s"} for ${names.join(",")}`);
}

async function verify(admin: Admin, topics: ClusterTopic[], plan: ReassignmentPlan, io: CliIo): Promise<void> {
  const running = new Set((await admin.listPartitionReassignments({ partitions: plan.partitions.map(({ topic, partition }) => ({ topic, partition })) })).map(nameOf));
  const current = new Map(currentAssignment(topics).map((p) => [nameOf(p), p.replicas]));
  const lines: string[] = [];
  for (const target of [...plan.partitions].sort((a, b) => compareNames(nameOf(a), nameOf(b)))) {
    const name = nameOf(target);
    const replicas = current.get(name);
    if (replicas === undefined) throw new Error(`Partition ${name} does not exist`);
    if (running.has(name)) lines.push(`Reassignment of partition ${name} is still in progress.`);
    else if (replicas.join(",") === target.replicas.join(",")) lines.push(`Reassignment of partition ${name} is completed.`);
    else lines.push(`There is no active reassignment of partition ${name}, but replica set is ${replicas.join(",")} rather than ${target.replicas.join(",")}.`);
  }
  io.out(["Status of partition reassignment:", ...lines].join("\n"));
}

async function cancel(admin: Admin, plan: ReassignmentPlan, io: CliIo): Promise<void> {
  const named = plan.partitions.map(({ topic, partition }) => ({ topic, partition }));
  const running = await admin.listPartitionReassignments({ partitions: named });
  if (running.length === 0) {
    io.out("None of the specified partition reassignments are active.");
    return;
  }
  const results = await admin.alterPartitionReassignments({ partitions: running.map(({ topic, partition }) => ({ topic, partition, replicas: null })) });
  const failed = results.filter((r) => r.error !== undefined && r.error.code !== "NO_REASSIGNMENT_IN_PROGRESS");
  if (failed.length > 0) {
    io.err("Error cancelling partition reassignment(s):");
    for (const r of failed) io.err(`${nameOf(r)}: ${r.error!.code}: ${r.error!.message}`);
    throw new Error(`${failed.length} partition reassignment(s) could not be cancelled`);
  }
  const names = results.filter((r) => r.error === undefined).map(nameOf).sort(compareNames);
  io.out(`Successfully cancelled partition reassignment${names.length === 1 ? "" : "s"} for: ${names.join(",")}`);
}

/** Every partition of `topics` with its replicas now. */
function currentAssignment(topics: readonly ClusterTopic[]): Assignment {
  return topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition, replicas: [...p.replicas] })));
}

/** Kafka's reassignment JSON of an assignment, sorted by topic then partition, with `log_dirs` "any". */
function assignmentJson(assignment: Assignment): string {
  const partitions = [...assignment]
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
    .map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas, log_dirs: p.replicas.map(() => "any") }));
  return JSON.stringify({ version: 1, partitions });
}

/** Orders "topic-partition" names by topic, then partition number. */
function compareNames(a: string, b: string): number {
  const cut = (s: string): [string, number] => [s.slice(0, s.lastIndexOf("-")), Number(s.slice(s.lastIndexOf("-") + 1))];
  const [ta, pa] = cut(a);
  const [tb, pb] = cut(b);
  return ta < tb ? -1 : ta > tb ? 1 : pa - pb;
}

function parseBrokerList(text: string): number[] {
  const ids = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => parseInteger(s, "--broker-list", NAME, { min: 0, max: 0x7fff_ffff }));
  if (ids.length === 0) throw new UsageError("--broker-list needs at least one broker id", NAME);
  if (new Set(ids).size !== ids.length) throw new UsageError(`--broker-list repeats a broker id: ${text}`, NAME);
  return ids;
}

function parseTopicsToMove(value: unknown, path: string): string[] {
  const topics = (value as { topics?: unknown } | null)?.topics;
  if (!Array.isArray(topics) || topics.length === 0) throw new Error(`${path}: expected {"version":1,"topics":[{"topic":"foo"}, ...]} with at least one topic`);
  const names = topics.map((t, i) => {
    const name = (t as { topic?: unknown } | null)?.topic;
    if (typeof name !== "string" || name === "") throw new Error(`${path}: topics[${i}] needs a "topic" name`);
    return name;
  });
  return [...new Set(names)];
}

async function readPlan(path: string): Promise<ReassignmentPlan> {
  const value = await readJsonFile(path);
  const plan = parseReassignmentPlan(value);
  if (plan.partitions.length === 0) throw new Error(`${path}: the plan lists no partitions`);
  return plan;
}
