import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import NodeWebSocket from "ws";
import { ROOT, RUNTIMES, startChild, type Child } from "../support/child-process.ts";

const MAIN = "src/cli/main.ts";
const BINARY = join(ROOT, "dist", "edgelog");
const MAX_FRAME = 65536;

/** How to run `edgelog` on each target, and the runtime its listening line names. */
const TARGETS = {
  node: { argv: [RUNTIMES.node.command, ...RUNTIMES.node.args, MAIN], runtime: "node" },
  bun: { argv: [RUNTIMES.bun.command, MAIN], runtime: "bun" },
  deno: { argv: [RUNTIMES.deno.command, ...RUNTIMES.deno.args, MAIN], runtime: "deno" },
  binary: { argv: [BINARY], runtime: "bun" },
} as const;
type Target = keyof typeof TARGETS;

const LISTENING = /^edgelog (\d+\.\d+\.\d+) broker (\d+) listening on (ws:\/\/127\.0\.0\.1:(\d+)) \(runtime (\w+) [\w.-]+, log\.dirs (.+)\)$/;

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgelog-serve-"));
  tempDirs.push(dir);
  return dir;
}

function edgelog(target: Target, args: string[]): Child {
  const [command, ...rest] = TARGETS[target].argv;
  return startChild(command, [...rest, ...args]);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** A standard WebSocket: the runtime's global when it has one, else the `ws` package's. */
async function webSocketClass(): Promise<typeof WebSocket> {
  if (typeof globalThis.WebSocket === "function") return globalThis.WebSocket;
  return (await import("ws")).default as unknown as typeof WebSocket;
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error("The WebSocket failed to open")), { once: true });
  });
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.addEventListener("close", (event) => resolve(event.code), { once: true }));
}

beforeAll(() => {
  // The compiled binary is rebuilt when it is missing or older than the sources.
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= newestMtime(join(ROOT, "src"))) return;
  const build = spawnSync(RUNTIMES.bun.command, ["scripts/build.ts"], { cwd: ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stderr}${build.stdout}`);
}, 120_000);

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(Object.keys(TARGETS) as Target[])("edgelog serve on %s", (target) => {
  let child: Child;
  let logDir: string;
  let listening: RegExpExecArray;

  beforeAll(async () => {
    logDir = tempDir();
    child = edgelog(target, [
      "serve",
      "--override", "listeners=ws://127.0.0.1:0",
      "--override", `log.dirs=${logDir}`,
      "--override", `socket.request.max.bytes=${MAX_FRAME}`,
      "--override", "zookeeper.connect=localhost:2181",
    ]);
    listening = LISTENING.exec(await child.waitForLine((line) => LISTENING.test(line)))!;
  });

  afterAll(async () => {
    child.kill("SIGKILL");
    await child.exited;
  });

  test("prints one listening line with the version, broker id, real port, runtime and log dirs", () => {
    const [, version, brokerId, , port, runtime, dirs] = listening;
    expect(version).toBe("0.1.0");
    expect(brokerId).toBe("0");
    expect(Number(port)).toBeGreaterThan(0);
    expect(runtime).toBe(TARGETS[target].runtime);
    expect(dirs).toBe(logDir);
    expect(child.stdout.filter((line) => line.includes("listening on"))).toHaveLength(1);
  });

  test("warns about an unknown key on stderr and starts anyway", () => {
    expect(child.stderr.some((line) => line.startsWith("WARN ") && line.includes("zookeeper.connect"))).toBe(true);
  });

  test("answers /healthz over HTTP", async () => {
    const response = await fetch(`http://127.0.0.1:${listening[4]}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  test("answers hello on a WebSocket that selected the edgelog.v1 subprotocol", async () => {
    const Socket = await webSocketClass();
    const ws = new Socket(`${listening[3]}/`, "edgelog.v1");
    await opened(ws);
    expect(ws.protocol).toBe("edgelog.v1");
    const reply = new Promise<string>((resolve) => ws.addEventListener("message", (event) => resolve(String(event.data)), { once: true }));
    ws.send(JSON.stringify({ id: 7, op: "hello", versions: [1], clientId: "serve-test" }));
    const hello = JSON.parse(await reply) as { id: number; version: number; brokerId: number; limits: { maxFrameBytes: number } };
    expect(hello).toMatchObject({ id: 7, version: 1, brokerId: 0, limits: { maxFrameBytes: MAX_FRAME } });
    const closed = closeCode(ws);
    ws.close(1000);
    await closed;
  });

  test("closes with 1009 a frame larger than socket.request.max.bytes", async () => {
    const Socket = await webSocketClass();
    const ws = new Socket(`${listening[3]}/`, "edgelog.v1");
    await opened(ws);
    const closed = closeCode(ws);
    ws.send(new Uint8Array(MAX_FRAME + 1));
    expect(await closed).toBe(1009);
  });

  test("shuts down on SIGTERM with status 0 and leaves the clean shutdown marker", async () => {
    child.kill("SIGTERM");
    const { code } = await child.exited;
    expect(code).toBe(0);
    expect(existsSync(join(logDir, ".kafka_cleanshutdown"))).toBe(true);
  });
});

