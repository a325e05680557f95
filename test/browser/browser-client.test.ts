/**
 * The client library in a real browser: headless Chromium (Debian's `chromium`, driven by
 * playwright-core) loads a page that imports the client bundled for browsers (esbuild, platform
 * browser, ESM), and the page — with the browser's own WebSocket — creates a topic, produces, joins a
 * consumer group, consumes every record and commits, against `edgelog serve` started on Node.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { build } from "esbuild";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Connection } from "../../src/client/index.ts";
import { type E2eBroker, removeTempDirs, startBroker, TARGETS } from "../e2e/broker-matrix.ts";
import { ROOT } from "../support/child-process.ts";

const CHROMIUM = "/usr/bin/chromium";
const TOPIC = "browser-orders";
const GROUP = "browser-group";

/** The page's script: the whole scenario, run by `page.evaluate(() => window.scenario(url))`. */
const PAGE_SCRIPT = `
import { createClient } from "./edgelog-client.js";

window.scenario = async (url) => {
  const client = createClient({ brokers: [url], clientId: "browser-page" });
  const admin = client.admin();
  await admin.createTopics({ topics: [{ topic: "${TOPIC}", numPartitions: 2 }] });
  await admin.disconnect();

  const producer = client.producer();
  const messages = Array.from({ length: 10 }, (_, i) => ({ key: "user-" + (i % 3), value: "order-" + i }));
  await producer.send({ topic: "${TOPIC}", messages });
  await producer.disconnect();

  const consumer = client.consumer({ groupId: "${GROUP}" });
  const joined = new Promise((resolve) => consumer.on("group.join", resolve));
  await consumer.subscribe({ topics: ["${TOPIC}"], fromBeginning: true });
  const records = [];
  for await (const record of consumer) {
    records.push({ partition: record.partition, offset: record.offset, key: record.keyString(), value: record.valueString() });
    if (records.length === messages.length) break;
  }
  const { memberId } = await joined;
  await consumer.disconnect(); // commits what was consumed, then leaves
  return { records, memberId, webSocket: String(WebSocket).includes("[native code]") };
};
window.pageReady = true;
`;

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>edgelog client</title></head>
<body><script type="module" src="./page.js"></script></body></html>
`;

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };

let broker: E2eBroker;
let pageDir: string;
let server: Server;
let browser: Browser;

/** Serves the files of `dir` on 127.0.0.1 (a free port). */
async function serveDirectory(dir: string): Promise<Server> {
  const http = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname)).replace(/^(\.\.[/\\])+/, "");
    readFile(join(dir, path === "/" ? "index.html" : path)).then(
      (body) => response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return http;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium; run .ci/run (its system-packages step installs it)`);
  }
  broker = await startBroker(TARGETS.find((t) => t.name === "node")!, { overrides: { "group.initial.rebalance.delay.ms": "0" } });
  pageDir = mkdtempSync(join(tmpdir(), "edgelog-browser-"));
  await build({
    entryPoints: [join(ROOT, "src/client/index.ts")],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    outfile: join(pageDir, "edgelog-client.js"),
    logLevel: "silent",
  });
  writeFileSync(join(pageDir, "page.js"), PAGE_SCRIPT);
  writeFileSync(join(pageDir, "index.html"), INDEX_HTML);
  server = await serveDirectory(pageDir);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await broker?.stop();
  if (pageDir !== undefined) rmSync(pageDir, { recursive: true, force: true });
  removeTempDirs();
});

describe("the client in headless Chromium", () => {
  test("a page creates a topic, produces, joins a group and consumes every record", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const { port } = server.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/index.html`);
    await page.waitForFunction(() => (window as unknown as { pageReady?: boolean }).pageReady === true, undefined, { timeout: 10_000 });
    const result = await page.evaluate(
      (url) => (window as unknown as { scenario(url: string): Promise<unknown> }).scenario(url),
      broker.url,
    ) as { records: { partition: number; offset: number; key: string; value: string }[]; memberId: string; webSocket: boolean };

    expect(errors, broker.output()).toEqual([]);
    expect(result.webSocket).toBe(true);
    expect(result.memberId).toMatch(/^browser-page-/);
    expect(result.records.map((r) => r.value).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `order-${i}`).sort());
    for (const partition of [0, 1]) {
      const mine = result.records.filter((r) => r.partition === partition);
      expect(mine.map((r) => r.offset)).toEqual(mine.map((_, i) => i)); // each partition from 0, in order, once
      expect(new Set(mine.map((r) => r.key)).size).toBeLessThanOrEqual(3);
    }
    // The page's consumer committed what it consumed before leaving.
    const connection = new Connection({ brokers: [broker.url], WebSocket: (await import("ws")).default });
    try {
      const reply = await connection.request<{ offsets: { partition: number; offset: number }[] }>("offsetFetch", { groupId: GROUP, topics: [{ topic: TOPIC }] });
      const counts = [0, 1].map((p) => result.records.filter((r) => r.partition === p).length);
      expect(reply.offsets.map((o) => o.offset)).toEqual(counts.map((n) => (n === 0 ? -1 : n)));
    } finally {
      await connection.close();
    }
    await page.close();
  });
});
