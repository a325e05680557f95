import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readJsonFile, readTextFile } from "../../../src/cli/tools/input-file.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgelog-input-file-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readTextFile() and readJsonFile()", () => {
  it("readTextFile() reads a file as UTF-8 text", async () => {
    await writeFile(join(dir, "a.txt"), "größe=1\n");
    expect(await readTextFile(join(dir, "a.txt"))).toBe("größe=1\n");
  });

  it("a missing file is an error naming the path and saying no such file", async () => {
    const path = join(dir, "missing.json");
    await expect(readTextFile(path)).rejects.toThrow(`Cannot read ${path}: no such file`);
    await expect(readJsonFile(path)).rejects.toThrow(`Cannot read ${path}: no such file`);
  });

  it("a directory is an error naming the path with the system's reason", async () => {
    await expect(readTextFile(dir)).rejects.toThrow(new RegExp(`^Cannot read ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .+`));
  });

  it("readJsonFile() parses JSON and says which file is not JSON", async () => {
    await writeFile(join(dir, "ok.json"), '{"partitions":[{"topic":"t","partition":1}]}');
    expect(await readJsonFile(join(dir, "ok.json"))).toEqual({ partitions: [{ topic: "t", partition: 1 }] });
    await writeFile(join(dir, "bad.json"), "{partitions");
    await expect(readJsonFile(join(dir, "bad.json"))).rejects.toThrow(`${join(dir, "bad.json")} is not valid JSON: `);
  });
});
