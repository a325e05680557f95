import { describe, expect, it } from "vitest";
import { OFFSET_MAP_ENTRY_OVERHEAD, OffsetMap } from "../../../src/core/log/offset-map.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("OffsetMap", () => {
  it("keeps the last offset put for each exact key", () => {
    const map = new OffsetMap(1 << 20);
    map.put(utf8("a"), 1);
    map.put(utf8("b"), 2);
    map.put(utf8("a"), 7);
    map.put(new Uint8Array([0x61, 0x00]), 9);
    expect([map.get(utf8("a")), map.get(utf8("b")), map.get(new Uint8Array([0x61, 0x00])), map.get(utf8("c"))]).toEqual([7, 2, 9, undefined]);
    expect([map.size, map.latestOffset]).toEqual([3, 9]);
  });

  it("tells apart long keys that differ in one byte", () => {
    const map = new OffsetMap(1 << 20);
    const long = new Uint8Array(20_000).fill(7);
    const other = long.slice();
    other[19_999] = 8;
    map.put(long, 1);
    map.put(other, 2);
    expect([map.get(long), map.get(other)]).toEqual([1, 2]);
  });

  it("charges each new key against its budget", () => {
    const map = new OffsetMap(2 * (OFFSET_MAP_ENTRY_OVERHEAD + 1));
    expect(map.fits(2, 2)).toBe(true);
    expect(map.fits(3, 3)).toBe(false);
    map.put(utf8("a"), 0);
    map.put(utf8("a"), 1);
    expect(map.usedBytes).toBe(OFFSET_MAP_ENTRY_OVERHEAD + 1);
    map.clear();
    expect([map.size, map.usedBytes, map.latestOffset]).toEqual([0, 0, -1]);
    expect(() => new OffsetMap(0)).toThrow(RangeError);
  });
});
