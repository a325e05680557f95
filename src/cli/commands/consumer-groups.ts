/**
 * `edgelog consumer-groups`: Kafka's `kafka-consumer-groups.sh` — list, describe and delete consumer
 * groups and reset their committed offsets, through the group admin ops.
 *
 * ```
 * $ edgelog consumer-groups --bootstrap-server localhost:9092 --describe --group hello-group
 *
 * Consumer group 'hello-group' has no active members.
 *
 * GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID
 * hello-group     hello.kafka     0          4               4               0               -               -               -
 * ```
 *
 * - `--describe` prints the offsets table (or `--members [--verbose]`, or `--state`); as Kafka's, the
 *   "has no active members" and "is rebalancing" notes go to standard error. An unknown group is an
 *   error line and status 1.
 * - `--reset-offsets` needs a scope (`--topic t[:p,...]`… or `--all-topics`) and one scenario; it
 *   is a dry run unless `--execute` (without `--dry-run` either, Kafka's warning is printed).
 * - `--delete` deletes groups without members; each failure is an error line, and status 1.
 *
 * @example
 * ```sh
 * edgelog consumer-groups --bootstrap-server localhost:9092 --reset-offsets --group g --topic t --to-earliest --execute
 * ```
 * @module
 */
import type { Admin } from "../../client/admin.ts";
import type { ArgSpec, ParsedArgs } from "../args.ts";
import type { CliIo, Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, withAdmin } from "../tools/bootstrap.ts";
import { groupStatesTable, membersTable, offsetsTable, resetTable, stateTable } from "../tools/group-tables.ts";
import { resetSpec, resetTopics } from "../tools/reset-scenario.ts";
import { oneAction, parseToolArgs } from "../tools/tool-args.ts";

const NAME = "consumer-groups";
const ACTIONS = ["list", "describe", "delete", "reset-offsets"] as const;
type Action = (typeof ACTIONS)[number];

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "command-config": { type: "string" },
    list: { type: "boolean" },
    describe: { type: "boolean" },
    delete: { type: "boolean" },
    "reset-offsets": { type: "boolean" },
    group: { type: "string", multiple: true },
    "all-groups": { type: "boolean" },
    topic: { type: "string", multiple: true },
    "all-topics": { type: "boolean" },
    "to-earliest": { type: "boolean" },
    "to-latest": { type: "boolean" },
    "to-current": { type: "boolean" },
    "to-offset": { type: "string" },
    "shift-by": { type: "string" },
    "to-datetime": { type: "string" },
    "by-duration": { type: "string" },
    "dry-run": { type: "boolean" },
    execute: { type: "boolean" },
    force: { type: "boolean" },
    members: { type: "boolean" },
    verbose: { type: "boolean" },
    offsets: { type: "boolean" },
    state: { type: "boolean" },
    timeout: { type: "string" },
  },
};

const HELP = `Usage: edgelog consumer-groups --bootstrap-server <host:port|ws-url>[,...] (--list | --describe | --delete | --reset-offsets) [options]

Lists, describes and deletes consumer groups and resets their offsets, as Kafka's
kafka-consumer-groups.sh.

Actions (exactly one):
      --list                     List the groups (with --state: and their states)
      --describe                 Describe groups: per partition the committed offset, log end, lag and
                                 owning member (--members: the members; --state: the group's state)
      --delete                   Delete groups that have no members, with their committed offsets
      --reset-offsets            Move a group's committed offsets (the group must have no members)

Options:
      --bootstrap-server <list>  REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --group <group>            The group; may be repeated for --describe and --delete
      --all-groups               Every group (--describe, --delete, --reset-offsets)
      --members                  With --describe: the members (--verbose adds their partitions)
      --state                    With --describe: state, assignor and member count; with --list: states
      --offsets                  With --describe: the offsets table (the default)
      --topic <topic[:p,...]>    With --reset-offsets: the topic, or some of its partitions; may be repeated
      --all-topics               With --reset-offsets: every partition the group has an offset for
      --to-earliest | --to-latest | --to-current | --to-offset <n> | --shift-by <n>
      | --to-datetime <YYYY-MM-DDTHH:mm:SS.sss> | --by-duration <PnDTnHnMnS>
                                 The reset scenario (exactly one)
      --dry-run                  Show the new offsets without committing them (the default)
      --execute                  Commit the new offsets
      --force                    Reset even while the group has members (they may commit over it)
  -h, --help                     Show this help`;

/**
 * The `consumer-groups` command.
 *
 * @example
 * ```ts
 * await consumerGroupsCommand.run(["--bootstrap-server", "localhost:9092", "--list"], io);
 * ```
 */
