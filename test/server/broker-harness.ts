/**
 * An in-process broker for tests: memory file system, manual clock, and fake sockets that record
 * every frame the broker sends, decoded.
 */
import { memoryFileSystem, type MemoryFileSystem } from "../../src/adapters/memory/file-system.ts";
import { parseBrokerConfig } from "../../src/core/config/broker-config.ts";
import { manualClock, type ManualClock } from "../../src/core/ports/clock.ts";
import { decodeFrame, encodeFrame, type FrameFormat } from "../../src/protocol/frame-codec.ts";
import { createBroker, type Broker } from "../../src/server/broker.ts";
import type { SessionHandlers, SessionSocket } from "../../src/server/session-socket.ts";

/** A frame as the broker sent it. */
export interface SentFrame {
  raw: Uint8Array | string;
  value: Record<string, unknown>;
}

/** A SessionSocket that records what the broker does with it. */
export class FakeSocket implements SessionSocket {
  readonly sent: SentFrame[] = [];
  buffered = 0;
  closed: { code: number | undefined; reason: string | undefined } | undefined;

  send(data: Uint8Array | string): void {
    if (this.closed) throw new Error("send() after close()");
    this.sent.push({ raw: data, value: decodeFrame(data) as Record<string, unknown> });
  }
  bufferedAmount(): number {
    return this.buffered;
  }
  close(code?: number, reason?: string): void {
    this.closed ??= { code, reason };
  }
}

/** A socket that offers `sendCopied`, as Bun's does: it records the memory it was handed and keeps a copy. */
export class CopyingSocket extends FakeSocket {
  readonly handed: Uint8Array[] = [];

  sendCopied(data: Uint8Array): void {
    this.handed.push(data);
    this.send(data.slice());
  }
}

/** Lets pending promises and I/O of the memory file system run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Waits (in real time, briefly) until `predicate` holds. */
export async function until(predicate: () => boolean, what = "condition", limitMs = 3000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > limitMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** One client connection to the test broker. */
export class TestClient {
  readonly handlers: SessionHandlers;
  private nextId = 1;

  constructor(broker: Broker, readonly format: FrameFormat = "cbor", readonly socket: FakeSocket = new FakeSocket()) {
    this.handlers = broker.openSession(this.socket, { remoteAddress: "127.0.0.1" });
  }

  /** Frames that are replies to requests (they have an `id` field). */
  get replies(): Record<string, unknown>[] {
    return this.socket.sent.map((f) => f.value).filter((v) => Object.hasOwn(v, "id"));
  }

  /** Pushed frames (records, error, ping). */
  get pushes(): Record<string, unknown>[] {
    return this.socket.sent.map((f) => f.value).filter((v) => Object.hasOwn(v, "push"));
  }

  /** Sends a frame without waiting. */
  sendRaw(data: Uint8Array | string): void {
    this.handlers.onMessage(data);
  }

  /** Sends a request (id assigned unless given) and resolves with its reply. */
  async request(body: Record<string, unknown>, format: FrameFormat = this.format): Promise<Record<string, unknown>> {
    const id = (body["id"] as number | undefined) ?? this.nextId++;
    this.handlers.onMessage(encodeFrame({ ...body, id }, format));
    let reply: Record<string, unknown> | undefined;
    await until(() => (reply = this.replies.find((r) => r["id"] === id)) !== undefined, `the reply to ${String(body["op"])} ${id}`);
    return reply!;
  }

  /** Sends a request and returns its id, without waiting for a reply. */
  fire(body: Record<string, unknown>, format: FrameFormat = this.format): number {
    const id = this.nextId++;
    this.handlers.onMessage(encodeFrame({ ...body, id }, format));
    return id;
  }
}

/** A broker on a memory file system and a manual clock. */
export interface Harness {
  broker: Broker;
  fs: MemoryFileSystem;
  clock: ManualClock;
  logs: string[];
  /** A connection that has not sent `hello`. */
  client(format?: FrameFormat): TestClient;
  /** A connection after a successful `hello`, with the hello reply cleared from its record. */
  connect(format?: FrameFormat, socket?: FakeSocket): Promise<TestClient>;
}

/** Starts a broker with `log.dirs=data` and the given config overrides. */
export async function startBroker(overrides: Record<string, string> = {}, fs: MemoryFileSystem = memoryFileSystem()): Promise<Harness> {
  const clock = manualClock(1_700_000_000_000);
  const { config } = parseBrokerConfig({ "log.dirs": "data", ...overrides });
  const logs: string[] = [];
  const broker = await createBroker({ fs, clock, config, logger: (level, message) => logs.push(`${level}: ${message}`) });
  return {
    broker,
    fs,
    clock,
    logs,
    client: (format) => new TestClient(broker, format),
    async connect(format, socket) {
      const client = new TestClient(broker, format, socket);
      const reply = await client.request({ op: "hello", versions: [1], clientId: "test" });
      if (Object.hasOwn(reply, "error")) throw new Error(`hello failed: ${JSON.stringify(reply)}`);
      client.socket.sent.length = 0;
      return client;
    },
  };
}
