/**
 * The subscribe workload of the WebSocket benches: one subscription from the earliest offset that
 * reads a partition to `logEnd`, granting credit back as a quarter of the window is used, and
 * checking that pushes come in offset order.
 *
 * @example
 * ```ts
 * const { ms, bytes } = await subscribeAll(broker.url, "bench", 1_000_000);
 * ```
 * @module
 */
import { BenchConnection, forEachBatch } from "./bench-client.ts";

/**
 * The credit window of {@link subscribeAll}.
 *
 * @example
 * ```ts
 * conditions["subscribeCredit"] = SUBSCRIBE_CREDIT;
 * ```
 */
export const SUBSCRIBE_CREDIT = { records: 500_000, bytes: 64 * 1024 * 1024 };

/**
 * Subscribes to partition 0 of `topic` from the earliest offset and reads `logEnd` records; resolves
 * with the time from the subscribe request to the last push and the record batch bytes read. Fails
 * on a push out of order, an error push, or after 60 s.
 *
 * @example
 * ```ts
 * const { ms } = await subscribeAll("ws://127.0.0.1:9092/", "bench", 1_000_000);
 * ```
 */
export async function subscribeAll(url: string, topic: string, logEnd: number): Promise<{ ms: number; bytes: number }> {
  const credit = SUBSCRIBE_CREDIT;
  const conn = await BenchConnection.open(url);
  try {
    let sub = -1;
    let next = 0;
    let bytes = 0;
    let unspentRecords = 0;
    let unspentBytes = 0;
    let failure: Error | undefined;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    conn.onPush = (push) => {
      if (push["push"] !== "records") {
        failure ??= new Error(`subscription ended: ${JSON.stringify(push["error"])}`);
        finish();
        return;
      }
      if (push["firstOffset"] !== next) failure ??= new Error(`push at ${String(push["firstOffset"])}, expected ${next}`);
      forEachBatch(push["batches"] as Uint8Array, (_base, _last, records, size) => {
        unspentRecords += records;
        unspentBytes += size;
        bytes += size;
      });
      next = push["nextOffset"] as number;
      if (unspentRecords >= credit.records / 4 || unspentBytes >= credit.bytes / 4) {
        conn.cast("credit", { sub, records: unspentRecords, bytes: unspentBytes }, (e) => (failure ??= new Error(`credit: ${JSON.stringify(e)}`)));
        unspentRecords = unspentBytes = 0;
      }
      if (next >= logEnd || failure) finish();
    };
    const started = performance.now();
    const reply = await conn.call("subscribe", { topic, partition: 0, from: "earliest", credit });
    sub = reply["sub"] as number;
    if (reply["highWatermark"] !== logEnd) throw new Error(`subscribe: high watermark ${String(reply["highWatermark"])}, expected ${logEnd}`);
    const timeout = setTimeout(() => (failure ??= new Error(`subscribe: only ${next} of ${logEnd} records within 60 s`), finish()), 60_000);
    await finished;
    const ms = performance.now() - started;
    clearTimeout(timeout);
    if (failure) throw failure;
    return { ms, bytes };
  } finally {
    conn.close();
  }
}
