/**
 * Brokers for controller tests: each has its own coordination client, registration, watched view,
 * controller and admin, over any {@link Coordination} (the in-memory store with a manual clock, or
 * a real etcd).
 *
 * @example
 * ```ts
 * const cluster = clusterHarness({ connect: () => store.connect(), clock });
 * const [b1, b2, b3] = await cluster.start([1, 2, 3]);
 * await eventually(() => expect(cluster.controllers()).toHaveLength(1));
 * await cluster.stopAll();
 * ```
 * @module
 */
import { expect } from "vitest";
import { registerBroker, type BrokerRegistration } from "../../../src/core/cluster/broker-registration.ts";
import { clusterAdmin, type ClusterAdmin } from "../../../src/core/cluster/cluster-admin.ts";
import { clusterKeys, type ClusterKeys } from "../../../src/core/cluster/cluster-keys.ts";
import type { ClusterLogger } from "../../../src/core/cluster/cluster-logger.ts";
import { watchClusterView, type WatchedClusterView } from "../../../src/core/cluster/cluster-view-impl.ts";
import { startController, type Controller } from "../../../src/core/cluster/controller.ts";
import type { Clock } from "../../../src/core/ports/clock.ts";
import type { Coordination } from "../../../src/core/ports/coordination.ts";

/** One broker of a test cluster. */
export interface TestBroker {
  id: number;
  store: Coordination;
  registration: BrokerRegistration;
  view: WatchedClusterView;
  controller: Controller;
  admin: ClusterAdmin;
  /** Stops everything without revoking the lease: the cluster sees the broker die when it expires. */
  crash(): Promise<void>;
  /** Stops the controller, revokes the lease, closes the view and the client. */
  shutdown(): Promise<void>;
}

/** Options of {@link clusterHarness}. */
export interface HarnessOptions {
  connect(): Coordination;
  clock?: Clock;
  clusterId?: string;
  sessionTimeoutMs?: number;
  uncleanLeaderElectionEnable?: boolean;
  /** Fixed replica placement for createTopic (default: a seeded sequence). */
  random?: () => number;
}

/** Log lines of every broker, as "level message". */
export type LogLines = string[];

/** Creates a harness; brokers are started with {@link ClusterHarness.start}. */
export function clusterHarness(options: HarnessOptions) {
  const keys: ClusterKeys = clusterKeys(options.clusterId ?? "test");
  const brokers = new Map<number, TestBroker>();
  const logs: LogLines = [];
  const logger = (id: number): ClusterLogger => (level, message) => void logs.push(`${level} [${id}] ${message}`);
  let seed = 0;
  const random = options.random ?? (() => ((seed = (seed * 9301 + 49297) % 233280) / 233280));

  async function startOne(id: number): Promise<TestBroker> {
    const store = options.connect();
    const common = { clock: options.clock, logger: logger(id) };
    const registration = await registerBroker({
      store,
      keys,
      brokerId: id,
      url: `ws://broker-${id}:9092`,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 3000,
      duplicateWaitMs: 0,
      ...common,
    });
    const view = await watchClusterView({ store, keys, localBrokerId: id, logger: logger(id) });
    const controller = startController({
      store,
      view,
      registration,
      ...common,
      uncleanLeaderElectionEnable: options.uncleanLeaderElectionEnable ?? false,
    });
    const admin = clusterAdmin({ store, keys, logger: logger(id), random, defaultReplicationFactor: 1 });
    const broker: TestBroker = {
      id,
      store,
      registration,
      view,
      controller,
      admin,
      async crash() {
        brokers.delete(id);
        await controller.close();
        view.close();
        await store.close();
      },
      async shutdown() {
        brokers.delete(id);
        await controller.close();
        await registration.close();
        view.close();
        await store.close();
      },
    };
    brokers.set(id, broker);
    return broker;
  }

  return {
    keys,
    logs,
    brokers,
    /** Starts brokers one after the other (registration order is deterministic). */
    async start(ids: number[]): Promise<TestBroker[]> {
      const started: TestBroker[] = [];
      for (const id of ids) started.push(await startOne(id));
      return started;
    },
    /** The running brokers that are controller now. */
    controllers(): number[] {
      return [...brokers.values()].filter((b) => b.controller.active).map((b) => b.id);
    },
    /** Waits until every running broker's view has caught up with `broker`'s latest revision. */
    async synced(): Promise<void> {
      const revision = Math.max(...[...brokers.values()].map((b) => b.view.revision));
      await Promise.all([...brokers.values()].map((b) => b.view.waitForRevision(revision)));
    },
    async stopAll(): Promise<void> {
      for (const broker of [...brokers.values()]) await broker.shutdown().catch(() => undefined);
    },
  };
}

/** The harness type. */
export type ClusterHarness = ReturnType<typeof clusterHarness>;

/** Asserts a partition's leader, epoch and ISR as one broker's view shows them. */
export function expectPartition(view: WatchedClusterView, topic: string, partition: number, expected: { leader?: number; leaderEpoch?: number; isr?: number[]; replicas?: number[] }): void {
  expect(view.partition(topic, partition)).toMatchObject(expected);
}
