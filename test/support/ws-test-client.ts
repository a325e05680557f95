/**
 * A minimal promise-based client of the edgelog WebSocket protocol for black-box tests, over the
 * `ws` package. It sends `hello` on connect, matches replies to requests by `id`, collects pushes per
 * subscription and error replies that carry no `id`, and records how the connection closed. Frames
 * are CBOR by default, JSON with `format: "json"`. Test support only: the product client library
 * lives in src/client.
 *
 * @example
 * ```ts
 * const client = await WsTestClient.connect("ws://127.0.0.1:9092");
 * await client.call("createTopics", { topics: [{ topic: "t", numPartitions: 1 }] });
 * const reply = await client.call("produce", { acks: 1, topic: "t", partitions: [{ partition: 0, batches: batchOf([{ value: utf8("hi") }]) }] });
 * const fetched = await client.call("fetch", { topic: "t", partition: 0, offset: 0 });
 * const records = await recordsOf(bytesField(fetched.batches));
 * client.close();
 * ```
 * @module
 */
import WebSocket from "ws";
import { decodeFrame, encodeFrame, type FrameFormat } from "../../src/protocol/frame-codec.ts";

export { batchOf, bytesField, concatBytes, recordsOf, text, utf8 } from "./record-bytes.ts";

/**
 * A decoded frame: a map with text keys.
 *
 * @example
 * ```ts
 * const reply: Frame = await client.request("metadata", { topics: [] });
 * ```
 */
export type Frame = Record<string, unknown>;

/**
 * How a connection ended: the close code and reason the client saw.
 *
 * @example
 * ```ts
 * const { code }: CloseInfo = await client.closed; // 1009 after an oversize frame
 * ```
 */
export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * Options of {@link WsTestClient.connect}.
 *
 * @example
 * ```ts
 * const options: WsTestClientOptions = { format: "json", hello: false, timeoutMs: 5000 };
 * ```
 */
export interface WsTestClientOptions {
  /** The format of requests (and so of their replies); default "cbor". */
  format?: FrameFormat;
  /** Send `hello` once open (default true); the reply is in {@link WsTestClient.helloReply}. */
  hello?: boolean;
  clientId?: string;
  /** Subprotocols to offer; default "edgelog.v1". */
  protocols?: string | string[];
  /** Keep every push and unmatched reply (default true); a fuzzing client turns it off to bound memory. */
  keepPushes?: boolean;
  /** How long a request waits for its reply before it rejects; default 15 s. */
  timeoutMs?: number;
}

/**
 * An error reply, thrown by {@link WsTestClient.call}.
 *
 * @example
 * ```ts
 * try { await client.call("fetch", { topic: "nope", partition: 0, offset: 0 }); }
 * catch (e) { if (e instanceof WireErrorReply) console.log(e.code); }
 * ```
 */
export class WireErrorReply extends Error {
  /** Kafka's error name, e.g. "OFFSET_OUT_OF_RANGE". */
  readonly code: string;
  constructor(readonly frame: Frame) {
    const error = frame["error"] as { code: string; message: string };
    super(`${error.code}: ${error.message}`);
    this.name = "WireErrorReply";
    this.code = error.code;
  }
}

interface Pending {
  resolve: (frame: Frame) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * One protocol connection; see the module documentation.
 *
 * @example
 * ```ts
 * const client = await WsTestClient.connect(url, { format: "json" });
 * const metadata = await client.call("metadata", { topics: [] });
 * ```
 */
export class WsTestClient {
  /** The reply to the `hello` sent on connect (undefined with `hello: false`). */
  helloReply: Frame | undefined;
  /** Error replies whose `id` is null (undecodable frames), in arrival order (kept only with `keepPushes`). */
  readonly errorsWithoutId: Frame[] = [];
  /** Replies whose `id` no pending request had, e.g. to raw frames (kept only with `keepPushes`). */
  readonly unmatched: Frame[] = [];
  /** Frames received, of any kind. */
  received = 0;
  /** Frames received that were not one CBOR or JSON map (a broker bug). */
  undecodable = 0;
  /** How many error replies came, by error code. */
  readonly errorCodes = new Map<string, number>();
  /** Resolves once the connection has closed. */
  readonly closed: Promise<CloseInfo>;
  /** The close code and reason once closed. */
  closeInfo: CloseInfo | undefined;