export const consumerGroupsCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const action = oneAction<Action>(args, ACTIONS, NAME);
    const brokers = bootstrapServers(args.string("bootstrap-server"), NAME);
    const groups = args.strings("group");
    if (action !== "list" && groups.length === 0 && !args.flag("all-groups")) throw new UsageError(`--${action} needs --group or --all-groups`, NAME);
    if (action === "reset-offsets") checkReset(args);

    return withAdmin(brokers, "edgelog-consumer-groups", async ({ admin }) => {
      const ids = async (): Promise<string[]> => (args.flag("all-groups") ? (await admin.listGroups()).groups.map((g) => g.groupId) : groups);
      switch (action) {
        case "list": {
          const { groups: listed } = await admin.listGroups();
          for (const line of args.flag("state") ? groupStatesTable(listed) : listed.map((g) => g.groupId)) io.out(line);
          return 0;
        }
        case "describe":
          return describe(admin, await ids(), args, io);
        case "delete":
          return deleteGroups(admin, await ids(), io);
        case "reset-offsets":
          return reset(admin, await ids(), args, io);
      }
    });
  },
};

function checkReset(args: ParsedArgs): void {
  if (args.strings("topic").length === 0 && !args.flag("all-topics")) {
    throw new UsageError("One of the reset scopes should be defined: --all-topics, --topic.", NAME);
  }
  if (args.strings("topic").length > 0 && args.flag("all-topics")) throw new UsageError("Options --topic and --all-topics cannot be given together.", NAME);
  if (args.flag("dry-run") && args.flag("execute")) throw new UsageError("Option --reset-offsets only accepts one of --execute and --dry-run", NAME);
  resetSpec(args, NAME);
}

async function describe(admin: Admin, groupIds: string[], args: ParsedArgs, io: CliIo): Promise<number> {
  if (groupIds.length === 0) return 0;
  const views = [args.flag("members"), args.flag("state"), args.flag("offsets")].filter(Boolean).length;
  if (views > 1) throw new UsageError("Option --describe takes at most one of --members, --state, --offsets", NAME);
  let status = 0;
  if (args.flag("members") || args.flag("state")) {
    const { groups } = await admin.describeGroups(groupIds);
    const coordinator = args.flag("state") ? await coordinatorOf(admin) : "";
    for (const group of groups) {
      if (!noteState(group.groupId, group.state, io)) {
        status = 1;
        continue;
      }
      if (args.flag("state")) for (const line of stateTable(group, coordinator)) io.out(line);
      else if (group.members.length > 0) for (const line of membersTable(group, args.flag("verbose"))) io.out(line);
    }
    return status;
  }
  const { groups } = await admin.describeLag(groupIds);
  for (const group of groups) {
    if (!noteState(group.groupId, group.state, io)) {
      status = 1;
      continue;
    }
    if (group.rows.length > 0) for (const line of offsetsTable(group.groupId, group.rows)) io.out(line);
  }
  return status;
}

/** Kafka's notes on a group's state; false for a group that does not exist (after its error line). */
function noteState(groupId: string, state: string, io: CliIo): boolean {
  if (state === "Dead") {
    io.err(`ERROR Consumer group '${groupId}' does not exist.`);
    return false;
  }
  if (state === "Empty") io.err(`\nConsumer group '${groupId}' has no active members.`);
  else if (state !== "Stable") io.err(`\nWarning: Consumer group '${groupId}' is rebalancing.`);
  return true;
}

async function coordinatorOf(admin: Admin): Promise<string> {
  const cluster = await admin.describeCluster();
  const broker = cluster.brokers.find((b) => b.nodeId === cluster.controller) ?? cluster.brokers[0];
  if (broker === undefined) return "-";
  const url = new URL(broker.url);
  const port = url.port === "" ? (url.protocol === "wss:" ? "443" : "80") : url.port;
  return `${url.hostname}:${port}  (${broker.nodeId})`;
}

async function deleteGroups(admin: Admin, groupIds: string[], io: CliIo): Promise<number> {
  if (groupIds.length === 0) return 0;
  const outcomes = await admin.deleteGroups(groupIds);
  const deleted = outcomes.filter((o) => o.error === undefined).map((o) => o.groupId);
  const failed = outcomes.filter((o) => o.error !== undefined);
  if (failed.length === 0) {
    io.out(`Deletion of requested consumer groups ('${deleted.join("', '")}') was successful.`);
    return 0;
  }
  for (const f of failed) io.err(`ERROR Group '${f.groupId}' could not be deleted due to: ${f.error!.message}`);
  if (deleted.length > 0) io.out(`These consumer groups were deleted successfully: '${deleted.join("', '")}'`);
  return 1;
}

async function reset(admin: Admin, groupIds: string[], args: ParsedArgs, io: CliIo): Promise<number> {
  const spec = resetSpec(args, NAME);
  const topics = args.flag("all-topics") ? undefined : resetTopics(args.strings("topic"), NAME);
  const execute = args.flag("execute");
  if (!execute && !args.flag("dry-run")) {
    io.err(
      "WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this " +
        "command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option " +
        "explicitly if you are scripting this command and want to keep the current default behavior without prompting.",
    );
  }
  for (const groupId of groupIds) {
    const result = await admin.resetOffsets({ groupId, spec, execute, force: args.flag("force"), ...(topics === undefined ? {} : { topics }) });
    for (const p of result.partitions) if (p.warning !== undefined) io.err(`WARN: ${p.warning}`);
    for (const line of resetTable(groupId, result.partitions)) io.out(line);
  }
  return 0;
}
