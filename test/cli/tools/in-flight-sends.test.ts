import { describe, expect, it } from "vitest";
import { InFlightSends } from "../../../src/cli/tools/in-flight-sends.ts";

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("InFlightSends", () => {
  it("add() resolves at once below the limit and waits at the limit until one send settles", async () => {
    const inFlight = new InFlightSends(2);
    const first = deferred<number>();
    const second = deferred<number>();
    const sent: number[] = [];
    await inFlight.add(first.promise, (v) => sent.push(v), () => {});
    let admitted = false;
    const adding = inFlight.add(second.promise, (v) => sent.push(v), () => {}).then(() => (admitted = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(admitted).toBe(false);
    expect(inFlight.size).toBe(2);
    first.resolve(1);
    await adding;
    expect(sent).toEqual([1]);
    expect(inFlight.size).toBe(1);
    second.resolve(2);
    await inFlight.drain();
    expect(sent).toEqual([1, 2]);
    expect(inFlight.size).toBe(0);
  });

  it("a failed send goes to onFailed and drain() still resolves", async () => {
    const inFlight = new InFlightSends(10);
    const errors: unknown[] = [];
    const failure = new Error("NOT_LEADER_OR_FOLLOWER");
    await inFlight.add(Promise.reject(failure), () => {}, (error) => errors.push(error));
    await inFlight.add(Promise.resolve(7), () => {}, (error) => errors.push(error));
    await inFlight.drain();
    expect(errors).toEqual([failure]);
  });

  it("refuses a limit below 1", () => {
    expect(() => new InFlightSends(0)).toThrow(RangeError);
    expect(() => new InFlightSends(1.5)).toThrow(RangeError);
  });
});
