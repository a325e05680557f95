import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { RUNTIMES, startChild, type Child } from "../support/child-process.ts";

const FIXTURE = "test/adapters/fixtures/fake-broker-server.ts";
const MAX_FRAME = 64 * 1024;

interface Event {
  event: string;
  [key: string]: unknown;
}

function events(child: Child): Event[] {
  return child.stdout.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Event);
}

async function waitForEvent(child: Child, match: (e: Event) => boolean): Promise<Event> {
  const line = await child.waitForLine((l) => l.startsWith("{") && match(JSON.parse(l) as Event), 10_000);
  return JSON.parse(line) as Event;
}

function connect(url: string, protocols: string[] = ["edgelog.v1"]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once("message", (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once("close", (code: number) => resolve(code)));
}

describe.each(Object.keys(RUNTIMES) as (keyof typeof RUNTIMES)[])("the %s serve adapter", (runtime) => {
  let child: Child;
  let port: number;
  let url: string;

  beforeAll(async () => {
    const { command, args } = RUNTIMES[runtime];
    child = startChild(command, [...args, FIXTURE, String(MAX_FRAME)]);
    const listening = await waitForEvent(child, (e) => e.event === "listening");
    port = listening["port"] as number;
    url = `ws://127.0.0.1:${port}/`;
  });

  afterAll(async () => {
    child.kill("SIGKILL");
    await child.exited;
  });

  test("reports the real port and its ws:// URL when asked for port 0", () => {
    expect(port).toBeGreaterThan(0);
    expect(events(child).find((e) => e.event === "listening")?.["url"]).toBe(`ws://127.0.0.1:${port}`);
  });

  test("hands plain HTTP requests to the Hono app", async () => {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("ok");
    expect((await fetch(`http://127.0.0.1:${port}/nowhere`)).status).toBe(404);
  });

  test("selects the edgelog.v1 subprotocol and passes text and binary messages both ways", async () => {
    const ws = await connect(url, ["other", "edgelog.v1"]);
    expect(ws.protocol).toBe("edgelog.v1");
    ws.send("hello");
    const text = await nextMessage(ws);
    expect(text.isBinary).toBe(false);
    expect(text.data.toString("utf8")).toBe("hello");
    ws.send(new Uint8Array([1, 2, 3, 250]));
    const binary = await nextMessage(ws);
    expect(binary.isBinary).toBe(true);
    expect([...binary.data]).toEqual([1, 2, 3, 250]);
    const seen = await waitForEvent(child, (e) => e.event === "binary" && e["length"] === 4);
    expect(seen["plain"]).toBe(true); // a plain Uint8Array, not a Buffer subclass
    const open = events(child).filter((e) => e.event === "open").pop();
    expect(open?.["remoteAddress"]).toMatch(/127\.0\.0\.1/);
    ws.close(1000);
    await closed(ws);
  });

  test("sendCopied() sends what the bytes held during the call, whether queued for the turn or sent at once", async () => {
    const ws = await connect(url);
    const received: Buffer[] = [];
    const all = new Promise<void>((resolve) =>
      ws.on("message", (data: Buffer) => {
        received.push(data);
        if (received.length === 40) resolve();
      }),
    );
    ws.send("copied 40");
    await all;
    received.forEach((data, i) => {
      expect(data.length).toBe(i % 4 === 3 ? 20 * 1024 : i + 1);
      expect(data.every((b) => b === i)).toBe(true);
    });
    // Bun copies what it sends before send() returns; the others get copies from the session
    const seen = await waitForEvent(child, (e) => e.event === "copied");
    expect(seen["offered"]).toBe(runtime === "bun");
    ws.close(1000);
    await closed(ws);
  });

  test("accepts a client that offers no subprotocol", async () => {
    const ws = await connect(url, []);
    expect(ws.protocol).toBe("");
    ws.close();
    await closed(ws);
  });

  test("refuses an upgrade that offers only other subprotocols, and upgrades on other paths", async () => {
    await expect(connect(url, ["mqtt"])).rejects.toThrow(/400/);
    await expect(connect(`ws://127.0.0.1:${port}/other`)).rejects.toThrow(/404/);
  });

  test("closes with 1009 a binary frame larger than the frame limit, and tells the session", async () => {
    const ws = await connect(url);
    const code = closed(ws);
    ws.send(new Uint8Array(MAX_FRAME + 1));
    expect(await code).toBe(1009);
  });

  test("closes with 1009 a text frame whose UTF-8 is larger than the frame limit", async () => {
    const ws = await connect(url);
    const code = closed(ws);
    ws.send("é".repeat(MAX_FRAME / 2) + "x"); // MAX_FRAME / 2 characters more would fit; the bytes do not
    expect(await code).toBe(1009);
  });

  test("accepts a frame of exactly the frame limit", async () => {
    const ws = await connect(url);
    ws.send(new Uint8Array(MAX_FRAME));
    expect((await nextMessage(ws)).data.length).toBe(MAX_FRAME);
    ws.close();
    await closed(ws);
  });

  test("passes the broker's close code and reason to the client and reports the close to the session", async () => {
    const ws = await connect(url);
    const reason = new Promise<[number, string]>((resolve) => ws.once("close", (c: number, r: Buffer) => resolve([c, r.toString()])));
    ws.send("close 4000");
    expect(await reason).toEqual([4000, "asked to close"]);
  });

  test("reports backpressure through bufferedAmount and resumes a paused sender on drain", async () => {
    const ws = await connect(url);
    const total = 24 * 1024 * 1024;
    let received = 0;
    const done = new Promise<string>((resolve) =>
      ws.on("message", (data: Buffer, isBinary: boolean) => {
        if (isBinary) received += data.length;
        else resolve(data.toString());
      }),
    );
    ws.pause();
    ws.send(`flood ${total}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    ws.resume();
    const summary = JSON.parse((await done).slice("flood-done ".length)) as { sent: number; pauses: number; drains: number; maxBuffered: number };
    expect(received).toBe(total);
    expect(summary.pauses).toBeGreaterThan(0);
    expect(summary.drains).toBeGreaterThan(0);
    expect(summary.maxBuffered).toBeGreaterThan(1024 * 1024);
    ws.close();
    await closed(ws);
  });

  test("close() ends open connections with 1001 and stops listening", async () => {
    const ws = await connect(url);
    const code = closed(ws);
    child.kill("SIGTERM");
    expect(await code).toBe(1001);
    await waitForEvent(child, (e) => e.event === "closed");
    expect((await child.exited).code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});

describe.each(Object.keys(RUNTIMES) as (keyof typeof RUNTIMES)[])("the %s serve adapter with TLS", (runtime) => {
  test("serves wss:// with the given certificate and key", async () => {
    const { command, args } = RUNTIMES[runtime];
    const child = startChild(command, [...args, FIXTURE, String(MAX_FRAME), "tls"]);
    try {
      const listening = await waitForEvent(child, (e) => e.event === "listening");
      expect(listening["url"]).toBe(`wss://127.0.0.1:${listening["port"] as number}`);
      const ca = readFileSync(new URL("./fixtures/tls/cert.pem", import.meta.url));
      const ws = await new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`${listening["url"] as string}/`, ["edgelog.v1"], { ca });
        socket.once("open", () => resolve(socket));
        socket.once("error", reject);
      });
      expect(ws.protocol).toBe("edgelog.v1");
      ws.send("over tls");
      expect((await nextMessage(ws)).data.toString()).toBe("over tls");
      ws.close();
      await closed(ws);
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
  });
});
