/**
 * The compression codecs of a RecordBatch, by the number in bits 0-2 of its attributes:
 * 0 none and 1 gzip (through the web-standard `CompressionStream`/`DecompressionStream`, which
 * Node 20+, Bun, Deno and browsers all provide). 2 snappy, 3 lz4 and 4 zstd are Kafka codecs that
 * edgelog does not carry: they fail with `UNSUPPORTED_COMPRESSION_TYPE`; 5-7 are not codecs at all
 * and fail with `CORRUPT_MESSAGE`.
 *
 * Decompression stops at a byte limit so that a small batch cannot expand into gigabytes
 * (a "decompression bomb"): past the limit it fails with `MESSAGE_TOO_LARGE`.
 *
 * @example
 * ```ts
 * const packed = await compress(COMPRESSION.gzip, recordsBytes);
 * const again = await decompress(COMPRESSION.gzip, packed, 1 << 20);
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { COMPRESSION } from "./batch-header.ts";

/**
 * How many bytes a batch's records may take once decompressed, unless the caller says otherwise:
 * 64 MiB, well above Kafka's default `message.max.bytes` (1 MiB) times gzip's usual ratios.
 *
 * @example
 * ```ts
 * await decompress(COMPRESSION.gzip, packed, DEFAULT_MAX_DECOMPRESSED_BYTES);
 * ```
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

const CODEC_NAMES = ["none", "gzip", "snappy", "lz4", "zstd"] as const;

/**
 * The name of codec number `codec`, or undefined for a number that is no Kafka codec.
 *
 * @example
 * ```ts
 * compressionName(1); // "gzip"
 * ```
 */
export function compressionName(codec: number): (typeof CODEC_NAMES)[number] | undefined {
  return CODEC_NAMES[codec];
}

/**
 * Throws unless edgelog can compress and decompress with codec number `codec` (0 or 1).
 *
 * @example
 * ```ts
 * assertSupportedCompression(header.compression); // EdgelogError UNSUPPORTED_COMPRESSION_TYPE for lz4
 * ```
 */
export function assertSupportedCompression(codec: number): void {
  if (codec === COMPRESSION.none || codec === COMPRESSION.gzip) return;
  const name = compressionName(codec);
  if (name !== undefined) {
    throw new EdgelogError("UNSUPPORTED_COMPRESSION_TYPE", `Compression ${name} is not supported; use none or gzip`);
  }
  throw new EdgelogError("CORRUPT_MESSAGE", `Unknown compression type ${codec}`);
}

/**
 * Compresses `data` with codec number `codec`. `none` returns `data` itself.
 *
 * @example
 * ```ts
 * const packed = await compress(COMPRESSION.gzip, new TextEncoder().encode("hello"));
 * ```
 */
export async function compress(codec: number, data: Uint8Array): Promise<Uint8Array> {
  assertSupportedCompression(codec);
  if (codec === COMPRESSION.none) return data;
  return await pipe(new CompressionStream("gzip"), data, Infinity, "compress");
}

/**
 * Decompresses `data` with codec number `codec`, producing at most `maxBytes` bytes: more is
 * `EdgelogError("MESSAGE_TOO_LARGE")`, data that is not valid for the codec is `CORRUPT_MESSAGE`.
 * `none` returns `data` itself (after the same size check).
 *
 * @example
 * ```ts
 * const records = await decompress(header.compression, packed, DEFAULT_MAX_DECOMPRESSED_BYTES);
 * ```
 */
export async function decompress(codec: number, data: Uint8Array, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Promise<Uint8Array> {
  assertSupportedCompression(codec);
  if (codec === COMPRESSION.none) {
    if (data.length > maxBytes) throw tooLarge(maxBytes);
    return data;
  }
  return await pipe(new DecompressionStream("gzip"), data, maxBytes, "decompress");
}

async function pipe(
  stream: CompressionStream | DecompressionStream,
  data: Uint8Array,
  maxBytes: number,
  action: "compress" | "decompress",
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // Not awaited: the writes complete as the readable side is drained below. Their failures
  // surface through read(); these handlers only keep them from being reported as unhandled.
  writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof EdgelogError) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    throw new EdgelogError("CORRUPT_MESSAGE", `Cannot ${action} gzip data: ${reason}`, { cause: e });
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const chunk of chunks) {
    out.set(chunk, pos);
    pos += chunk.length;
  }
  return out;
}

function tooLarge(maxBytes: number): EdgelogError {
  return new EdgelogError("MESSAGE_TOO_LARGE", `Decompressed records exceed ${maxBytes} bytes`, {
    details: { maxDecompressedBytes: maxBytes },
  });
}
