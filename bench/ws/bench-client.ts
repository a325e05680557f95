/**
 * A lean client of the edgelog WebSocket protocol for the benchmark, over the runtime's standard
 * WebSocket: CBOR frames only, replies matched to callbacks by id (no promise per request on the hot
 * path), pushes handed to one callback, and request frames encoded once up front with only their id
 * patched per send ({@link FrameTemplate}).
 *
 * @example
 * ```ts
 * const conn = await BenchConnection.open(url);
 * await conn.call("createTopics", { topics: [{ topic: "t", numPartitions: 1 }] });
 * const template = new FrameTemplate({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches }] }, 32);
 * const ms = await pipeline(conn, 1000, 16, (i, id) => template.withId(i, id), (frame) => checkReply(frame));
 * conn.close();
 * ```
 * @module
 */
import { BATCH } from "../../src/core/record/batch-header.ts";
import { readInt32, readInt64 } from "../../src/core/record/int64.ts";
import { encodeRecordBatchSync } from "../../src/core/record/record-batch.ts";
import { decodeFrame, encodeFrame } from "../../src/protocol/frame-codec.ts";

/** A decoded frame. */
export type Frame = Record<string, unknown>;

/**
 * One connection that has said hello.
 *
 * @example
 * ```ts
 * const conn = await BenchConnection.open("ws://127.0.0.1:9092");
 * conn.onPush = (push) => console.log(push["nextOffset"]);
 * ```
 */
export class BenchConnection {
  nextId = 1;
  /** Called with every push frame. */
  onPush: (push: Frame) => void = () => {};
  private readonly pending = new Map<number, (frame: Frame) => void>();
  private closedWith: string | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.onmessage = (event: MessageEvent) => {
      const frame = decodeFrame(new Uint8Array(event.data as ArrayBuffer)) as Frame;
      if (typeof frame["push"] === "string") {
        this.onPush(frame);
        return;
      }
      const id = frame["id"] as number;
      const callback = this.pending.get(id);
      if (callback === undefined) throw new Error(`Unexpected frame ${JSON.stringify(frame).slice(0, 300)}`);
      this.pending.delete(id);
      callback(frame);
    };
    ws.onclose = (event: CloseEvent) => {
      this.closedWith = `closed with ${event.code} ${event.reason}`;
      const error: Frame = { error: { code: "NETWORK_EXCEPTION", message: this.closedWith } };
      for (const callback of this.pending.values()) callback(error);
      this.pending.clear();
    };
  }

  /** Connects and says hello. */
  static async open(url: string): Promise<BenchConnection> {
    const ws = new WebSocket(url, "edgelog.v1");
    ws.binaryType = "arraybuffer";
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`Cannot connect to ${url}`));
      ws.onclose = (event) => reject(new Error(`Connection to ${url} closed with ${event.code}`));
    });
    ws.onerror = null;
    const conn = new BenchConnection(ws);
    await conn.call("hello", { versions: [1], clientId: "edgelog-bench" });
    return conn;
  }

  /** Sends a pre-encoded request whose id is `id`; `onReply` gets its reply. */
  sendRaw(bytes: Uint8Array, id: number, onReply: (frame: Frame) => void): void {
    if (this.closedWith !== undefined) throw new Error(`Connection ${this.closedWith}`);
    this.pending.set(id, onReply);
    this.ws.send(bytes);
  }

  /** Sends a request; resolves with its reply, rejects with an error reply. */
  call(op: string, fields: Frame): Promise<Frame> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.sendRaw(encodeFrame({ id, op, ...fields }, "cbor"), id, (frame) => {
        if (frame["error"] !== undefined) reject(new Error(`${op} failed: ${JSON.stringify(frame["error"])}`));
        else resolve(frame);
      });
    });
  }

  /** Sends a request whose reply is not awaited; an error reply is reported to `onError`. */
  cast(op: string, fields: Frame, onError: (error: unknown) => void): void {
    const id = this.nextId++;
    this.sendRaw(encodeFrame({ id, op, ...fields }, "cbor"), id, (frame) => {
      if (frame["error"] !== undefined) onError(frame["error"]);
    });
  }

  /** Unanswered requests. */
  get inFlight(): number {
    return this.pending.size;
  }

  close(): void {
    this.ws.close(1000, "bench done");
  }
}

/**
 * A request encoded once as CBOR with a four-byte id that each send patches. Keeps `copies` copies,
 * used in turn, so that a frame still queued by the socket is never patched under it.
 *
 * @example
 * ```ts
 * const t = new FrameTemplate({ op: "produce", acks: 1, topic: "t", partitions: [{ partition: 0, batches }] }, 64);
 * conn.sendRaw(t.withId(i, id), id, onReply);
 * ```
 */
export class FrameTemplate {
  private readonly copies: Uint8Array[];
  private readonly views: DataView[];

  constructor(fields: Frame, copies: number) {
    // `id` first and ≥ 2^24 so that cbor-x writes it as `62 69 64 1a <uint32>` right after the map head
    const bytes = encodeFrame({ id: 0x7fff_fff0, ...fields }, "cbor");
    if (bytes[1] !== 0x62 || bytes[2] !== 0x69 || bytes[3] !== 0x64 || bytes[4] !== 0x1a) {
      throw new Error("Unexpected CBOR layout of the frame template");
    }
    this.copies = Array.from({ length: copies }, () => bytes.slice());
    this.views = this.copies.map((c) => new DataView(c.buffer, c.byteOffset, c.byteLength));
  }