describe.each(Object.keys(TARGETS) as Target[])("edgelog on %s refuses what it cannot run", (target) => {
  test("an invalid config value exits 1 with one line naming the key", async () => {
    const child = edgelog(target, ["serve", "--override", "num.partitions=abc", "--override", `log.dirs=${tempDir()}`]);
    const { code } = await child.exited;
    expect(code).toBe(1);
    expect(child.stdout).toEqual([]);
    expect(child.stderr.filter((line) => line.trim() !== "")).toEqual([
      "ERROR Invalid value abc for configuration num.partitions: Not a number of type INT",
    ]);
  });

  test("an unknown option exits 2 with one line and no stack trace", async () => {
    const child = edgelog(target, ["serve", "--colour"]);
    const { code } = await child.exited;
    expect(code).toBe(2);
    expect(child.stderr.filter((line) => line.trim() !== "")).toEqual(["edgelog serve: unknown option --colour (see 'edgelog serve --help')"]);
  });
});

describe("edgelog serve with Kafka's server.properties files", () => {
  const fixtures = join(ROOT, "test", "core", "config", "fixtures");
  const files = readdirSync(fixtures).filter((name) => name.endsWith(".properties"));

  test("there are server.properties fixtures to start from", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  test("exits 1 naming a config file that does not exist", async () => {
    const child = edgelog("bun", ["serve", "--config", "/nonexistent/server.properties"]);
    expect((await child.exited).code).toBe(1);
    expect(child.stderr.filter((l) => l.trim() !== "")).toEqual(["ERROR Cannot read config file /nonexistent/server.properties: no such file"]);
  });

  test.each(files)("starts and stops cleanly with %s (listeners and log.dirs overridden)", async (file) => {
    const logDir = tempDir();
    const child = edgelog("bun", ["serve", "--config", join(fixtures, file), "--override", "listeners=ws://127.0.0.1:0", "--override", `log.dirs=${logDir}`]);
    await child.waitForLine((line) => LISTENING.test(line));
    child.kill("SIGTERM");
    expect((await child.exited).code).toBe(0);
    expect(child.stderr.filter((line) => line.startsWith("ERROR"))).toEqual([]);
    expect(existsSync(join(logDir, ".kafka_cleanshutdown"))).toBe(true);
  });
});

describe("edgelog serve's stop signals", () => {
  test("takes a signal repeated at once (tsx relays one stop twice) as one and shuts down cleanly", async () => {
    const logDir = tempDir();
    const tsx = join(ROOT, "node_modules", ".bin", "tsx");
    const child = startChild(tsx, [MAIN, "serve", "--override", "listeners=ws://127.0.0.1:0", "--override", `log.dirs=${logDir}`]);
    await child.waitForLine((line) => LISTENING.test(line));
    child.kill("SIGTERM"); // tsx passes it on, then sends it again when the child does not answer within 30 ms
    expect((await child.exited).code).toBe(0);
    expect(existsSync(join(logDir, ".kafka_cleanshutdown"))).toBe(true);
  });

  test("exits at once with 128 + 15 on a second SIGTERM during a shutdown", async () => {
    const child = edgelog("node", ["serve", "--override", "listeners=ws://127.0.0.1:0", "--override", `log.dirs=${tempDir()}`]);
    const port = Number(LISTENING.exec(await child.waitForLine((line) => LISTENING.test(line)))![4]);
    // a client that never answers the closing handshake holds the shutdown for the 1 s close grace
    const socket = connect(port, "127.0.0.1");
    const upgraded = new Promise<void>((resolve) => socket.once("data", () => resolve()));
    socket.write(
      "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    await upgraded;
    child.kill("SIGTERM");
    await child.waitForLine((line) => line.includes("Shutting down"));
    await new Promise((resolve) => setTimeout(resolve, 600));
    child.kill("SIGTERM");
    const { code } = await child.exited;
    socket.destroy();
    expect(code).toBe(143);
    expect(child.stderr.some((line) => line.startsWith("WARN SIGTERM again"))).toBe(true);
  });
});

describe("edgelog serve with a wss:// listener", () => {
  const tls = join(ROOT, "test", "adapters", "fixtures", "tls");

  test("serves wss:// from the PEM files in ssl.certificate.location and ssl.key.location", async () => {
    const logDir = tempDir();
    const child = edgelog("bun", [
      "serve",
      "--override", "listeners=wss://127.0.0.1:0",
      "--override", `ssl.certificate.location=${join(tls, "cert.pem")}`,
      "--override", `ssl.key.location=${join(tls, "key.pem")}`,
      "--override", `log.dirs=${logDir}`,
    ]);
    const line = await child.waitForLine((l) => l.includes(" listening on "));
    const url = /listening on (wss:\/\/127\.0\.0\.1:\d+) /.exec(line)![1]!;
    const ws = new NodeWebSocket(`${url}/`, "edgelog.v1", { ca: readFileSync(join(tls, "cert.pem")) });
    await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
    expect(ws.protocol).toBe("edgelog.v1");
    ws.close();
    child.kill("SIGTERM");
    expect((await child.exited).code).toBe(0);
  });

  test("exits 1 naming the key when a PEM file cannot be read", async () => {
    const child = edgelog("bun", [
      "serve",
      "--override", "listeners=wss://127.0.0.1:0",
      "--override", "ssl.certificate.location=/nonexistent/cert.pem",
      "--override", `ssl.key.location=${join(tls, "key.pem")}`,
      "--override", `log.dirs=${tempDir()}`,
    ]);
    expect((await child.exited).code).toBe(1);
    expect(child.stderr.filter((l) => l.trim() !== "")).toEqual(["ERROR Cannot read ssl.certificate.location /nonexistent/cert.pem: no such file"]);
  });
});
