/**
 * `edgelog configs`: Kafka's `kafka-configs.sh` for topics and brokers — describe configs and
 * set or delete topic overrides.
 *
 * ```
 * $ edgelog configs --bootstrap-server localhost:9092 --entity-type topics --entity-name hello.kafka --alter --add-config retention.ms=86400000
 * Completed updating config for topic hello.kafka.
 * $ edgelog configs --bootstrap-server localhost:9092 --entity-type topics --entity-name hello.kafka --describe
 * Dynamic configs for topic hello.kafka are:
 *   retention.ms=86400000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=86400000}
 * ```
 *
 * - `--describe` lists the dynamic configs (a topic's own overrides; a broker has none, its keys are
 *   read-only), `--all` every key. `synonyms` lists, as Kafka's, where a value comes from: the topic
 *   override, then broker settings that supply the default when the broker sets them, or the default.
 * - `--add-config k=v,k2=[a,b]` (or `--add-config-file`) sets keys and `--delete-config k,k2` resets
 *   them, in one change that applies all or none. Deleting a key that is not set is refused with
 *   Kafka's "Invalid config(s): k".
 *
 * @example
 * ```sh
 * edgelog configs --bootstrap-server localhost:9092 --entity-type brokers --entity-name 0 --describe --all
 * ```
 * @module
 */
import type { Admin } from "../../client/admin.ts";
import type { ConfigEntryDescription } from "../../client/admin-types.ts";
import { topicConfigKey } from "../../core/topic/topic-config.ts";
import type { ArgSpec, ParsedArgs } from "../args.ts";
import type { CliIo, Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, withAdmin } from "../tools/bootstrap.ts";
import { listClusterTopics } from "../tools/cluster-topics.ts";
import { readPropertiesFile } from "../tools/key-values.ts";
import { oneAction, parseToolArgs } from "../tools/tool-args.ts";

const NAME = "configs";
const ENTITY_TYPES = { topics: "topic", topic: "topic", brokers: "broker", broker: "broker" } as const;
type EntityType = "topic" | "broker";

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "command-config": { type: "string" },
    "entity-type": { type: "string" },
    "entity-name": { type: "string" },
    topic: { type: "string" },
    broker: { type: "string" },
    describe: { type: "boolean" },
    alter: { type: "boolean" },
    all: { type: "boolean" },
    "add-config": { type: "string" },
    "add-config-file": { type: "string" },
    "delete-config": { type: "string" },
  },
};

const HELP = `Usage: edgelog configs --bootstrap-server <host:port|ws-url>[,...] --entity-type topics|brokers [--entity-name <name>] (--describe [--all] | --alter [--add-config <k=v,...>] [--delete-config <k,...>])

Describes and changes topic configs, and describes broker configs, as Kafka's kafka-configs.sh.

Options:
      --bootstrap-server <list>  REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --entity-type <type>       topics or brokers
      --entity-name <name>       The topic name or broker id (--describe without it: every topic or broker)
      --topic <name>             Same as --entity-type topics --entity-name <name>
      --broker <id>              Same as --entity-type brokers --entity-name <id>
      --describe                 List the dynamic configs (--all: every config with its value)
      --all                      With --describe: every config, not only the dynamic ones
      --alter                    Change configs:
      --add-config <k=v,...>     Keys to set, comma-separated; a list value in brackets: k=[a,b]
      --add-config-file <file>   Keys to set, from a properties file
      --delete-config <k,...>    Keys to reset to their defaults, comma-separated
  -h, --help                     Show this help

Broker configs are read-only at runtime: they come from server.properties.`;

/**
 * The `configs` command.
 *
 * @example
 * ```ts
 * await configsCommand.run(["--bootstrap-server", "localhost:9092", "--entity-type", "topics", "--entity-name", "t", "--describe"], io);
 * ```
 */
export const configsCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const action = oneAction(args, ["describe", "alter"] as const, NAME);
    const brokers = bootstrapServers(args.string("bootstrap-server"), NAME);
    const { type, name } = entityOf(args);
    if (action === "alter" && name === undefined) throw new UsageError("--entity-name must be specified with --alter", NAME);
    const set = args.string("add-config") === undefined ? new Map<string, string>() : parseAddConfig(args.string("add-config")!);
    const file = args.string("add-config-file");
    if (file !== undefined) for (const [k, v] of await readPropertiesFile(file)) set.set(k, v);
    const remove = (args.string("delete-config") ?? "").split(",").map((k) => k.trim()).filter((k) => k !== "");
    if (action === "alter" && set.size === 0 && remove.length === 0) throw new UsageError("--alter needs --add-config, --add-config-file or --delete-config", NAME);
    if (action === "describe" && (set.size > 0 || remove.length > 0)) throw new UsageError("--add-config and --delete-config need --alter", NAME);

    return withAdmin(brokers, "edgelog-configs", async ({ admin, connection }) => {
      if (action === "alter") {
        const current = await describeOne(admin, type, name!);
        const missing = remove.filter((k) => !current.some((e) => e.configName === k && isDynamic(e)));
        if (missing.length > 0) throw new Error(`Invalid config(s): ${missing.join(",")}`);
        await admin.alterConfigs({ resources: [{ type, name: name!, set: Object.fromEntries(set), delete: remove }] });
        io.out(`Completed updating config for ${type} ${name}.`);
        return 0;
      }
      const names =
        name !== undefined
          ? [name]
          : type === "topic"
            ? (await listClusterTopics(connection)).map((t) => t.name)
            : (await admin.describeCluster()).brokers.map((b) => String(b.nodeId));
      const brokerEntries = await brokerEntriesFor(admin, type);
      for (const entity of names) await describe(admin, type, entity, args.flag("all"), brokerEntries, io);
      return 0;
    });
  },
};

