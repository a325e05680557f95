import { describe, expect, it } from "vitest";
import { EndTrackingFileHandle } from "../../src/adapters/end-tracking-file-handle.ts";

/** A file in an array whose writes can be made to fail or to wait, to watch the handle's bookkeeping. */
class ScriptedFile extends EndTrackingFileHandle {
  readonly writes: [number, number][] = [];
  failNext = false;
  gate: Promise<void> | undefined;
  diskSize = 0;

  constructor(size: number, readOnly = false) {
    super("scripted.log", size, readOnly);
  }

  protected async writeAt(position: number, data: Uint8Array): Promise<void> {
    const fail = this.failNext;
    this.failNext = false;
    await this.gate;
    if (fail) throw Object.assign(new Error("No space left on device"), { code: "ENOSPC" });
    this.writes.push([position, data.length]);
  }
  protected async readAt(position: number, length: number): Promise<Uint8Array> {
    return new Uint8Array(await this.readableLength(position, length));
  }
  protected async syncData(): Promise<void> {}
  protected async truncateTo(): Promise<void> {}
  protected async closeFile(): Promise<void> {}
  protected async currentSize(): Promise<number> {
    return this.diskSize;
  }
}

describe("EndTrackingFileHandle", () => {
  it("append() reserves its position when called, so appends started together land in call order", async () => {
    const file = new ScriptedFile(10);
    const ends = await Promise.all([file.append(new Uint8Array(3)), file.append(new Uint8Array(5))]);
    expect(ends).toEqual([13, 18]);
    expect(file.writes).toEqual([[10, 3], [13, 5]]);
    expect(file.size()).toBe(18);
  });

  it("a failed append() gives its reservation back, and the next append takes that position", async () => {
    const file = new ScriptedFile(10);
    file.failNext = true;
    await expect(file.append(new Uint8Array(4))).rejects.toMatchObject({ code: "ENOSPC" });
    expect(file.size()).toBe(10);
    await expect(file.append(new Uint8Array(2))).resolves.toBe(12);
    expect(file.writes).toEqual([[10, 2]]);
  });

  it("a failed append() keeps the end when a later append was reserved on top of it", async () => {
    const file = new ScriptedFile(0);
    let open: () => void = () => {};
    file.gate = new Promise((resolve) => (open = resolve));
    file.failNext = true;
    const failing = file.append(new Uint8Array(4));
    const later = file.append(new Uint8Array(6));
    open();
    await expect(failing).rejects.toThrow("No space left");
    await expect(later).resolves.toBe(10);
    expect(file.size()).toBe(10);
  });

  it("refuses negative or fractional positions and lengths with a RangeError before touching the file", async () => {
    const file = new ScriptedFile(8);
    await expect(file.write(-1, new Uint8Array(1))).rejects.toThrow("Write position must be a non-negative integer, got -1");
    await expect(file.read(0, 1.5)).rejects.toThrow(RangeError);
    await expect(file.truncate(Number.NaN)).rejects.toThrow("Truncate size must be a non-negative integer, got NaN");
    expect(file.writes).toEqual([]);
    expect(file.size()).toBe(8);
  });

  it("a read-only handle refuses writes with EBADF and learns the file's size again when reading past its end", async () => {
    const file = new ScriptedFile(4, true);
    await expect(file.append(new Uint8Array(1))).rejects.toMatchObject({ code: "EBADF", message: "File is open for reading only: scripted.log" });
    file.diskSize = 9;
    expect((await file.read(2, 100)).length).toBe(7);
    expect(file.size()).toBe(9);
  });

  it("a closed handle rejects every later call with EBADF", async () => {
    const file = new ScriptedFile(0);
    await file.close();
    expect(() => file.size()).toThrow("File handle is closed: scripted.log");
    await expect(file.append(new Uint8Array(1))).rejects.toMatchObject({ code: "EBADF" });
    await expect(file.close()).rejects.toMatchObject({ code: "EBADF" });
  });
});
