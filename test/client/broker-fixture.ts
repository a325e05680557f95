/**
 * A real edgelog broker for client tests, in this process: `createBroker` on a memory file system,
 * served by the Node adapter on a free port. It can be stopped and started again on the same file
 * system and port, as a broker restart looks to a client.
 */
import WebSocket from "ws";
import { serveNode } from "../../src/adapters/node/serve.ts";
import { memoryFileSystem, type MemoryFileSystem } from "../../src/adapters/memory/file-system.ts";
import type { RunningServer } from "../../src/adapters/serve-options.ts";
import { createClient, type ClientOptions, type EdgelogClient, type WebSocketConstructor } from "../../src/client/index.ts";
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