  private readonly pending = new Map<number, Pending>();
  private readonly formats = new WeakMap<Frame, FrameFormat>();
  private readonly pushesBySub = new Map<number, Frame[]>();
  private waiters: Waiter[] = [];
  private nextRequestId = 1;

  private constructor(
    readonly socket: WebSocket,
    readonly format: FrameFormat,
    private readonly keepPushes: boolean,
    private readonly timeoutMs: number,
  ) {
    this.closed = new Promise((resolve) => {
      socket.on("close", (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString("utf8") };
        for (const [id, pending] of this.pending) {
          clearTimeout(pending.timer);
          pending.reject(new Error(`The connection closed (${code} ${this.closeInfo.reason}) before the reply to request ${id}`));
        }
        this.pending.clear();
        this.notify();
        resolve(this.closeInfo);
      });
    });
    socket.on("message", (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.on("error", () => {
      // "close" follows with the code
    });
  }

  /**
   * Opens a connection and (unless `hello: false`) completes `hello`.
   *
   * @example
   * ```ts
   * const raw = await WsTestClient.connect(url, { hello: false });
   * ```
   */
  static async connect(url: string, options: WsTestClientOptions = {}): Promise<WsTestClient> {
    const socket = new WebSocket(url, options.protocols ?? "edgelog.v1", { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", (error) => reject(new Error(`Cannot connect to ${url}: ${error.message}`)));
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`Cannot connect to ${url}: HTTP ${response.statusCode}`)),
      );
    });
    const client = new WsTestClient(socket, options.format ?? "cbor", options.keepPushes ?? true, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (options.hello ?? true) {
      client.helloReply = await client.call("hello", { versions: [1], clientId: options.clientId ?? "e2e-test" });
    }
    return client;
  }

  /** Whether the connection is open. */
  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** A request id not used yet on this connection. */
  newId(): number {
    return this.nextRequestId++;
  }

  /**
   * Sends a request and resolves with its reply, which may be an error reply (`frame.error`).
   *
   * @example
   * ```ts
   * const reply = await client.request("fetch", { topic: "t", partition: 0, offset: 99 });
   * (reply.error as { code: string }).code; // "OFFSET_OUT_OF_RANGE"
   * ```
   */
  request(op: string, fields: Frame = {}, options: { format?: FrameFormat; timeoutMs?: number } = {}): Promise<Frame> {
    const id = this.newId();
    const reply = this.expectReply(id, options.timeoutMs);
    this.sendFrame({ ...fields, id, op }, options.format);
    return reply;
  }

  /**
   * Like {@link request}, but rejects with {@link WireErrorReply} on an error reply.
   *
   * @example
   * ```ts
   * const { partitions } = await client.call("produce", { acks: 1, topic: "t", records: [{ value: "x" }] });
   * ```
   */
  async call(op: string, fields: Frame = {}, options: { format?: FrameFormat; timeoutMs?: number } = {}): Promise<Frame> {
    const reply = await this.request(op, fields, options);
    if (Object.hasOwn(reply, "error")) throw new WireErrorReply(reply);
    return reply;
  }

  /**
   * Sends a request without waiting for a reply (e.g. `produce` with acks 0); returns its id.
   *
   * @example
   * ```ts
   * const id = client.send("produce", { acks: 0, topic: "t", records: [{ value: "x" }] });
   * ```
   */
  send(op: string, fields: Frame = {}, options: { format?: FrameFormat } = {}): number {
    const id = this.newId();
    this.sendFrame({ ...fields, id, op }, options.format);
    return id;
  }

