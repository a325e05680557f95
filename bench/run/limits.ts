/**
 * The machine's own limits, measured by `npm run bench` next to the brokers:
 *
 * - raw WebSocket throughput of the same runtime with no broker logic: one connection from a client
 *   in this process to a trivial `Bun.serve` sink in a child process (`ws-sink.ts`), binary frames of
 *   a fixed size sent as fast as the sink acknowledges them (at most {@link WS_WINDOW_BYTES}
 *   unacknowledged), bytes counted by the sink;
 * - the disk under the data directory: sequential write bandwidth (256 MiB in 1 MiB writes and one
 *   fdatasync at the end, timed together) and fdatasync latency (1000 × a 4 KiB append followed by
 *   fdatasync, each pair timed).
 *
 * @example
 * ```ts
 * const ws = await rawWebSocket(65_536, 3);
 * const disk = diskLimits(dataDir);
 * console.log(ws.mbPerSecond, disk.writeMbPerSecond, disk.fdatasyncP99Ms);
 * ```
 * @module
 */
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { cpuMillis, ROOT, startGroup } from "../ws/broker-process.ts";
import { disturbanceMeter } from "./disturbance.ts";
import { percentile } from "./measure.ts";

/** Unacknowledged bytes the raw WebSocket client allows itself. */
export const WS_WINDOW_BYTES = 1024 * 1024;

/**
 * One raw WebSocket measurement.
 *
 * @example
 * ```ts
 * const { mbPerSecond, framesPerSecond } = await rawWebSocket(100, 3);
 * ```
 */
export interface RawWebSocketResult {
  frameBytes: number;
  seconds: number;
  /** 10^6 bytes of frame payload per second, as counted by the sink. */
  mbPerSecond: number;
  framesPerSecond: number;
  /** CPU of the sink per frame, µs. */
  sinkUsPerFrame: number;
  /** CPU of the client per frame, µs. */
  clientUsPerFrame: number;
  /** Share of the machine's CPU others used meanwhile (disturbance.ts). */
  disturbance?: number;
}

/**
 * Sends `frameBytes`-byte binary frames over one connection to a fresh sink for `seconds` (after
 * 0.5 s of warm-up) and returns what the sink received per second.
 *
 * @example
 * ```ts
 * const result = await rawWebSocket(1024, 3);
 * ```
 */
export async function rawWebSocket(frameBytes: number, seconds: number): Promise<RawWebSocketResult> {
  const sink = startGroup(process.execPath, [join(ROOT, "bench", "run", "ws-sink.ts")]);
  try {
    const { line } = await sink.waitForLine(/^listening \d+/, 20_000);
    const port = Number(/^listening (\d+)/.exec(line)![1]);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.binaryType = "arraybuffer";
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`Cannot connect to the WebSocket sink on port ${port}`));
    });
    const frames = Array.from({ length: 64 }, (_, k) => new Uint8Array(frameBytes).fill(k));
    let sent = 0;
    let sentFrames = 0;
    let acked = 0;
    let stopped = false;
    let marks: { at: number; acked: number; sinkCpu: number; client: NodeJS.CpuUsage; frames: number; meter: ReturnType<typeof disturbanceMeter> } | undefined;
    let result: RawWebSocketResult | undefined;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const pump = (): void => {
      while (!stopped && sent - acked < WS_WINDOW_BYTES) {
        ws.send(frames[sentFrames & 63]!);
        sent += frameBytes;
        sentFrames++;
      }
    };
    ws.onmessage = (event: MessageEvent) => {
      acked = Number(event.data);
      pump();
    };
    ws.onclose = () => finish();
    const warmup = setTimeout(() => {
      const meter = disturbanceMeter([sink.pid]);
      marks = { at: performance.now(), acked, sinkCpu: cpuMillis(sink.pid), client: process.cpuUsage(), frames: Math.floor(acked / frameBytes), meter };
    }, 500);
    const end = setTimeout(() => {
      stopped = true;
      const at = performance.now();
      const m = marks!;
      const s = (at - m.at) / 1000;
      const framesDone = Math.floor(acked / frameBytes) - m.frames;
      const client = process.cpuUsage(m.client);
      const disturbance = m.meter.stop();
      result = {
        frameBytes,
        seconds: s,
        mbPerSecond: (acked - m.acked) / 1e6 / s,
        framesPerSecond: framesDone / s,
        sinkUsPerFrame: ((cpuMillis(sink.pid) - m.sinkCpu) * 1000) / framesDone,
        clientUsPerFrame: (client.user + client.system) / framesDone,
        ...(disturbance !== undefined ? { disturbance } : {}),
      };
      finish();
    }, 500 + seconds * 1000);
    pump();
    await finished;
    clearTimeout(warmup);
    clearTimeout(end);
    ws.close();
    if (result === undefined) throw new Error(`The WebSocket sink closed the connection after ${acked} bytes`);
    return result;
  } finally {
    await sink.stop(2000);
  }
}

/**
 * The disk figures of {@link diskLimits}.
 *
 * @example
 * ```ts
 * const { writeMbPerSecond } = diskLimits(dir);
 * ```
 */
export interface DiskLimits {
  /** 10^6 bytes per second: 256 MiB in 1 MiB writes plus the final fdatasync. */
  writeMbPerSecond: number;
  writeSeconds: number;
  /** Of that, the final fdatasync. */
  finalFdatasyncSeconds: number;
  /** 10^6 bytes per second of the write(2) calls alone, into the page cache (what an append without fsync costs). */
  bufferedWriteMbPerSecond: number;
  fdatasyncP50Ms: number;
  fdatasyncP99Ms: number;
  fdatasyncMaxMs: number;
}

/**
 * Measures sequential write bandwidth and fdatasync latency with files in `dir`, removed afterwards.
 *
 * @example
 * ```ts
 * const disk = diskLimits("/var/lib/edgelog");
 * ```
 */
export function diskLimits(dir: string, options: { writeMiB: number; syncs: number } = { writeMiB: 256, syncs: 1000 }): DiskLimits {
  const MiB = 1024 * 1024;
  const chunk = new Uint8Array(MiB);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131) & 0xff;
  const big = join(dir, "limits-sequential.bin");
  const small = join(dir, "limits-fdatasync.bin");
  try {
    let fd = openSync(big, "w");
    const started = performance.now();
    for (let i = 0; i < options.writeMiB; i++) {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
    }
    const written = performance.now();
    fdatasyncSync(fd);
    const synced = performance.now();
    closeSync(fd);
    rmSync(big, { force: true });

    const block = chunk.subarray(0, 4096);
    const latencies = new Float64Array(options.syncs);
    fd = openSync(small, "a");
    for (let i = 0; i < options.syncs; i++) {
      const t = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      latencies[i] = performance.now() - t;
    }
    closeSync(fd);
    latencies.sort();
    const seconds = (synced - started) / 1000;
    return {
      writeMbPerSecond: (options.writeMiB * MiB) / 1e6 / seconds,
      writeSeconds: seconds,
      finalFdatasyncSeconds: (synced - written) / 1000,
      bufferedWriteMbPerSecond: (options.writeMiB * MiB) / 1e6 / ((written - started) / 1000),
      fdatasyncP50Ms: percentile(latencies, 0.5),
      fdatasyncP99Ms: percentile(latencies, 0.99),
      fdatasyncMaxMs: latencies[latencies.length - 1]!,
    };
  } finally {
    rmSync(big, { force: true });
    rmSync(small, { force: true });
  }
}
