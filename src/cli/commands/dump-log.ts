/**
 * `edgelog dump-log`: Kafka's `kafka-dump-log.sh` — decodes segment files offline, without a
 * broker: `.log` files batch by batch (with `--print-data-log` or `--deep-iteration` record by
 * record), `.index` and `.timeindex` files entry by entry.
 *
 * ```
 * $ edgelog dump-log --files data/test-0/00000000000000000000.log --print-data-log
 * Dumping data/test-0/00000000000000000000.log
 * Starting offset: 0
 * baseOffset: 0 lastOffset: 0 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000000 size: 74 magic: 2 compresscodec: none crc: 1961484543 isvalid: true
 * | offset: 0 CreateTime: 1700000000000 keySize: -1 valueSize: 5 sequence: -1 headerKeys: [] payload: hello
 * ```
 *
 * A torn or corrupt tail is reported ("Found 13 invalid bytes at the end of …"), not a crash; files
 * of other kinds are skipped with "Ignoring unknown file …"; a file that cannot be read is an error
 * line, the others are still dumped, and the status is 1.
 *
 * @example
 * ```sh
 * edgelog dump-log --files 00000000000000000000.log,00000000000000000000.index
 * ```
 * @module
 */
import { stat } from "node:fs/promises";
import type { ArgSpec } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { baseOffsetOf, dumpOffsetIndex, dumpTimeIndex } from "../tools/index-dump.ts";
import { dumpLogFile } from "../tools/segment-dump.ts";
import { integerOption, parseToolArgs } from "../tools/tool-args.ts";

const NAME = "dump-log";

const ARGS: ArgSpec = {
  options: {
    files: { type: "string", multiple: true },
    "print-data-log": { type: "boolean" },
    "deep-iteration": { type: "boolean" },
    "skip-record-metadata": { type: "boolean" },
    "verify-index-only": { type: "boolean" },
    "index-sanity-check": { type: "boolean" },
    "max-bytes": { type: "string" },
    "key-decoder-class": { type: "string" },
    "value-decoder-class": { type: "string" },
  },
  maxPositionals: Number.MAX_SAFE_INTEGER,
};

const HELP = `Usage: edgelog dump-log --files <file>[,<file>...] [--print-data-log] [options]

Decodes segment files offline, as Kafka's kafka-dump-log.sh: .log files batch by batch, .index
and .timeindex files entry by entry.

Options:
      --files <files>            REQUIRED: the files, comma-separated; may be repeated
      --print-data-log           Print each record with its key and payload (as UTF-8 text)
      --deep-iteration           Print each record's metadata (implied by --print-data-log)
      --skip-record-metadata     With --print-data-log: keys and payloads only
      --verify-index-only        For index files: only check the entries against the log
      --index-sanity-check       For index files: only check that the file is whole
      --max-bytes <n>            Read at most this many bytes of each .log file
  -h, --help                     Show this help

A torn or corrupt tail is reported as "Found N invalid bytes at the end of <file>".`;

/**
 * The `dump-log` command.
 *
 * @example
 * ```ts
 * await dumpLogCommand.run(["--files", "00000000000000000000.log", "--print-data-log"], io);
 * ```
 */
export const dumpLogCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const files = [...args.strings("files"), ...args.positionals]
      .flatMap((f) => f.split(","))
      .map((f) => f.trim())
      .filter((f) => f !== "");
    if (args.strings("files").length === 0) throw new UsageError("missing required option --files", NAME);
    const maxBytes = integerOption(args, "max-bytes", NAME, { min: 0 });
    let status = 0;
    for (const file of files) {
      io.out(`Dumping ${file}`);
      const suffix = /\.[^./\\]*$/.exec(file)?.[0] ?? "";
      try {
        if (suffix === ".log") {
          const base = baseOffsetOf(file);
          if (base !== undefined) io.out(`Starting offset: ${base}`);
          await dumpLogFile(
            file,
            {
              deep: args.flag("deep-iteration"),
              printData: args.flag("print-data-log"),
              skipRecordMetadata: args.flag("skip-record-metadata"),
              ...(maxBytes === undefined ? {} : { maxBytes }),
            },
            io.out,
            io.err,
          );
        } else if (suffix === ".index" || suffix === ".timeindex") {
          if (args.flag("index-sanity-check")) {
            await sanityCheck(file, suffix === ".index" ? 8 : 12, io.out);
            continue;
          }
          const dump = suffix === ".index" ? dumpOffsetIndex : dumpTimeIndex;
          await dump(file, io.out, io.err, { verifyOnly: args.flag("verify-index-only") });
        } else {
          io.err(`Ignoring unknown file ${file}`);
        }
      } catch (error) {
        status = 1;
        io.err(`ERROR Cannot read ${file}: ${reason(error)}`);
      }
    }
    return status;
  },
};

async function sanityCheck(file: string, entrySize: number, out: (line: string) => void): Promise<void> {
  const size = (await stat(file)).size;
  if (size % entrySize !== 0) throw new Error(`Index file ${file} is corrupt, found ${size} bytes which is neither positive nor a multiple of ${entrySize}.`);
  out(`${file} passed sanity check.`);
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES") return "permission denied";
  return (error instanceof Error ? error.message : String(error)).split(/\r?\n/, 1)[0]!;
}
