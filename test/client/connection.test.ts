import { afterEach, describe, expect, it } from "vitest";
import { Connection, EdgelogError, type ConnectionEvents } from "../../src/client/index.ts";
import { FakeServer } from "./fake-websocket.ts";
import { until } from "./broker-fixture.ts";

const quick = { retries: 2, initialRetryTimeMs: 5, maxRetryTimeMs: 20 };
let open: Connection[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
});

function connection(server: FakeServer, options: Partial<ConstructorParameters<typeof Connection>[0]> = {}): Connection {
  const c = new Connection({ brokers: ["127.0.0.1:9092"], clientId: "unit", WebSocket: server.WebSocket, retry: quick, ...options });
  open.push(c);
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<EdgelogError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EdgelogError);
  return error as EdgelogError;
}

describe("Connection", () => {
  it("connect() offers subprotocol edgelog.v1 and says hello with version 1 and the client id", async () => {
    const server = new FakeServer();
    const hello = await connection(server).connect();
    expect(hello.brokerId).toBe(1);
    const socket = server.sockets[0]!;
    expect(socket.url).toBe("ws://127.0.0.1:9092/");
    expect(socket.protocols).toBe("edgelog.v1");
    expect(socket.binaryType).toBe("arraybuffer");
    expect(socket.sent[0]).toMatchObject({ op: "hello", versions: [1], clientId: "unit", software: "edgelog-js/0.1.0" });
  });

  it("tries the bootstrap addresses in turn and skips one that refuses", async () => {
    const server = new FakeServer();
    server.refused.add(":9001");
    const c = connection(server, { brokers: ["localhost:9001", "ws://localhost:9002/edge"] });
    await c.connect();
    expect(server.sockets.map((s) => s.url)).toEqual(["ws://localhost:9001/", "ws://localhost:9002/edge"]);
    expect(c.url).toBe("ws://localhost:9002/edge");
  });

  it("connect() fails with NETWORK_EXCEPTION naming the addresses after retry.retries rounds", async () => {
    const server = new FakeServer();
    server.refused.add("localhost");
    const error = await rejection(connection(server, { brokers: ["localhost:1", "localhost:2"] }).connect());
    expect(error.code).toBe("NETWORK_EXCEPTION");
    expect(error.message).toContain("ws://localhost:1/, ws://localhost:2/");
    expect(server.sockets).toHaveLength(6); // 1 + 2 retries, two addresses each
  });

  it("a request after a failed connect tries to connect once more, then fails with the reason", async () => {
    const server = new FakeServer(() => ({ ok: true }));
    server.refused.add("9092");
    const c = connection(server);
    expect((await rejection(c.connect())).code).toBe("NETWORK_EXCEPTION");
    expect(server.sockets).toHaveLength(3);
    expect((await rejection(c.request("metadata", {}))).message).toContain("Cannot connect to ws://127.0.0.1:9092/");
    expect(server.sockets).toHaveLength(6);
    server.refused.clear();
    expect((await c.request("metadata", {}))["ok"]).toBe(true);
  });

  it("connect() fails at once with the broker's UNSUPPORTED_VERSION", async () => {
    const server = new FakeServer();
    server.handle = (frame, socket) =>
      socket.deliver({ id: frame["id"], error: { code: "UNSUPPORTED_VERSION", message: "No common version", retriable: false } });
    const error = await rejection(connection(server).connect());
    expect(error.code).toBe("UNSUPPORTED_VERSION");
    expect(server.sockets).toHaveLength(1);
  });

  it("matches replies to requests by id, whatever their order", async () => {
    const server = new FakeServer();
    const held: { id: unknown; socket: { deliver(f: Record<string, unknown>): void } }[] = [];
    server.handler = (frame, socket) => {
      held.push({ id: frame["id"], socket });
      if (held.length === 2) for (const h of [...held].reverse()) h.socket.deliver({ id: h.id, echo: h.id });
      return "none";
    };
    const c = connection(server);
    const [a, b] = await Promise.all([c.request("metadata", {}), c.request("metadata", { topics: [] })]);
    expect(a["echo"]).toBe(server.requests("metadata")[0]!["id"]);
    expect(b["echo"]).toBe(server.requests("metadata")[1]!["id"]);
    expect(server.requests("metadata")[1]).toMatchObject({ op: "metadata", topics: [] });
  });

  it("a request without a reply within its timeout fails with REQUEST_TIMED_OUT", async () => {
    const server = new FakeServer(() => "none");
    const error = await rejection(connection(server).request("fetch", { topic: "t", partition: 0, offset: 0 }, { timeoutMs: 30 }));
    expect(error.code).toBe("REQUEST_TIMED_OUT");
    expect(error.retriable).toBe(true);
    expect(error.message).toContain("fetch");
  });

  it("a request timeout takes the socket for dead: other requests on it fail, listeners hear a disconnect (4008), and it reconnects", async () => {
    let silent = true;
    const server = new FakeServer((frame) => (silent ? "none" : { ok: frame["op"] }));
    const c = connection(server);
    await c.connect();
    const disconnects: ConnectionEvents["disconnect"][] = [];
    c.on("disconnect", (event) => disconnects.push(event));
    const waiting = rejection(c.request("metadata", {}, { timeoutMs: 5_000 }));
    const timedOut = await rejection(c.request("fetch", {}, { timeoutMs: 30 }));
    expect(timedOut.code).toBe("REQUEST_TIMED_OUT");
    const other = await waiting;
    expect(other.code).toBe("NETWORK_EXCEPTION");
    expect(other.message).toContain("the outcome is unknown");
    expect(disconnects).toEqual([expect.objectContaining({ code: 4008 })]);
    expect(server.sockets[0]!.closedBy).toMatchObject({ code: 4008 });
    silent = false;
    expect((await c.request("metadata", {}))["ok"]).toBe("metadata");
    expect(server.sockets).toHaveLength(2);
  });

  it("an error reply becomes an EdgelogError with the broker's code, message, flag and details", async () => {
    const server = new FakeServer(() => ({
      error: { code: "OFFSET_OUT_OF_RANGE", message: "Offset 3 is below 10", retriable: false, details: { logStartOffset: 10 } },
    }));
    const error = await rejection(connection(server).request("fetch", {}));
    expect(error).toMatchObject({ code: "OFFSET_OUT_OF_RANGE", message: "Offset 3 is below 10", retriable: false, details: { logStartOffset: 10 } });
  });

  it("an error code this client does not know keeps the broker's retriable flag", async () => {
    const server = new FakeServer(() => ({ error: { code: "SHINY_NEW_ERROR", message: "try later", retriable: true } }));
    const error = await rejection(connection(server).request("metadata", {}));
    expect(error.code).toBe("UNKNOWN_SERVER_ERROR");
    expect(error.retriable).toBe(true);
    expect(error.details).toMatchObject({ code: "SHINY_NEW_ERROR" });
  });

  it("routes pushes to the handler of their subscription, registered from onReply before any push", async () => {
    const server = new FakeServer((frame, socket) => {
      socket.deliver({ id: frame["id"], sub: 7 });
      socket.deliver({ push: "records", sub: 7, n: 1 });
      socket.deliver({ push: "records", sub: 8, n: 2 });
      return "none";
    });
    const c = connection(server);
    const got: unknown[] = [];
    await c.request<{ sub: number }>("subscribe", {}, { onReply: (r) => c.route(r.sub, (push) => got.push(push)) });
    await until(() => got.length > 0, "a push");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(got).toEqual([{ push: "records", sub: 7, n: 1 }]);
  });

  it("a frame over the broker's maxFrameBytes fails with MESSAGE_TOO_LARGE and is not sent", async () => {
    const server = new FakeServer(() => ({}));
    server.helloLimits = { ...server.helloLimits, maxFrameBytes: 100 };
    const c = connection(server);
    const error = await rejection(c.request("produce", { topic: "t", partitions: [{ partition: 0, batches: new Uint8Array(200) }] }));
    expect(error.code).toBe("MESSAGE_TOO_LARGE");
    expect(server.requests("produce")).toHaveLength(0);
  });

  it("holds requests beyond the broker's maxInFlight until a reply frees a slot", async () => {
    const held: (() => void)[] = [];
    const server = new FakeServer((frame, socket) => {
      held.push(() => socket.deliver({ id: frame["id"] }));
      return "none";
    });
    server.helloLimits = { ...server.helloLimits, maxInFlight: 2 };
    const c = connection(server);
    const replies = [c.request("metadata", {}), c.request("metadata", {}), c.request("metadata", {})];
    await until(() => server.requests("metadata").length === 2, "two requests");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.requests("metadata")).toHaveLength(2);
    held.shift()!();
    await until(() => server.requests("metadata").length === 3, "the third request");
    for (const release of held) release();
    expect(await Promise.all(replies)).toHaveLength(3);
  });

  it("when the connection drops, requests in flight fail with NETWORK_EXCEPTION and it reconnects and says hello again", async () => {
    const server = new FakeServer(() => "none");
    const c = connection(server);
    const events: string[] = [];
    c.on("disconnect", (e: ConnectionEvents["disconnect"]) => events.push(`disconnect ${e.code}`));
    c.on("connect", (e: ConnectionEvents["connect"]) => events.push(`connect ${e.reconnected}`));
    await c.connect();
    const pending = rejection(c.request("metadata", {}));
    await until(() => server.requests("metadata").length === 1, "the request");
    server.sockets[0]!.drop(1001);
    const error = await pending;
    expect(error.code).toBe("NETWORK_EXCEPTION");
    expect(error.message).toContain("outcome is unknown");
    await until(() => c.ready, "the reconnection");
    expect(server.sockets).toHaveLength(2);
    expect(server.sockets[1]!.sent[0]).toMatchObject({ op: "hello" });
    expect(events).toEqual(["connect false", "disconnect 1001", "connect true"]);
  });

  it("a request made while reconnecting waits for the new connection", async () => {
    const server = new FakeServer(() => ({ ok: true }));
    const c = connection(server);
    await c.connect();
    server.sockets[0]!.drop();
    await until(() => !c.ready, "the drop");
    const reply = await c.request("metadata", {});
    expect(reply["ok"]).toBe(true);
    expect(server.sockets).toHaveLength(2);
  });

  it("close() fails pending requests and stops reconnecting", async () => {
    const server = new FakeServer(() => "none");
    const c = connection(server);
    await c.connect();
    const pending = rejection(c.request("metadata", {}));
    await until(() => server.requests("metadata").length === 1, "the request");
    await c.close();
    expect((await pending).code).toBe("NETWORK_EXCEPTION");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.sockets).toHaveLength(1);
    expect(server.sockets[0]!.closedBy?.code).toBe(1000);
    expect((await rejection(c.request("metadata", {}))).message).toContain("closed");
  });

  it("refuses options without a broker address or with a bad one", () => {
    const server = new FakeServer();
    expect(() => new Connection({ brokers: [], WebSocket: server.WebSocket })).toThrow(TypeError);
    expect(() => new Connection({ brokers: ["http://x:1"], WebSocket: server.WebSocket })).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => new Connection({ brokers: ["localhost"], WebSocket: server.WebSocket })).toThrow(/needs a port/);
  });
});
