import { describe, expect, it } from "vitest";
import { Admin, Consumer, createClient, Producer, type WebSocketConstructor } from "../../src/client/index.ts";
import { nodeWebSocket } from "../../src/client/node-websocket.ts";
import { FakeServer } from "./fake-websocket.ts";

describe("createClient()", () => {
  it("makes producers, consumers and admins, each on its own connection", async () => {
    const server = new FakeServer(() => ({ clusterId: "fake", controllerId: 1, brokers: [], topics: [] }));
    const client = createClient({ brokers: ["localhost:9092"], clientId: "c", WebSocket: server.WebSocket });
    const producer = client.producer();
    const consumer = client.consumer();
    const admin = client.admin();
    expect([producer, consumer, admin].map((x) => x.constructor)).toEqual([Producer, Consumer, Admin]);
    await Promise.all([producer.connect(), consumer.connect(), admin.listTopics()]);
    expect(server.sockets).toHaveLength(3);
    expect(server.sockets.every((s) => s.sent[0]!["clientId"] === "c")).toBe(true);
    await Promise.all([producer.disconnect(), consumer.disconnect(), admin.disconnect()]);
  });

  it("refuses bad options at once, naming the fix for a runtime without WebSocket", () => {
    const server = new FakeServer();
    expect(() => createClient({ brokers: [], WebSocket: server.WebSocket })).toThrow(/at least one broker/);
    expect(() => createClient({ brokers: ["ftp://x:1"], WebSocket: server.WebSocket })).toThrow(TypeError);
    expect(() => createClient({ brokers: ["x:1"], WebSocket: server.WebSocket, requestTimeoutMs: 0 })).toThrow(RangeError);
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    delete global.WebSocket;
    try {
      expect(() => createClient({ brokers: ["x:1"] })).toThrow(/no global WebSocket: pass \{ WebSocket \}/);
    } finally {
      if (saved !== undefined) global.WebSocket = saved;
    }
  });

  it("accepts the standard WebSocket class as its WebSocket option type", () => {
    const standard: WebSocketConstructor | undefined = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
    expect(standard === undefined || typeof standard === "function").toBe(true);
  });

  it("nodeWebSocket() gives the runtime's WebSocket, or ws's on Node without one", async () => {
    const WebSocket = await nodeWebSocket();
    const global = (globalThis as { WebSocket?: unknown }).WebSocket;
    if (typeof global === "function") expect(WebSocket).toBe(global);
    else expect(WebSocket).toBe((await import("ws")).default);
  });
});
