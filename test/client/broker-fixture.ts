/**
 * A real edgelog broker for client tests, in this process: `createBroker` on a memory file system,
 * served by the Node adapter on a free port. It can be stopped and started again on the same file
 * system and port, as a broker restart looks to a client. {@link brokerPerTest} gives each test of a
 * file its own broker and client, with the topic and produce helpers the client tests share.
 */
import { afterEach, beforeEach } from "vitest";
import WebSocket from "ws";
import { serveNode } from "../../src/adapters/node/serve.ts";
import { memoryFileSystem, type MemoryFileSystem } from "../../src/adapters/memory/file-system.ts";
import type { RunningServer } from "../../src/adapters/serve-options.ts";
import {
  createClient,
  type ClientOptions,
  type ConsumedRecord,
  type Consumer,
  type EdgelogClient,
  type ProducerMessage,
  type WebSocketConstructor,
} from "../../src/client/index.ts";
import { parseBrokerConfig } from "../../src/core/config/broker-config.ts";
import { decodeFrame } from "../../src/protocol/index.ts";
import { createBroker, type Broker } from "../../src/server/broker.ts";

/** `ws` as the client's WebSocket: Node 20 has no global one. Also checks that it fits the type. */
export const NodeWebSocket: WebSocketConstructor = WebSocket;

/** A broker served on 127.0.0.1. */
export class TestBroker {
  private constructor(
    readonly fs: MemoryFileSystem,
    private readonly overrides: Record<string, string>,
    public broker: Broker,
    public server: RunningServer,
  ) {}

  /** Starts a broker with `log.dirs=data` and the given config overrides. */
  static async start(overrides: Record<string, string> = {}): Promise<TestBroker> {
    const fs = memoryFileSystem();
    const { broker, server } = await TestBroker.serve(fs, overrides, 0);
    return new TestBroker(fs, overrides, broker, server);
  }

  private static async serve(fs: MemoryFileSystem, overrides: Record<string, string>, port: number): Promise<{ broker: Broker; server: RunningServer }> {
    const { config } = parseBrokerConfig({ "log.dirs": "data", ...overrides });
    const broker = await createBroker({ fs, config });
    const server = await serveNode(broker, { hostname: "127.0.0.1", port });
    return { broker, server };
  }

  get port(): number {
    return this.server.port;
  }

  /** "127.0.0.1:port", as a bootstrap address. */
  get address(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  /** A client of this broker over `ws`, with quick retries. */
  client(options: Partial<ClientOptions> = {}): EdgelogClient {
    return createClient({
      brokers: [this.address],
      clientId: "test",
      WebSocket: NodeWebSocket,
      retry: { initialRetryTimeMs: 20, maxRetryTimeMs: 200, retries: 5 },
      ...options,
    });
  }

  /** Shuts the broker down gracefully and stops listening. */
  async stop(): Promise<void> {
    await this.broker.close();
    await this.server.close();
  }

  /** Starts a new broker on the same file system and port. */
  async restart(): Promise<void> {
    const port = this.server.port;
    const { broker, server } = await TestBroker.serve(this.fs, this.overrides, port);
    this.broker = broker;
    this.server = server;
  }
}

/** What {@link brokerPerTest} gives a test file; `broker` and `client` are fresh in each test. */
export interface BrokerPerTest {
  /** This test's broker; a test may stop it and put another here, which is stopped after the test. */
  broker: TestBroker;
  /** A client of `broker`; a test may replace it. */
  client: EdgelogClient;
  /** Run newest first after each test, before the broker stops (consumers, admins to disconnect). */
  readonly closers: (() => Promise<void>)[];
  /** Creates a topic through an admin of `client`. */
  topic(name: string, numPartitions?: number): Promise<void>;
  /** Sends each message in its own request (acks=1), in order, through a producer of `client`. */
  produceEach(topic: string, messages: readonly ProducerMessage[]): Promise<void>;
  /** Deletes a partition's records before `offset` through an admin of `client` (a retention gap). */
  deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<void>;
}

/**
 * Starts a broker (with config `overrides`) and a client before each test of the calling file, and
 * after each runs the closers and stops the broker. Call it at the top of a test file.
 */
export function brokerPerTest(overrides: Record<string, string> = {}): BrokerPerTest {
  const env: BrokerPerTest = {
    broker: undefined as unknown as TestBroker,
    client: undefined as unknown as EdgelogClient,
    closers: [],
    async topic(name, numPartitions = 1) {
      const admin = env.client.admin();
      await admin.createTopics({ topics: [{ topic: name, numPartitions }] });
      await admin.disconnect();
    },
    async produceEach(topic, messages) {
      const producer = env.client.producer({ acks: 1 });
      for (const message of messages) await producer.send({ topic, messages: [message] });
      await producer.disconnect();
    },
    async deleteRecordsBefore(topic, partition, offset) {
      const admin = env.client.admin();
      try {
        await admin.deleteRecords({ topic, partitions: [{ partition, offset }] });
      } finally {
        await admin.disconnect();
      }
    },
  };
  beforeEach(async () => {
    env.broker = await TestBroker.start(overrides);
    env.client = env.broker.client();
  });
  afterEach(async () => {
    for (const close of env.closers.splice(0).reverse()) await close();
    await env.broker.stop();
  });
  return env;
}

/** The next `count` records of `consumer`'s iteration; stops it and fails after `limitMs` instead of hanging. */
export async function take(
  consumer: Consumer,
  count: number,
  options: { onEach?: (record: ConsumedRecord, taken: number) => void; limitMs?: number } = {},
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  if (count === 0) return records;
  const timer = setTimeout(() => void consumer.stop(), options.limitMs ?? 15_000);
  try {
    for await (const record of consumer) {
      records.push(record);
      options.onEach?.(record, records.length);
      if (records.length === count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  if (records.length < count) throw new Error(`Got ${records.length} of ${count} records`);
  return records;
}

/** Offsets of records. */
export const offsets = (records: readonly ConsumedRecord[]): number[] => records.map((r) => r.offset);

/** from, from + 1, …, to − 1 */
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** Waits (in real time) until `predicate` holds. */
export async function until(predicate: () => boolean, what = "condition", limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > limitMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** UTF-8 bytes of text. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** `ws` that also records every frame the client receives, decoded, into `log`. */
export function spyingWebSocket(log: Record<string, unknown>[]): WebSocketConstructor {
  return class SpyingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("message", (event) => {
        try {
          log.push(decodeFrame(event.data as ArrayBuffer | string) as Record<string, unknown>);
        } catch {
          // not a frame
        }
      });
    }
  };
}

/** Records pushed to the client per the spy's log (all batches' records, as credit counts them). */
export function pushedRecords(log: Record<string, unknown>[], partition?: number): number {
  let records = 0;
  for (const frame of log) {
    if (frame["push"] !== "records" || (partition !== undefined && frame["partition"] !== partition)) continue;
    const bytes = frame["batches"] as Uint8Array;
    for (let pos = 0; pos + 61 <= bytes.length; pos += 12 + new DataView(bytes.buffer, bytes.byteOffset + pos + 8, 4).getInt32(0)) {
      records += new DataView(bytes.buffer, bytes.byteOffset + pos + 57, 4).getInt32(0);
    }
  }
  return records;
}
