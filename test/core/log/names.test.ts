import { describe, expect, it } from "vitest";
import { parsePartitionDirName, partitionDirName } from "../../../src/core/log/partition-dir-name.ts";
import { parseSegmentFileName, segmentFileName } from "../../../src/core/log/segment-name.ts";

describe("segment file names", () => {
  it("segmentFileName() pads the base offset to 20 digits", () => {
    expect(segmentFileName(0, ".log")).toBe("00000000000000000000.log");
    expect(segmentFileName(368769, ".index")).toBe("00000000000000368769.index");
    expect(segmentFileName(Number.MAX_SAFE_INTEGER, ".timeindex")).toBe("00009007199254740991.timeindex");
    expect(() => segmentFileName(-1, ".log")).toThrow(RangeError);
  });

  it("parseSegmentFileName() reads segment files back and ignores other files", () => {
    expect(parseSegmentFileName("00000000000000368769.log")).toEqual({ baseOffset: 368769, suffix: ".log" });
    expect(parseSegmentFileName("00000000000000000000.timeindex")).toEqual({ baseOffset: 0, suffix: ".timeindex" });
    for (const name of ["leader-epoch-checkpoint", "0000000000000000000.log", "00000000000000000000.txnindex", "00000000000000000000.log.tmp", "00000000000000000000.snapshot"]) {
      expect(parseSegmentFileName(name)).toBeNull();
    }
  });
});

describe("partition directory names", () => {
  it("partitionDirName() joins topic and partition with '-'", () => {
    expect(partitionDirName("orders", 0)).toBe("orders-0");
    expect(() => partitionDirName("a/b", 0)).toThrow(RangeError);
    expect(() => partitionDirName("a", -1)).toThrow(RangeError);
  });

  it("parsePartitionDirName() splits at the last '-', so topics may contain '-'", () => {
    expect(parsePartitionDirName("my-topic-name-12")).toEqual({ topic: "my-topic-name", partition: 12 });
    expect(parsePartitionDirName("t.x_y-0")).toEqual({ topic: "t.x_y", partition: 0 });
    for (const name of ["orders", "-3", "orders-", "orders-01", "orders-1x", "orders-0.1a2b-delete", "orders-99999999999"]) {
      expect(parsePartitionDirName(name)).toBeNull();
    }
  });
});
