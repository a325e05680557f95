import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/** Bundles the client's entry for browsers, as an application's bundler would. */
async function bundle(minify: boolean): Promise<{ text: string; inputs: string[] }> {
  const result = await build({
    entryPoints: ["src/client/index.ts"],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    minify,
    logLevel: "silent",
  });
  return { text: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

describe("client bundle", () => {
  it("bundles for the browser without any server, adapter, CLI or runtime code", async () => {
    const { text, inputs } = await bundle(false);
    expect(inputs).toContain("src/client/index.ts");
    expect(inputs.filter((input) => /^src\/(server|adapters|cli)\/|node_modules\/(hono|@hono|ws)\//.test(input))).toEqual([]);
    expect(inputs.filter((input) => input.startsWith("src/core/") && !/^src\/core\/(errors\.ts|record\/|topic\/partitioner\.ts)/.test(input))).toEqual([]);
    for (const banned of ["hono", "node:", "createBroker", "log-manager", "openLogManager", "WebSocketServer"]) {
      expect(text.includes(banned), `the bundle mentions ${banned}`).toBe(false);
    }
  });

  it("is a reasonable size: under 150 kB minified", async () => {
    const { text } = await bundle(true);
    expect(text.length).toBeGreaterThan(10_000);
    expect(text.length).toBeLessThan(150_000);
  });
});
