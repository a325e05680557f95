import { describe, expect, it } from "vitest";
import { OffsetIndex } from "../../../src/core/log/offset-index.ts";
import { TimeIndex } from "../../../src/core/log/time-index.ts";

describe("OffsetIndex", () => {
  it("lookup() returns the floor entry, or the segment start before the first entry", () => {
    const index = new OffsetIndex(1000, 100);
    index.append(1010, 400);
    index.append(1020, 900);
    expect(index.lookup(1005)).toEqual({ offset: 1000, position: 0 });
    expect(index.lookup(1010)).toEqual({ offset: 1010, position: 400 });
    expect(index.lookup(1019)).toEqual({ offset: 1010, position: 400 });
    expect(index.lookup(5000)).toEqual({ offset: 1020, position: 900 });
  });

  it("stores entries as int32 relative offset and int32 position", () => {
    const index = new OffsetIndex(1000, 100);
    index.append(1010, 400);
    expect([...index.toBytes()]).toEqual([0, 0, 0, 10, 0, 0, 1, 144]);
    const back = OffsetIndex.fromBytes(1000, 100, index.toBytes());
    expect(back.lookup(2000)).toEqual({ offset: 1010, position: 400 });
  });

  it("grows past its first buffer and stops taking entries when full", () => {
    const index = new OffsetIndex(0, 150);
    for (let i = 1; i <= 200; i++) index.append(i, i * 10);
    expect(index.entries).toBe(150);
    expect(index.isFull).toBe(true);
    expect(index.lookup(1000)).toEqual({ offset: 150, position: 1500 });
  });

  it("rejects entries that do not increase", () => {
    const index = new OffsetIndex(0, 10);
    index.append(5, 50);
    expect(() => index.append(5, 60)).toThrow(RangeError);
    expect(() => index.append(6, 50)).toThrow(RangeError);
  });

  it("truncateTo() removes entries at and after an offset", () => {
    const index = new OffsetIndex(0, 10);
    for (const o of [5, 10, 15]) index.append(o, o * 10);
    index.truncateTo(10);
    expect(index.entries).toBe(1);
    index.truncateTo(6);
    expect(index.entries).toBe(1);
  });

  it("check() finds entries out of order or past the log", () => {
    const good = new OffsetIndex(0, 10);
    good.append(5, 50);
    good.append(9, 90);
    expect(good.check(100)).toBeUndefined();
    expect(good.check(90)).toMatch(/points at byte 90/);
    const bytes = good.toBytes();
    bytes.set(bytes.subarray(0, 8), 8);
    expect(OffsetIndex.fromBytes(0, 10, bytes).check(100)).toMatch(/relative offset/);
  });
});

describe("TimeIndex", () => {
  it("maybeAppend() keeps only growing timestamps and lookup() returns the floor entry", () => {
    const index = new TimeIndex(100, 10);
    index.maybeAppend(1000, 105);
    index.maybeAppend(900, 107);
    index.maybeAppend(1000, 108);
    index.maybeAppend(2000, 110);
    expect(index.entries).toBe(2);
    expect(index.lookup(999)).toEqual({ timestamp: -1, offset: 100 });
    expect(index.lookup(1500)).toEqual({ timestamp: 1000, offset: 105 });
    expect(index.lookup(2000)).toEqual({ timestamp: 2000, offset: 110 });
  });

  it("stores entries as int64 timestamp and int32 relative offset", () => {
    const index = new TimeIndex(100, 10);
    index.maybeAppend(1_700_000_000_000, 105);
    expect([...index.toBytes()]).toEqual([0, 0, 1, 0x8b, 0xcf, 0xe5, 0x68, 0x00, 0, 0, 0, 5]);
  });

  it("takes a final entry even when full", () => {
    const index = new TimeIndex(0, 1);
    index.maybeAppend(10, 1);
    index.maybeAppend(20, 2);
    expect(index.entries).toBe(1);
    index.maybeAppend(20, 2, true);
    expect(index.entries).toBe(2);
  });

  it("check() finds offsets past the segment's last offset", () => {
    const index = new TimeIndex(0, 10);
    index.maybeAppend(10, 5);
    expect(index.check(5)).toBeUndefined();
    expect(index.check(4)).toMatch(/past 4/);
  });
});
