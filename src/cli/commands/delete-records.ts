/**
 * `edgelog delete-records`: Kafka's `kafka-delete-records.sh` — moves partitions' log start
 * forward, deleting every record before the offsets of a JSON file in Kafka's shape:
 *
 * ```
 * $ cat delete.json
 * {"partitions":[{"topic":"test","partition":0,"offset":3}],"version":1}
 * $ edgelog delete-records --bootstrap-server localhost:9092 --offset-json-file delete.json
 * Executing records delete operation
 * Records delete operation completed:
 * partition: test-0	low_watermark: 3
 * ```
 *
 * An offset of -1 deletes up to the high watermark. A partition that fails prints
 * `partition: t-0	error: <message>` and makes the status 1.
 *
 * @example
 * ```sh
 * edgelog delete-records --bootstrap-server localhost:9092 --offset-json-file delete.json
 * ```
 * @module
 */
import type { ArgSpec } from "../args.ts";
import type { Command } from "../command.ts";
import { bootstrapServers, withAdmin } from "../tools/bootstrap.ts";
import { readTextFile } from "../tools/input-file.ts";
import { parseToolArgs, required } from "../tools/tool-args.ts";

const NAME = "delete-records";

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "offset-json-file": { type: "string" },
    "command-config": { type: "string" },
  },
};

const HELP = `Usage: edgelog delete-records --bootstrap-server <host:port|ws-url>[,...] --offset-json-file <file>

Deletes the records of partitions before the given offsets, as Kafka's kafka-delete-records.sh.

Options:
      --bootstrap-server <list>  REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --offset-json-file <file>  REQUIRED: the JSON file with the offset per partition:
                                 {"partitions": [{"topic": "foo", "partition": 1, "offset": 1}], "version": 1}
                                 (offset -1: up to the high watermark)
  -h, --help                     Show this help`;

/**
 * One partition to truncate: records before `offset` go (-1: up to the high watermark).
 *
 * @example
 * ```ts
 * const target: OffsetTarget = { topic: "test", partition: 0, offset: 3 };
 * ```
 */
export interface OffsetTarget {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * The `delete-records` command.
 *
 * @example
 * ```ts
 * await deleteRecordsCommand.run(["--bootstrap-server", "localhost:9092", "--offset-json-file", "delete.json"], io);
 * ```
 */
export const deleteRecordsCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const brokers = bootstrapServers(args.string("bootstrap-server"), NAME);
    const path = required(args, "offset-json-file", NAME);
    const targets = parseOffsetJson(await readTextFile(path));
    return withAdmin(brokers, "edgelog-delete-records", async ({ admin }) => {
      io.out("Executing records delete operation");
      const byTopic = new Map<string, OffsetTarget[]>();
      for (const t of targets) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), t]);
      const lines: string[] = [];
      let failed = false;
      for (const [topic, partitions] of byTopic) {
        try {
          const results = await admin.deleteRecords({ topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: p.offset })) });
          for (const r of results) lines.push(`partition: ${topic}-${r.partition}\tlow_watermark: ${r.lowWatermark}`);
        } catch (error) {
          failed = true;
          const message = error instanceof Error ? error.message : String(error);
          const partition = (error as { details?: { partition?: unknown } }).details?.partition;
          const which = typeof partition === "number" ? [partition] : partitions.map((p) => p.partition);
          for (const p of which) lines.push(`partition: ${topic}-${p}\terror: ${message}`);
        }
      }
      io.out("Records delete operation completed:");
      for (const line of lines) io.out(line);
      return failed ? 1 : 0;
    });
  },
};

/**
 * Reads Kafka's offset JSON (version 1); a malformed file is an `Error` with Kafka's message.
 *
 * @example
 * ```ts
 * parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":3}],"version":1}'); // [{ topic: "t", partition: 0, offset: 3 }]
 * ```
 */
export function parseOffsetJson(text: string): OffsetTarget[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("The input string is not a valid JSON");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new Error("The input string is not a valid JSON object");
  const { version = 1, partitions } = json as { version?: unknown; partitions?: unknown };
  if (version !== 1) throw new Error(`Not supported version field value ${JSON.stringify(version)}`);
  if (partitions === undefined) throw new Error("Missing partitions field");
  if (!Array.isArray(partitions)) throw new Error("The partitions field must be a list");
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  const targets = partitions.map((p: unknown, i) => {
    const entry = (p ?? {}) as Record<string, unknown>;
    const { topic, partition, offset } = entry;
    if (typeof topic !== "string" || topic === "") throw new Error(`partitions[${i}] needs a topic name`);
    if (typeof partition !== "number" || !Number.isInteger(partition) || partition < 0) throw new Error(`partitions[${i}].partition must be an integer ≥ 0`);
    if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < -1) throw new Error(`partitions[${i}].offset must be an integer ≥ -1`);
    const key = `${topic}-${partition}`;
    if (seen.has(key)) duplicates.add(key);
    seen.add(key);
    return { topic, partition, offset };
  });
  if (duplicates.size > 0) throw new Error(`Offset json file contains duplicate topic partitions: ${[...duplicates].join(",")}`);
  return targets;
}
