/**
 * Helpers of the consumer-group client tests: a broker tuned for quick rebalances, consumers that
 * collect what they receive in the background, and the group's committed offsets read over a plain
 * connection.
 */
import WebSocket from "ws";
import { Connection, type ConsumedRecord, type Consumer, type ConsumerOptions, type EdgelogClient, type WebSocketConstructor } from "../../src/client/index.ts";
import { NodeWebSocket, type TestBroker, until } from "./broker-fixture.ts";

/** Broker settings for group tests: no initial rebalance delay, short sessions allowed, a small offsets topic. */
export const GROUP_BROKER: Record<string, string> = {
  "group.initial.rebalance.delay.ms": "0",
  "group.min.session.timeout.ms": "1000",
  "offsets.topic.num.partitions": "3",
};

/** A consumer that iterates in the background into `records` until it is disconnected. */
export interface Collecting {
  consumer: Consumer;
  records: ConsumedRecord[];
  /** Settles when the iteration ends; holds its error, if any. */
  done: Promise<unknown>;
}

/** Starts a background `for await` over `consumer`. */
export function collect(consumer: Consumer): Collecting {
  const records: ConsumedRecord[] = [];
  const done = (async () => {
    for await (const record of consumer) records.push(record);
  })().then(
    () => undefined,
    (error: unknown) => error,
  );
  return { consumer, records, done };
}

/** Makes consumers of `client` and disconnects them all at the end. */
export function consumers(closers: (() => Promise<void>)[]) {
  return (client: EdgelogClient, options: ConsumerOptions): Consumer => {
    const c = client.consumer({ heartbeatIntervalMs: 200, ...options });
    closers.push(() => c.disconnect());
    return c;
  };
}

/** The group's committed offset of a partition (-1 when none), read with a plain connection. */
export async function committedOffset(broker: TestBroker, groupId: string, topic: string, partition: number): Promise<number> {
  const connection = new Connection({ brokers: [broker.address], WebSocket: NodeWebSocket });
  try {
    const reply = await connection.request<{ offsets: { offset: number }[] }>("offsetFetch", { groupId, topics: [{ topic, partitions: [partition] }] });
    return reply.offsets[0]!.offset;
  } finally {
    await connection.close();
  }
}

/** Waits until `consumer` owns exactly `count` partitions. */
export function untilOwns(consumer: Consumer, count: number, what = `${count} partition(s)`, limitMs = 10_000): Promise<void> {
  return until(() => consumer.assignment().length === count, what, limitMs);
}

/** `ws` whose connections can be cut abruptly, after which it cannot connect any more (a dead client). */
export function killableWebSocket(): { WebSocket: WebSocketConstructor; kill(): void } {
  const sockets: WebSocket[] = [];
  let dead = false;
  class KillableWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(dead ? "ws://127.0.0.1:1/" : url, protocols);
      sockets.push(this);
    }
  }
  return {
    WebSocket: KillableWebSocket,
    kill() {
      dead = true;
      for (const socket of sockets) socket.terminate();
    },
  };
}
