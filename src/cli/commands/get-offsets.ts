/**
 * `edgelog get-offsets`: Kafka's `kafka-get-offsets.sh` (GetOffsetShell) — an offset of each
 * partition, printed `topic:partition:offset` in Kafka's order (by "topic-partition" as text).
 *
 * ```
 * $ edgelog get-offsets --bootstrap-server localhost:9092 --topic test
 * test:0:42
 * ```
 *
 * `--time` chooses which offset: `-1`/`latest` (the high watermark, the default), `-2`/`earliest`
 * (the log start), `-3`/`max-timestamp` is not available, or a time in ms (the first offset with a
 * timestamp at or after it; partitions without one are left out, as Kafka does). `--topic` is a
 * regular expression over whole topic names; `--partitions 0,2` narrows the partitions. Nothing
 * matching is an error.
 *
 * @example
 * ```sh
 * edgelog get-offsets --bootstrap-server localhost:9092 --topic test --time earliest
 * ```
 * @module
 */
import type { OffsetSpec } from "../../client/admin-types.ts";
import type { ArgSpec } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { bootstrapServers, withAdmin } from "../tools/bootstrap.ts";
import { includeList, listClusterTopics } from "../tools/cluster-topics.ts";
import { parseInteger, parseToolArgs } from "../tools/tool-args.ts";

const NAME = "get-offsets";

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "broker-list": { type: "string" },
    topic: { type: "string" },
    partitions: { type: "string" },
    time: { type: "string" },
    "exclude-internal-topics": { type: "boolean" },
    "command-config": { type: "string" },
  },
};

const HELP = `Usage: edgelog get-offsets --bootstrap-server <host:port|ws-url>[,...] [--topic <regex>] [--partitions <p,...>] [--time <time>]

Prints an offset of each partition as topic:partition:offset, as Kafka's kafka-get-offsets.sh.

Options:
      --bootstrap-server <list>  REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --topic <regex>            Topics whose whole name matches (default: every topic)
      --partitions <p,...>       Only these partitions, comma-separated
      --time <time>              -1 or latest (the high watermark, default), -2 or earliest (the log start),
                                 or a time in ms since the epoch (the first offset at or after it)
      --exclude-internal-topics  Leave out internal topics
  -h, --help                     Show this help`;

/**
 * The `get-offsets` command.
 *
 * @example
 * ```ts
 * await getOffsetsCommand.run(["--bootstrap-server", "localhost:9092", "--topic", "t", "--time", "-2"], io);
 * ```
 */
export const getOffsetsCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const brokers = bootstrapServers(args.string("bootstrap-server") ?? args.string("broker-list"), NAME);
    const spec = offsetSpec(args.string("time") ?? "latest");
    const wanted = args.string("partitions")?.split(",").map((p) => parseInteger(p, "--partitions", NAME, { min: 0 }));
    const pattern = args.string("topic");
    const matches = pattern === undefined ? () => true : includeList(pattern, NAME);

    return withAdmin(brokers, "edgelog-get-offsets", async ({ admin, connection }) => {
      const topics = (await listClusterTopics(connection)).filter((t) => !(t.internal && args.flag("exclude-internal-topics")) && matches(t));
      const lines: { key: string; line: string }[] = [];
      let partitionCount = 0;
      for (const topic of topics) {
        const partitions = topic.partitions.map((p) => p.partition).filter((p) => wanted === undefined || wanted.includes(p));
        partitionCount += partitions.length;
        if (partitions.length === 0) continue;
        const offsets = await admin.listOffsets({ topic: topic.name, partitions: partitions.map((partition) => ({ partition, timestamp: spec })) });
        for (const o of offsets) if (o.offset >= 0) lines.push({ key: `${topic.name}-${o.partition}`, line: `${topic.name}:${o.partition}:${o.offset}` });
      }
      if (partitionCount === 0) throw new Error("Could not match any topic-partitions with the specified filters");
      lines.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const { line } of lines) io.out(line);
      return 0;
    });
  },
};

function offsetSpec(text: string): OffsetSpec {
  const t = text.trim();
  if (t === "latest" || t === "-1") return "latest";
  if (t === "earliest" || t === "-2") return "earliest";
  if (t === "max-timestamp" || t === "-3" || t === "earliest-local" || t === "-4" || t === "latest-tiered" || t === "-5") {
    throw new UsageError(`--time ${t} is not available in edgelog: use -1 or latest, -2 or earliest, or a timestamp in ms`, NAME);
  }
  if (/^\d+$/.test(t) && Number.isSafeInteger(Number(t))) return Number(t);
  throw new UsageError(`Malformed time argument ${text}. Please use -1 or latest / -2 or earliest, or a specified long format timestamp`, NAME);
}
