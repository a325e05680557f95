/**
 * Deterministic generator of hostile WebSocket messages for fuzzing a broker: mutations of valid
 * requests (wrong types, huge numbers, missing and extra fields, random ops, then bit flips,
 * truncation and spliced bytes of their encoding), random CBOR items (tags, records, typed arrays,
 * big integers), random JSON values and text, random bytes, and now and then a frame over the
 * broker's frame limit. The same seed gives the same messages.
 *
 * Valid requests only ever name the fuzz topics ({@link FuzzContext.topics}) or a scratch topic, so
 * that the fuzzing never deletes or alters the topic a test keeps its acknowledged records in.
 *
 * @example
 * ```ts
 * const fuzzer = createFrameFuzzer(42, { topics: ["fuzz"], scratchTopic: "fuzz-scratch", maxFrameBytes: 65536 });
 * for (let i = 0; i < 1000; i++) client.sendRaw(fuzzer.next());
 * ```
 * @module
 */
import { Encoder } from "cbor-x/encode";
import { encodeRecordBatchSync } from "../../src/core/record/record-batch.ts";
import { encodeBase64 } from "../../src/protocol/base64.ts";
import { OP_NAMES, PLANNED_OP_NAMES } from "../../src/protocol/ops/index.ts";

/**
 * What the fuzzer may address.
 *
 * @example
 * ```ts
 * const context: FuzzContext = { topics: ["fuzz"], scratchTopic: "fuzz-scratch", maxFrameBytes: 65536 };
 * ```
 */
export interface FuzzContext {
  /** Topics valid requests read and write (created by the test). */
  topics: readonly string[];
  /** A topic valid requests may create, grow and delete. */
  scratchTopic: string;
  /** The broker's socket.request.max.bytes: oversize frames go just past it. */
  maxFrameBytes: number;
}

/**
 * One message: bytes go as a binary message, a string as a text message.
 *
 * @example
 * ```ts
 * const message: FuzzMessage = fuzzer.next();
 * client.sendRaw(message);
 * ```
 */
export type FuzzMessage = Uint8Array | string;

/**
 * A source of fuzz messages.
 *
 * @example
 * ```ts
 * const fuzzer: FrameFuzzer = createFrameFuzzer(seed, context);
 * ```
 */
export interface FrameFuzzer {
  next(): FuzzMessage;
}

/**
 * A small, fast, seedable PRNG (mulberry32) returning floats in [0, 1).
 *
 * @example
 * ```ts
 * const random = seededRandom(7);
 * random(); // the same first value for seed 7, every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** cbor-x as the broker decodes: plain maps. */
const plainCbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
/** cbor-x with its own extensions: record structures, packing, tagged typed arrays. */
const fancyCbor = new Encoder({ useRecords: true, structuredClone: true, pack: true });

const textEncoder = new TextEncoder();
const INTERESTING_NUMBERS = [
  0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 2 ** 63, 1e308, 1.5, Number.NaN,
  Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0x7fff, 0x8000, 65535, 104857600,
];
const INTERESTING_STRINGS = ["", "earliest", "latest", "all", "__proto__", "constructor", "toString", "é", "\u0000", "\ud800", "🦀", "a".repeat(300), "..", "."];
const FIELD_NAMES = ["id", "op", "topic", "topics", "partition", "partitions", "offset", "batches", "records", "acks", "from", "credit", "sub", "versions", "__proto__", "maxWaitMs", "timestamp", "key", "value", "headers"];

/**
 * Creates a message generator for one seed.
 *
 * @example
 * ```ts
 * const a = createFrameFuzzer(1, context).next();
 * const b = createFrameFuzzer(1, context).next(); // equal to a
 * ```
 */
