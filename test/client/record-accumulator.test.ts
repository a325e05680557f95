import { afterEach, describe, expect, it, vi } from "vitest";
import { type BatchGroup, type PendingBatch, RecordAccumulator } from "../../src/client/record-accumulator.ts";

const group: BatchGroup = { topic: "t", acks: -1, compression: "none", timeoutMs: 30_000 };
const record = (size: number) => ({ key: null, value: new Uint8Array(size) });

function accumulator(lingerMs: number, batchSize: number) {
  const sent: { group: BatchGroup; batches: PendingBatch[] }[] = [];
  const closed: string[] = [];
  const acc = new RecordAccumulator({
    lingerMs,
    batchSize,
    dispatch: (g, batches) => sent.push({ group: g, batches }),
    onClose: (topic, partition) => closed.push(`${topic}-${partition}`),
  });
  return { acc, sent, closed };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("RecordAccumulator", () => {
  it("collects records for lingerMs, then sends every partition of a group in one dispatch", () => {
    vi.useFakeTimers();
    const { acc, sent, closed } = accumulator(20, 1 << 20);
    const a = acc.append(group, 0, record(10));
    const b = acc.append(group, 0, record(10));
    const c = acc.append(group, 3, record(10));
    acc.append({ ...group, acks: 1 }, 0, record(10));
    expect([a.index, b.index, c.index]).toEqual([0, 1, 0]);
    expect(a.batch).toBe(b.batch);
    vi.advanceTimersByTime(19);
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sent.map((s) => [s.group.acks, s.batches.map((batch) => [batch.partition, batch.records.length])])).toEqual([
      [-1, [[0, 2], [3, 1]]],
      [1, [[0, 1]]],
    ]);
    expect(closed).toEqual(["t-0", "t-3", "t-0"]);
    expect(acc.empty).toBe(true);
  });

  it("sends a batch once it reaches batchSize, and starts a new one for a record that would pass it", () => {
    vi.useFakeTimers();
    const { acc, sent } = accumulator(60_000, 300);
    acc.append(group, 0, record(100));
    acc.append(group, 0, record(100));
    expect(sent).toHaveLength(0);
    acc.append(group, 0, record(100)); // would pass 300: the first two go
    expect(sent.map((s) => s.batches[0]!.records.length)).toEqual([2]);
    acc.append(group, 1, record(500)); // alone over the size: goes at once
    expect(sent.map((s) => s.batches[0]!.records.length)).toEqual([2, 1]);
    vi.advanceTimersByTime(60_000);
    expect(sent.map((s) => [s.batches[0]!.partition, s.batches[0]!.records.length])).toEqual([[0, 2], [1, 1], [0, 1]]);
  });

  it("flush() sends what lingers at once", () => {
    const { acc, sent } = accumulator(60_000, 1 << 20);
    acc.append(group, 0, record(1));
    acc.flush();
    expect(sent).toHaveLength(1);
    acc.flush();
    expect(sent).toHaveLength(1);
  });
});