  /**
   * Resolves with the reply to `id` (sent by {@link sendRaw} or {@link send}).
   *
   * @example
   * ```ts
   * const reply = client.expectReply(77);
   * client.sendRaw('{"id":77,"op":"metadata","topics":[]}');
   * await reply;
   * ```
   */
  expectReply(id: number, timeoutMs = this.timeoutMs): Promise<Frame> {
    return new Promise((resolve, reject) => {
      if (!this.open) {
        reject(new Error(`The connection is not open (request ${id})`));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`No reply to request ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  /**
   * Sends one message as it is: bytes as a binary message, a string as a text message.
   *
   * @example
   * ```ts
   * client.sendRaw(new Uint8Array([0xff])); // answered by an error reply with id null
   * ```
   */
  sendRaw(data: Uint8Array | string): void {
    if (this.open) this.socket.send(data, { binary: typeof data !== "string" });
  }

  /**
   * The format a received frame came in: "cbor" for a binary message, "json" for a text message.
   *
   * @example
   * ```ts
   * client.formatOf(client.errorsWithoutId[0]!); // "cbor"
   * ```
   */
  formatOf(frame: Frame): FrameFormat | undefined {
    return this.formats.get(frame);
  }

  /** Encodes and sends a frame in `format` (default: the client's). */
  sendFrame(frame: Frame, format: FrameFormat = this.format): void {
    this.sendRaw(encodeFrame(frame, format));
  }

  /**
   * Pushes received so far for subscription `sub` (records and error pushes), in order.
   *
   * @example
   * ```ts
   * client.pushes(1).filter((p) => p.push === "records").length;
   * ```
   */
  pushes(sub: number): Frame[] {
    let list = this.pushesBySub.get(sub);
    if (!list) {
      list = [];
      this.pushesBySub.set(sub, list);
    }
    return list;
  }

  /**
   * Resolves once `predicate` holds; it is checked now and after every frame received or the close.
   * Rejects after `timeoutMs` (default: the client's request timeout).
   *
   * @example
   * ```ts
   * await client.until(() => client.pushes(1).length >= 3, "three pushes");
   * ```
   */
  until(predicate: () => boolean, what: string, timeoutMs = this.timeoutMs): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check: predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * Subscribes and resolves with the reply (`sub`, `offset`, ...); pushes then gather in {@link pushes}.
   *
   * @example
   * ```ts
   * const { sub } = await client.subscribe({ topic: "t", partition: 0, from: "earliest", credit: { records: 100, bytes: 1 << 20 } });
   * ```
   */
  async subscribe(fields: Frame): Promise<Frame & { sub: number }> {
    return (await this.call("subscribe", fields)) as Frame & { sub: number };
  }

  /**
   * Starts the closing handshake and resolves once closed.
   *
   * @example
   * ```ts
   * await client.close();
   * ```
   */
  close(code = 1000): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) this.socket.close(code);
    return this.closed;
  }

  /** Ends the TCP connection at once, without a closing handshake. */
  terminate(): void {
    this.socket.terminate();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.received++;
    let frame: Frame;
    try {
      const decoded = decodeFrame(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8"));
      if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) throw new TypeError("not a map");
      frame = decoded as Frame;
    } catch {
      this.undecodable++;
      this.notify();
      return;
    }
    this.formats.set(frame, isBinary ? "cbor" : "json");
    if (typeof frame["push"] === "string") {
      if (this.keepPushes) this.pushes(frame["sub"] as number).push(frame);
    } else {
      const error = frame["error"] as { code?: unknown } | undefined;
      if (error !== undefined) {
        const code = String(error?.code);
        this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
      }
      const id = frame["id"];
      const pending = typeof id === "number" ? this.pending.get(id) : undefined;
      if (pending) {
        this.pending.delete(id as number);
        clearTimeout(pending.timer);
        pending.resolve(frame);
      } else if (id === null) {
        if (this.keepPushes) this.errorsWithoutId.push(frame);
      } else if (this.keepPushes) {
        this.unmatched.push(frame);
      }
    }
    this.notify();
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.check()) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }
}
