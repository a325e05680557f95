import { describe, expect, it } from "vitest";
import { memoryFileSystem } from "../../../src/adapters/memory/file-system.ts";
import {
  formatOffsetCheckpoint,
  parseOffsetCheckpoint,
  readOffsetCheckpoint,
  topicPartitionKey,
  writeOffsetCheckpoint,
} from "../../../src/core/log/checkpoint-file.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("offset checkpoint files", () => {
  it("formatOffsetCheckpoint() writes Kafka's version, count and entry lines", () => {
    const text = new TextDecoder().decode(
      formatOffsetCheckpoint([
        { topic: "orders-eu", partition: 0, offset: 1042 },
        { topic: "clicks", partition: 12, offset: 0 },
      ]),
    );
    expect(text).toBe("0\n2\norders-eu 0 1042\nclicks 12 0\n");
    expect(new TextDecoder().decode(formatOffsetCheckpoint([]))).toBe("0\n0\n");
  });

  it("parseOffsetCheckpoint() reads what Kafka writes", () => {
    expect(parseOffsetCheckpoint(bytes("0\n2\na 0 5\nb.c-d 3 -1\n"), "cp")).toEqual([
      { topic: "a", partition: 0, offset: 5 },
      { topic: "b.c-d", partition: 3, offset: -1 },
    ]);
  });

  for (const [name, text] of [
    ["an unknown version", "1\n0\n"],
    ["a count that does not match", "0\n2\na 0 5\n"],
    ["a line with missing fields", "0\n1\na 0\n"],
    ["a partition that is not a number", "0\n1\na x 5\n"],
    ["an offset that is not an integer", "0\n1\na 0 5.5\n"],
    ["an empty file", ""],
  ] as const) {
    it(`parseOffsetCheckpoint() rejects ${name} with KAFKA_STORAGE_ERROR`, () => {
      expect(() => parseOffsetCheckpoint(bytes(text), "cp")).toThrow(expect.objectContaining({ code: "KAFKA_STORAGE_ERROR" }));
    });
  }

  it("write then read round-trips through the file system, and a missing file reads as empty", async () => {
    const fs = memoryFileSystem();
    await fs.mkdir("data");
    expect((await readOffsetCheckpoint(fs, "data/cp")).size).toBe(0);
    await writeOffsetCheckpoint(fs, "data/cp", [{ topic: "t", partition: 1, offset: 99 }]);
    const read = await readOffsetCheckpoint(fs, "data/cp");
    expect(read.get(topicPartitionKey("t", 1))).toBe(99);
    expect(await fs.list("data")).toEqual(["cp"]);
  });
});
