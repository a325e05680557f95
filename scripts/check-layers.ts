/**
 * Fails when a layer imports what its place in the stack forbids:
 * `src/core` imports no runtime (node:*, Bun, Deno) and no framework (hono, ws);
 * `src/protocol` imports nothing but core; `src/client` imports only protocol, core and the standard WebSocket.
 *
 * @example
 * ```sh
 * npm run check:layers
 * ```
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

type Rule = { dir: string; forbid: RegExp; why: string };

const runtime = /^(node:|bun$|bun:|hono|@hono\/|ws$|cbor-x(?!\/)|deno)/;
const rules: Rule[] = [
  { dir: "src/core", forbid: runtime, why: "src/core reaches the world only through its own ports" },
  { dir: "src/core", forbid: /\/(protocol|server|adapters|cli|client)\//, why: "src/core depends on no outer layer" },
  { dir: "src/protocol", forbid: /^(node:|bun|hono|@hono\/|ws$|deno)|\/(server|adapters|cli|client)\//, why: "src/protocol depends on core only" },
  { dir: "src/client", forbid: /^(node:|bun|hono|@hono\/|deno)|\/(server|adapters|cli)\//, why: "src/client runs in browsers: protocol, core and WebSocket only" },
  { dir: "src/server", forbid: /^(node:|bun|deno)|\/(adapters|cli|client)\//, why: "src/server is runtime-agnostic; adapters wire runtimes; it shares with the client only protocol and core" },
];
const globals = /\b(Deno|Bun)\.[A-Za-z]/;

function* files(dir: string): Generator<string> {
  let entries: string[] = [];
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (path.endsWith(".ts")) yield path;
  }
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const problems: string[] = [];
for (const rule of rules) {
  for (const file of files(rule.dir)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(importPattern)) {
      const spec = m[1] ?? m[2] ?? "";
      if (rule.forbid.test(spec)) problems.push(`${relative(".", file)}: imports "${spec}" (${rule.why})`);
    }
    if (rule.dir !== "src/server" && rule.dir !== "src/client") {
      const code = text.split("\n").filter((l) => !/^\s*(\*|\/\/)/.test(l)).join("\n");
      if (globals.test(code)) problems.push(`${relative(".", file)}: uses a Deno or Bun global (${rule.why})`);
    }
  }
}
// Bun and Deno run the sources as they are: every relative import names its file with ".ts".
for (const file of files("src")) {
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(importPattern)) {
    const spec = m[1] ?? m[2] ?? "";
    if (spec.startsWith(".") && !spec.endsWith(".ts")) problems.push(`${relative(".", file)}: imports "${spec}" without its .ts extension`);
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`check-layers: ${problems.length} violation(s)`);
  process.exit(1);
}
console.log("check-layers: layers are clean");