  /** Bytes of the frame for the `i`-th send, with `id`. */
  withId(i: number, id: number): Uint8Array {
    const k = i % this.copies.length;
    this.views[k]!.setUint32(5, id);
    return this.copies[k]!;
  }

  /** Length of one frame. */
  get byteLength(): number {
    return this.copies[0]!.byteLength;
  }
}

/**
 * Sends `count` requests keeping `window` of them unanswered, each built by `frameFor(i, id)`;
 * `onReply(frame, i)` checks each reply (throw to fail). Resolves with the milliseconds from the
 * first send to the last reply.
 *
 * @example
 * ```ts
 * const ms = await pipeline(conn, 3000, 16, (i, id) => template.withId(i, id), (reply) => assertOk(reply));
 * ```
 */
export function pipeline(
  conn: BenchConnection,
  count: number,
  window: number,
  frameFor: (i: number, id: number) => Uint8Array,
  onReply: (frame: Frame, i: number) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    let failed = false;
    const started = performance.now();
    const sendOne = (): void => {
      const i = sent++;
      const id = conn.nextId++;
      conn.sendRaw(frameFor(i, id), id, (frame) => {
        if (failed) return;
        try {
          onReply(frame, i);
        } catch (error) {
          failed = true;
          reject(error);
          return;
        }
        done++;
        if (sent < count) sendOne();
        else if (done === count) resolve(performance.now() - started);
      });
    };
    try {
      for (let k = 0; k < Math.min(window, count); k++) sendOne();
    } catch (error) {
      failed = true;
      reject(error);
    }
  });
}

/**
 * Walks the stored batches of a push: calls `each(baseOffset, lastOffset, records, bytes)` per batch.
 *
 * @example
 * ```ts
 * forEachBatch(push["batches"] as Uint8Array, (base, last) => console.log(base, last));
 * ```
 */
export function forEachBatch(bytes: Uint8Array, each: (baseOffset: number, lastOffset: number, records: number, size: number) => void): void {
  let pos = 0;
  while (pos + BATCH.HEADER_SIZE <= bytes.length) {
    const size = readInt32(bytes, pos + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
    const base = readInt64(bytes, pos + BATCH.BASE_OFFSET);
    each(base, base + readInt32(bytes, pos + BATCH.LAST_OFFSET_DELTA), readInt32(bytes, pos + BATCH.RECORDS_COUNT), size);
    pos += size;
  }
}

/**
 * Throws unless a produce reply's single partition succeeded; returns its base offset.
 *
 * @example
 * ```ts
 * const base = producedOffset(reply);
 * ```
 */
export function producedOffset(frame: Frame): number {
  if (frame["error"] !== undefined) throw new Error(`produce failed: ${JSON.stringify(frame["error"])}`);
  const partition = (frame["partitions"] as Frame[])[0]!;
  if (partition["error"] !== undefined) throw new Error(`produce failed: ${JSON.stringify(partition["error"])}`);
  return partition["baseOffset"] as number;
}

/** The size of every record value the bench writes. */
export const RECORD_BYTES = 100;

/**
 * One RecordBatch v2 of `count` keyless records of {@link RECORD_BYTES} bytes, encoded once.
 *
 * @example
 * ```ts
 * const batch = batchOf(1000); // about 108 KB
 * ```
 */
export function batchOf(count: number): Uint8Array {
  const records = Array.from({ length: count }, (_, i) => {
    const value = new Uint8Array(RECORD_BYTES);
    for (let j = 0; j < RECORD_BYTES; j++) value[j] = (i * 31 + j * 7) & 0xff;
    return { key: null, value };
  });
  return encodeRecordBatchSync({ records, now: Date.now() });
}

/**
 * A batch of one record, as the unbatched and latency phases send.
 *
 * @example
 * ```ts
 * const template = produceTemplate("t", singleRecordBatch(), 64);
 * ```
 */
export function singleRecordBatch(): Uint8Array {
  return batchOf(1);
}

/**
 * Creates a topic of one partition; throws on an error reply or a per-topic error.
 *
 * @example
 * ```ts
 * await createTopic(conn, "bench-produce");
 * ```
 */
export async function createTopic(conn: BenchConnection, topic: string): Promise<void> {
  const reply = await conn.call("createTopics", { topics: [{ topic, numPartitions: 1 }] });
  const result = (reply["topics"] as Frame[])[0]!;
  if (result["error"] !== undefined) throw new Error(`createTopics ${topic}: ${JSON.stringify(result["error"])}`);
}

/**
 * A produce request (acks=1, partition 0) of `batches`, encoded once, with `copies` copies for ids.
 *
 * @example
 * ```ts
 * const template = produceTemplate("t", batchOf(1000), 32);
 * ```
 */
export function produceTemplate(topic: string, batches: Uint8Array, copies: number): FrameTemplate {
  return new FrameTemplate({ op: "produce", acks: 1, topic, partitions: [{ partition: 0, batches }] }, copies);
}