function entityOf(args: ParsedArgs): { type: EntityType; name: string | undefined } {
  const topic = args.string("topic");
  const broker = args.string("broker");
  const entityType = args.string("entity-type");
  if ([topic, broker, entityType].filter((v) => v !== undefined).length !== 1) {
    throw new UsageError("Give exactly one of --entity-type, --topic and --broker", NAME);
  }
  if (topic !== undefined) return { type: "topic", name: topic };
  if (broker !== undefined) return { type: "broker", name: checkBrokerId(broker) };
  const type = (ENTITY_TYPES as Record<string, EntityType | undefined>)[entityType!];
  if (type === undefined || !Object.hasOwn(ENTITY_TYPES, entityType!)) {
    throw new UsageError(`Invalid entity type ${entityType}, the entity type must be one of topics, brokers`, NAME);
  }
  const name = args.string("entity-name");
  return { type, name: type === "broker" && name !== undefined ? checkBrokerId(name) : name };
}

function checkBrokerId(name: string): string {
  if (!/^\d+$/.test(name)) throw new UsageError(`The entity name for brokers must be a valid integer broker id, but it is: ${name}`, NAME);
  return String(Number(name));
}

/** `k=v,k2=[a,b]`: keys and values split at commas outside brackets; brackets are dropped. */
function parseAddConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  let start = 0;
  const pairs: string[] = [];
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === "[") depth++;
    else if (c === "]") depth = Math.max(0, depth - 1);
    else if ((c === "," && depth === 0) || i === text.length) {
      pairs.push(text.slice(start, i));
      start = i + 1;
    }
  }
  for (const pair of pairs) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--add-config expects key=value pairs, got ${JSON.stringify(pair)}`, NAME);
    const value = pair.slice(eq + 1).trim();
    out.set(pair.slice(0, eq).trim(), value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value);
  }
  return out;
}

function isDynamic(e: ConfigEntryDescription): boolean {
  return e.configSource === "DYNAMIC_TOPIC_CONFIG" || e.configSource === "DYNAMIC_BROKER_CONFIG";
}

async function describeOne(admin: Admin, type: EntityType, name: string): Promise<ConfigEntryDescription[]> {
  const { resources } = await admin.describeConfigs({ resources: [{ type, name }] });
  return resources[0]?.configEntries ?? [];
}

/** The broker's own settings, which name the synonyms of topic keys; empty for broker entities. */
async function brokerEntriesFor(admin: Admin, type: EntityType): Promise<Map<string, ConfigEntryDescription>> {
  if (type !== "topic") return new Map();
  const cluster = await admin.describeCluster();
  const id = cluster.brokers[0]?.nodeId ?? cluster.controller;
  const entries = await describeOne(admin, "broker", String(id)).catch(() => []);
  return new Map(entries.map((e) => [e.configName, e]));
}

async function describe(admin: Admin, type: EntityType, name: string, all: boolean, brokerEntries: Map<string, ConfigEntryDescription>, io: CliIo): Promise<void> {
  const entries = await describeOne(admin, type, name);
  io.out(`${all ? "All" : "Dynamic"} configs for ${type} ${name} are:`);
  for (const e of entries) {
    if (!all && !isDynamic(e)) continue;
    const synonyms = synonymsOf(e, type, brokerEntries).join(", ");
    io.out(`  ${e.configName}=${e.configValue ?? "null"} sensitive=${e.isSensitive} synonyms={${synonyms}}`);
  }
}

function synonymsOf(e: ConfigEntryDescription, type: EntityType, brokerEntries: Map<string, ConfigEntryDescription>): string[] {
  const out: string[] = [];
  if (e.configSource !== "DEFAULT_CONFIG" && (type === "broker" || e.configSource === "DYNAMIC_TOPIC_CONFIG")) {
    out.push(`${e.configSource}:${e.configName}=${e.configValue ?? "null"}`);
  }
  if (type === "topic") {
    for (const synonym of topicConfigKey(e.configName)?.brokerSynonyms ?? []) {
      const set = brokerEntries.get(synonym.name);
      if (set !== undefined && set.configSource === "STATIC_BROKER_CONFIG") out.push(`STATIC_BROKER_CONFIG:${synonym.name}=${set.configValue ?? "null"}`);
    }
  }
  if (e.configSource === "DEFAULT_CONFIG") out.push(`DEFAULT_CONFIG:${e.configName}=${e.configValue ?? "null"}`);
  return out;
}
