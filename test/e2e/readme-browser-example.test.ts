/**
 * The browser example of README.md, run as written against a real broker: the script in the
 * README's html block runs in a fresh JavaScript context whose `WebSocket` is the `ws` package's
 * (pointed at the broker started here instead of the default port) and whose `console.log` is
 * recorded, so a change to the README example is tested as it stands.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import NodeWebSocket from "ws";
import { ROOT, RUNTIMES, startChild, type Child } from "../support/child-process.ts";

const LISTENING = /listening on (ws:\/\/127\.0\.0\.1:\d+)/;

/** The script of the README's "From a browser" example, without its <script> tags. */
function readmeBrowserScript(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## From a browser"));
  const block = /```html\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error("README.md has no html block under 'From a browser'");
  const script = /<script type="module">\n([\s\S]*?)<\/script>/.exec(block)?.[1];
  if (script === undefined) throw new Error("The README's html block has no <script type=\"module\">");
  return script;
}

let child: Child;
let logDir: string;
let brokerUrl: string;

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), "edgelog-readme-"));
  child = startChild(RUNTIMES.node.command, [
    ...RUNTIMES.node.args,
    "src/cli/main.ts",
    "serve",
    "--override", "listeners=ws://127.0.0.1:0",
    "--override", `log.dirs=${logDir}`,
  ]);
  brokerUrl = LISTENING.exec(await child.waitForLine((line) => LISTENING.test(line)))![1]!;
});

afterAll(async () => {
  child.kill("SIGKILL");
  await child.exited;
  rmSync(logDir, { recursive: true, force: true });
});

describe("the README's browser example", () => {
  test("logs offsets 0 and 1 with hello and world against a real broker", async () => {
    const logged: unknown[][] = [];
    const received: string[] = [];
    const sockets: NodeWebSocket[] = [];
    const urls: string[] = [];
    class BrowserWebSocket extends NodeWebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(brokerUrl, protocols);
        urls.push(url);
        sockets.push(this);
        this.on("message", (data, isBinary) => received.push(isBinary ? "<binary>" : String(data)));
      }
    }
    runInNewContext(readmeBrowserScript(), { WebSocket: BrowserWebSocket, console: { log: (...args: unknown[]) => logged.push(args) } });
    try {
      const deadline = Date.now() + 10_000;
      while (logged.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200)); // nothing more should come
      expect(logged, `frames received:\n${received.join("\n")}`).toEqual([
        [0, "hello"],
        [1, "world"],
      ]);
      expect(urls).toEqual(["ws://127.0.0.1:9092"]);
      expect(sockets[0]!.protocol).toBe("edgelog.v1");
      expect(received.filter((frame) => frame.includes('"error"')), "no request of the example fails").toEqual([]);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });
});