export function createFrameFuzzer(seed: number, context: FuzzContext): FrameFuzzer {
  const random = seededRandom(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number): boolean => random() < p;
  const randomBytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = int(256);
    return out;
  };
  const topic = (): string => (chance(0.9) ? pick(context.topics) : context.scratchTopic);
  const sampleBatch = encodeRecordBatchSync({ records: [{ key: textEncoder.encode("k"), value: textEncoder.encode("fuzz") }], now: 1_700_000_000_000 });
  const sampleBase64 = encodeBase64(sampleBatch);
  let nextId = 1;

  function randomNumber(): number | bigint {
    switch (int(5)) {
      case 0:
        return pick(INTERESTING_NUMBERS);
      case 1:
        return int(100);
      case 2:
        return (random() - 0.5) * 2 ** int(70);
      case 3:
        return BigInt(int(2 ** 31)) * BigInt(2 ** 31) * (chance(0.5) ? -1n : 1n);
      default:
        return -int(10);
    }
  }

  function randomString(): string {
    if (chance(0.4)) return pick(INTERESTING_STRINGS);
    if (chance(0.3)) return pick([...OP_NAMES, ...PLANNED_OP_NAMES]);
    let s = "";
    const length = int(20);
    for (let i = 0; i < length; i++) s += String.fromCharCode(chance(0.8) ? 32 + int(95) : int(0x10000));
    return s;
  }

  function randomValue(depth = 0): unknown {
    const kind = int(depth > 2 ? 6 : 9);
    switch (kind) {
      case 0:
        return randomNumber();
      case 1:
        return randomString();
      case 2:
        return randomBytes(int(40));
      case 3:
        return pick([true, false, null, undefined]);
      case 4:
        return chance(0.5) ? sampleBatch : sampleBatch.subarray(0, int(sampleBatch.length));
      case 5:
        return pick([new Date(int(2 ** 40)), new Float64Array([random()]), new Set([1, "a"]), new Map<unknown, unknown>([[1, 2], ["k", null]])]);
      case 6:
        return Array.from({ length: int(5) }, () => randomValue(depth + 1));
      default: {
        const map: Record<string, unknown> = {};
        const count = int(6);
        for (let i = 0; i < count; i++) map[chance(0.6) ? pick(FIELD_NAMES) : randomString()] = randomValue(depth + 1);
        return map;
      }
    }
  }

  /** A well-formed request of a random op, addressing only the fuzz topics. */
  function validRequest(): Record<string, unknown> {
    const id = chance(0.95) ? nextId++ : int(5);
    const t = topic();
    const partition = int(3);
    const dataOps: (() => Record<string, unknown>)[] = [
      () => ({ op: "hello", versions: [1], clientId: "fuzz" }),
      () => ({ op: "metadata", topics: chance(0.5) ? [t] : null }),
      () => ({ op: "produce", acks: pick([0, 1, -1, "all"]), topic: t, partitions: [{ partition, batches: sampleBatch }] }),
      () => ({ op: "produce", acks: pick([0, 1]), topic: t, records: [{ key: randomString(), value: "v", headers: { h: "x" } }, { value: null }] }),
      () => ({ op: "produce", topic: t, partitions: [{ partition, records: [{ value: { base64: "AAE=" }, timestamp: int(2 ** 41) }] }] }),
      () => ({ op: "fetch", topic: t, partition, offset: int(50), maxWaitMs: int(50), maxBytes: 1 + int(5000), minBytes: int(2) }),
      () => ({ op: "listOffsets", topic: t, partitions: [{ partition, timestamp: pick(["earliest", "latest", -1, -2, 1_700_000_000_000]) }] }),
      () => ({ op: "subscribe", topic: t, partition, from: pick(["earliest", "latest", { offset: int(20) }, { timestamp: 0 }]), credit: { records: int(20), bytes: int(100_000) } }),
      () => ({ op: "credit", sub: 1 + int(5), records: int(10), bytes: int(10_000) }),
      () => ({ op: "unsubscribe", sub: 1 + int(5) }),
      () => ({ op: "describeConfigs", resources: [{ type: pick(["topic", "broker"]), name: pick([t, "0", "1"]) }] }),
    ];
    // Admin changes write the topic registry and create or delete log directories, with several
    // fsyncs each: they are rare and mostly validateOnly, so the broker is fuzzed rather than the disk.
    const validateOnly = !chance(0.1);
    const adminOps: (() => Record<string, unknown>)[] = [
      () => ({ op: "createTopics", topics: [{ topic: context.scratchTopic, numPartitions: 1 + int(3) }], validateOnly }),
      () => ({ op: "createPartitions", topics: [{ topic: context.scratchTopic, count: 1 + int(4) }], validateOnly }),
      () => ({ op: "alterConfigs", resources: [{ type: "topic", name: t, set: { "retention.ms": String(86_400_000 + int(1000)) } }], validateOnly }),
      () => (validateOnly ? { op: "metadata", topics: [context.scratchTopic] } : { op: "deleteTopics", topics: [context.scratchTopic] }),
      () => ({ op: "deleteRecords", topic: context.scratchTopic, partitions: [{ partition: 0, offset: int(3) - 1 }] }),
    ];
    return { id, ...(chance(0.04) ? pick(adminOps) : pick(dataOps))() };
  }

  /** Changes one field somewhere in a request: another value, a removed key, an added key. */
  function mutateValue(value: Record<string, unknown>): unknown {
    const steps = 1 + int(3);
    let root: unknown = value;
    for (let s = 0; s < steps; s++) {
      let holder: unknown = root;
      // walk down a random path of maps and arrays
      for (let depth = 0; depth < 3 && chance(0.5); depth++) {
        const children = childKeys(holder);
        if (children.length === 0) break;
        const next = (holder as Record<string, unknown>)[pick(children)];
        if (typeof next !== "object" || next === null || ArrayBuffer.isView(next)) break;
        holder = next;
      }
      const keys = childKeys(holder);
      if (keys.length === 0) {
        root = randomValue();
        continue;
      }
      const target = holder as Record<string, unknown>;
      const key = pick(keys);
      switch (int(6)) {
        case 0:
          delete target[key];
          break;
        case 1:
          target[chance(0.5) ? pick(FIELD_NAMES) : randomString()] = randomValue();
          break;
        case 2:
          target[key] = randomNumber();
          break;
        case 3:
          target[key] = randomString();
          break;
        default:
          target[key] = randomValue();
      }
    }
    if (chance(0.1) && typeof root === "object" && root !== null) (root as Record<string, unknown>)["op"] = randomString();
    return root;
  }

  function encode(value: unknown): FuzzMessage {
    if (chance(0.3)) {
      try {
        return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v instanceof Uint8Array ? (v === sampleBatch ? sampleBase64 : encodeBase64(v)) : v));
      } catch {
        return "{}";
      }
    }
    try {
      return (chance(0.15) ? fancyCbor : plainCbor).encode(value);
    } catch {
      return randomBytes(8);
    }
  }

  /** Bit flips, truncation, inserted or overwritten bytes, a duplicated slice. */
  function mutateBytes(bytes: Uint8Array): Uint8Array {
    let out = Uint8Array.from(bytes);
    const steps = 1 + int(4);
    for (let s = 0; s < steps && out.length > 0; s++) {
      const at = int(out.length);
      switch (int(5)) {
        case 0:
          out[at]! ^= 1 << int(8);
          break;
        case 1:
          out = out.subarray(0, at);
          break;
        case 2:
          out[at] = pick([0x00, 0xff, 0x1b, 0x1f, 0x3b, 0x5b, 0x7b, 0x9b, 0xbb, 0xd8, 0xf7, 0xfb, 0x9f, 0xbf]);
          break;
        case 3: {
          const inserted = randomBytes(1 + int(9));
          const grown = new Uint8Array(out.length + inserted.length);
          grown.set(out.subarray(0, at));
          grown.set(inserted, at);
          grown.set(out.subarray(at), at + inserted.length);
          out = grown;
          break;
        }
        default: {
          const end = at + int(out.length - at);
          const grown = new Uint8Array(out.length + end - at);
          grown.set(out.subarray(0, end));
          grown.set(out.subarray(at), end);
          out = grown;
        }
      }
    }
    return out;
  }

  function mutateText(text: string): string {
    let out = text;
    const steps = 1 + int(4);
    for (let s = 0; s < steps; s++) {
      const at = int(out.length + 1);
      switch (int(3)) {
        case 0:
          out = out.slice(0, at) + out.slice(at + 1 + int(3));
          break;
        case 1:
          out = out.slice(0, at) + pick(["{", "}", "[", "]", '"', ":", ",", "-", "e", "9", "\\", "\\u", "null", "1e999", " "]) + out.slice(at);
          break;
        default:
          out = out.slice(0, at);
      }
    }
    return out;
  }

  function oversize(): FuzzMessage {
    const size = context.maxFrameBytes + 1 + int(1024);
    if (chance(0.5)) return "x".repeat(size);
    const bytes = plainCbor.encode({ id: 1, op: "metadata", pad: new Uint8Array(size) });
    return bytes;
  }

  return {
    next(): FuzzMessage {
      const roll = random();
      if (roll < 0.0005) return oversize();
      if (roll < 0.12) return encode(validRequest());
      if (roll < 0.45) return encode(mutateValue(validRequest()));
      if (roll < 0.62) {
        const encoded = encode(validRequest());
        return typeof encoded === "string" ? mutateText(encoded) : mutateBytes(encoded);
      }
      if (roll < 0.77) return encode(chance(0.5) ? { id: int(1000), op: pick([...OP_NAMES, ...PLANNED_OP_NAMES]), ...(randomValue() as object) } : randomValue());
      if (roll < 0.87) return chance(0.5) ? mutateText(JSON.stringify({ id: int(9), op: randomString() })) : randomString();
      return randomBytes(int(chance(0.9) ? 64 : 2048));
    },
  };
}

function childKeys(value: unknown): string[] {
  if (Array.isArray(value)) return Object.keys(value);
  if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value) && !(value instanceof Map) && !(value instanceof Set) && !(value instanceof Date)) {
    return Object.keys(value);
  }
  return [];
}
