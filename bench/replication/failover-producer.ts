/**
 * The producer of the fail-over measurement: it writes small acks=all batches to one partition
 * without pause, a few requests in flight, to the leader that `metadata` names. After any failure
 * (the connection closes, NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, a timeout) it drops the
 * connection, waits {@link RETRY_BACKOFF_MS} (Kafka's retry.backoff.ms), asks a live broker for
 * metadata again and goes to the leader named there: the rediscovery every Kafka client does. It
 * records when each acknowledgement arrived and which broker gave it, and when metadata first named
 * each leader.
 *
 * @example
 * ```ts
 * const producer = new FailoverProducer({ topic: "failover", partition: 0, batch: batchOf(100), window: 4, brokerUrls: () => urls });
 * producer.start();
 * // ... kill the leader ...
 * const first = producer.firstAckAfter(killedAt, deadId);
 * await producer.stop();
 * ```
 * @module
 */
import { BenchConnection, type Frame } from "../ws/bench-client.ts";

/** The pause after a failed request before metadata is asked again (Kafka's retry.backoff.ms). */
export const RETRY_BACKOFF_MS = 100;

/** How long opening a connection or a metadata request may take before the next broker is tried. */
const ATTEMPT_TIMEOUT_MS = 1_000;

/**
 * Options of {@link FailoverProducer}.
 *
 * @example
 * ```ts
 * const options: FailoverProducerOptions = { topic: "failover", partition: 0, batch, window: 4, brokerUrls: () => [...] };
 * ```
 */
export interface FailoverProducerOptions {
  topic: string;
  partition: number;
  /** One encoded RecordBatch, sent in every request. */
  batch: Uint8Array;
  /** Requests in flight. */
  window: number;
  /** The URLs to ask for metadata (the bootstrap list: dead brokers fail fast and are skipped). */
  brokerUrls: () => readonly string[];
}

/**
 * An acknowledgement: when it arrived (performance.now()) and which broker gave it.
 *
 * @example
 * ```ts
 * const ack: Ack = { at: 1234.5, leader: 2 };
 * ```
 */
export interface Ack {
  at: number;
  leader: number;
}

interface Leader {
  id: number;
  conn: BenchConnection;
}

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * producer.acks.length; // acknowledged requests so far
 * ```
 */
export class FailoverProducer {
  /** Every acknowledgement, in arrival order. */
  readonly acks: Ack[] = [];
  /** When metadata named a leader, each time the producer asked (performance.now()). */
  readonly sightings: { at: number; leader: number }[] = [];
  /** Failed requests by error code. */
  readonly failures = new Map<string, number>();
  private leader: Promise<Leader> | undefined;
  private settled: Leader | undefined;
  private running = false;
  private lanes: Promise<void>[] = [];

  constructor(private readonly options: FailoverProducerOptions) {}

  /** Starts `window` request loops. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.lanes = Array.from({ length: this.options.window }, () => this.lane());
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.lanes);
    const leader = await this.leader?.catch(() => undefined);
    leader?.conn.close();
  }

  /** The first acknowledgement after `at` from a broker other than `notFrom`. */
  firstAckAfter(at: number, notFrom: number): Ack | undefined {
    return this.acks.find((a) => a.at > at && a.leader !== notFrom);
  }

  /** The first time after `at` metadata named a live leader other than `notFrom`. */
  firstSightingAfter(at: number, notFrom: number): { at: number; leader: number } | undefined {
    return this.sightings.find((s) => s.at > at && s.leader !== notFrom && s.leader >= 0);
  }

  private async lane(): Promise<void> {
    const { topic, partition, batch } = this.options;
    while (this.running) {
      let leader: Leader | undefined;
      try {
        leader = await this.current();
        const reply = await leader.conn.call("produce", { acks: -1, timeoutMs: 30_000, topic, partitions: [{ partition, batches: batch }] });
        const error = (reply["partitions"] as Frame[])[0]?.["error"] as Frame | undefined;
        if (error !== undefined) throw new Error(`${String(error["code"])}: ${String(error["message"])}`);
        this.acks.push({ at: performance.now(), leader: leader.id });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const code = /"code":"([A-Z_]+)"|^([A-Z_]+):/.exec(message);
        const name = code?.[1] ?? code?.[2] ?? message.slice(0, 60);
        this.failures.set(name, (this.failures.get(name) ?? 0) + 1);
        this.forget(leader);
        await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS));
      }
    }
  }

  /** Drops the connection to `leader` (when it is still the current one), so the next request rediscovers. */
  private forget(leader: Leader | undefined): void {
    if (leader === undefined) return; // discovery failed: current() starts another
    if (this.settled === leader) {
      this.leader = undefined;
      this.settled = undefined;
    }
    leader.conn.close();
  }

  private current(): Promise<Leader> {
    if (this.leader === undefined) {
      const found = this.discover();
      this.leader = found;
      found.then(
        (leader) => {
          if (this.leader === found) this.settled = leader;
          else leader.conn.close();
        },
        () => {
          if (this.leader === found) this.leader = undefined;
        },
      );
    }
    return this.leader;
  }

  /** Asks the brokers in turn for metadata and connects to the partition's leader. */
  private async discover(): Promise<Leader> {
    const { topic, partition } = this.options;
    let lastError: unknown = new Error("no broker to ask");
    for (const url of this.options.brokerUrls()) {
      let conn: BenchConnection | undefined;
      try {
        conn = await openWithin(url);
        const reply = await withTimeout(conn.call("metadata", { topics: [topic] }), `metadata from ${url}`);
        const brokers = reply["brokers"] as Frame[];
        const p = ((reply["topics"] as Frame[])[0]!["partitions"] as Frame[]).find((x) => x["partition"] === partition);
        const id = (p?.["leader"] as number | undefined) ?? -1;
        this.sightings.push({ at: performance.now(), leader: id });
        const leaderUrl = brokers.find((b) => b["brokerId"] === id)?.["url"] as string | undefined;
        if (leaderUrl === undefined) throw new Error(`no leader of ${topic}-${partition} in metadata from ${url}`);
        if (leaderUrl === url) return { id, conn };
        conn.close();
        conn = undefined;
        return { id, conn: await openWithin(leaderUrl) };
      } catch (error) {
        conn?.close();
        lastError = error;
      }
    }
    throw lastError;
  }
}

/** Opens a connection; one that opens after the timeout is closed. */
async function openWithin(url: string): Promise<BenchConnection> {
  const opening = BenchConnection.open(url);
  try {
    return await withTimeout(opening, `connecting to ${url}`);
  } catch (error) {
    opening.then((late) => late.close(), () => undefined);
    throw error;
  }
}

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ATTEMPT_TIMEOUT_MS} ms`)), ATTEMPT_TIMEOUT_MS)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
