/**
 * The lines `dump-log` prints for a segment's `.log` file, as Kafka's DumpLogSegments prints them:
 * one line per batch (`baseOffset: 0 lastOffset: 2 count: 3 … crc: 123 isvalid: true`) and, with
 * deep iteration, one per record (`| offset: 0 CreateTime: … keySize: … valueSize: … sequence: -1
 * headerKeys: [] key: … payload: …`). The file is read batch by batch, so a segment of any size
 * takes memory for one batch at a time; a torn or corrupt tail ends the listing with Kafka's "Found N
 * invalid bytes at the end of <file>".
 *
 * @example
 * ```ts
 * await dumpLogFile("data/t-0/00000000000000000000.log", { deep: true, printData: true }, (line) => console.log(line));
 * ```
 * @module
 */
import { open } from "node:fs/promises";
import { BATCH, BatchHeader } from "../../core/record/batch-header.ts";
import { decodeRecordBatch, type DecodedRecord } from "../../core/record/record-batch.ts";

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"];
const INT32_MAX = 0x7fff_ffff;
const text = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * How much of each record {@link dumpLogFile} prints.
 *
 * @example
 * ```ts
 * const options: LogDumpOptions = { deep: true, printData: true, skipRecordMetadata: false };
 * ```
 */
export interface LogDumpOptions {
  /** A line per record (Kafka's --deep-iteration; implied by printData). */
  deep?: boolean;
  /** Keys and payloads as text (Kafka's --print-data-log). */
  printData?: boolean;
  /** Record lines without offset, timestamp, sizes, sequence and header keys. */
  skipRecordMetadata?: boolean;
  /** Read at most this many bytes of the file (Kafka's --max-bytes); the tail is then not reported. */
  maxBytes?: number;
}

/**
 * Prints the batches (and records) of one `.log` file through `out`; problems a record decoder
 * finds go to `err`. Rejects only when the file cannot be read at all.
 *
 * @example
 * ```ts
 * await dumpLogFile(path, {}, io.out, io.err);
 * ```
 */
export async function dumpLogFile(path: string, options: LogDumpOptions, out: (line: string) => void, err: (line: string) => void): Promise<void> {
  const file = await open(path, "r");
  try {
    const size = (await file.stat()).size;
    const limit = options.maxBytes === undefined ? size : Math.min(size, options.maxBytes);
    const deep = options.deep === true || options.printData === true;
    let position = 0;
    let lastOffset = -1;
    const gaps: [number, number][] = [];
    for (;;) {
      const batch = await readBatch(file, position, limit);
      if (batch === undefined) break;
      const header = new BatchHeader(batch, 0);
      out(batchLine(header, position));
      if (deep) {
        try {
          const decoded = await decodeRecordBatch(batch, 0, { checkCrc: false });
          for (const record of decoded.records) {
            if (lastOffset !== -1 && record.offset !== lastOffset + 1) gaps.push([lastOffset, record.offset]);
            lastOffset = record.offset;
            out(recordLine(header, record, options));
          }
        } catch (error) {
          err(`Cannot read the records of the batch at position ${position}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      position += batch.length;
    }
    if (position < size && options.maxBytes === undefined) out(`Found ${size - position} invalid bytes at the end of ${baseName(path)}`);
    if (gaps.length > 0) {
      err(`Non-consecutive offsets in ${path}`);
      for (const [a, b] of gaps) err(`  ${a} is followed by ${b}`);
    }
  } finally {
    await file.close();
  }
}

/**
 * The bytes of the whole, well-framed batch at `position`, or undefined at the end of the readable
 * part (no room for a header, a length past `limit`, a magic other than 2).
 *
 * @example
 * ```ts
 * const batch = await readBatch(file, 0, size);
 * ```
 */
export async function readBatch(file: { read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> }, position: number, limit: number): Promise<Uint8Array | undefined> {
  if (limit - position < BATCH.HEADER_SIZE) return undefined;
  const head = new Uint8Array(BATCH.HEADER_SIZE);
  if ((await file.read(head, 0, head.length, position)).bytesRead < head.length) return undefined;
  const header = new BatchHeader(head, 0);
  const length = header.batchLength;
  if (length < BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD || header.magic !== BATCH.MAGIC_V2) return undefined;
  const total = BATCH.LOG_OVERHEAD + length;
  if (total > limit - position) return undefined;
  if (header.lastOffsetDelta < 0 || header.recordCount < 0) return undefined;
  const bytes = new Uint8Array(total);
  if ((await file.read(bytes, 0, total, position)).bytesRead < total) return undefined;
  return bytes;
}

/**
 * Kafka's batch line.
 *
 * @example
 * ```ts
 * batchLine(new BatchHeader(bytes), 0); // "baseOffset: 0 lastOffset: 2 count: 3 baseSequence: -1 ..."
 * ```
 */
export function batchLine(h: BatchHeader, position: number): string {
  const lastSequence = h.baseSequence < 0 ? -1 : addSequence(h.baseSequence, h.lastOffsetDelta);
  const horizon = h.hasDeleteHorizon ? `OptionalLong[${h.baseTimestamp}]` : "OptionalLong.empty";
  return (
    `baseOffset: ${h.baseOffset} lastOffset: ${h.lastOffset} count: ${h.recordCount} baseSequence: ${h.baseSequence} ` +
    `lastSequence: ${lastSequence} producerId: ${h.producerId} producerEpoch: ${h.producerEpoch} ` +
    `partitionLeaderEpoch: ${h.partitionLeaderEpoch} isTransactional: ${h.isTransactional} isControl: ${h.isControl} ` +
    `deleteHorizonMs: ${horizon} position: ${position} ${h.timestampType}: ${h.maxTimestamp} size: ${h.sizeInBytes} ` +
    `magic: ${h.magic} compresscodec: ${CODECS[h.compression] ?? `unknown(${h.compression})`} crc: ${h.crc} isvalid: ${h.isCrcValid()}`
  );
}

/**
 * Kafka's record line of a deep iteration.
 *
 * @example
 * ```ts
 * recordLine(header, record, { printData: true }); // "| offset: 0 CreateTime: 1700000000000 keySize: -1 valueSize: 5 sequence: -1 headerKeys: [] payload: hello"
 * ```
 */
export function recordLine(h: BatchHeader, record: DecodedRecord, options: LogDumpOptions): string {
  let line = "";
  let prefix = "| ";
  if (options.skipRecordMetadata !== true) {
    const sequence = h.baseSequence < 0 ? -1 : addSequence(h.baseSequence, record.offset - h.baseOffset);
    line +=
      `${prefix}offset: ${record.offset} ${h.timestampType}: ${record.timestamp} keySize: ${record.key?.length ?? -1} ` +
      `valueSize: ${record.value?.length ?? -1} sequence: ${sequence} headerKeys: [${record.headers.map((x) => x.key).join(",")}]`;
    prefix = " ";
  }
  if (options.printData === true && !h.isControl) {
    if (record.key !== null) {
      line += `${prefix}key: ${text.decode(record.key)}`;
      prefix = " ";
    }
    if (record.value !== null) line += ` payload: ${text.decode(record.value)}`;
  }
  return line;
}

/** Kafka's sequence arithmetic: int32 that wraps to 0 after its maximum. */
function addSequence(base: number, delta: number): number {
  return base > INT32_MAX - delta ? delta - (INT32_MAX - base) - 1 : base + delta;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
