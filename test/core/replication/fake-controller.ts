/**
 * A controller and per-broker cluster views held in memory, for replication tests: partition states
 * with compare-and-swap versions, clean leader elections (a live ISR member only), brokers going
 * down (out of every ISR, a new leader where they led) and coming back. Every view hears every
 * change synchronously.
 *
 * @example
 * ```ts
 * const controller = new FakeController();
 * controller.addBroker(1); controller.addBroker(2);
 * controller.createPartition("t", 0, [1, 2]);
 * const view = controller.view(1);
 * controller.electLeader("t", 0, 2);
 * ```
 * @module
 */
import { checkAlterIsr, type BrokerInfo, type ClusterChange, type ClusterView, type PartitionState } from "../../../src/core/cluster/cluster-view.ts";

const keyOf = (topic: string, partition: number): string => `${topic}/${partition}`;
const copy = (s: PartitionState): PartitionState => ({ ...s, replicas: [...s.replicas], isr: [...s.isr] });

/** The controller's state and the views of it. */
export class FakeController {
  private readonly states = new Map<string, PartitionState>();
  private readonly live = new Set<number>();
  private readonly listeners = new Map<number, Set<(change: ClusterChange) => void>>();
  private revision = 0;
  /** ISR changes that went through (leader-proposed). */
  readonly isrChanges: Array<{ topic: string; partition: number; isr: number[] }> = [];
  /** ISR changes refused (lost compare-and-swap, stale epoch, not the leader). */
  rejectedIsrChanges = 0;
  /** When set, the next alterIsr calls fail with a lost compare-and-swap after this change is applied. */
  interfere: ((state: PartitionState) => PartitionState | undefined) | undefined;

  addBroker(id: number): void {
    this.live.add(id);
    this.emit({ type: "brokers" });
  }

  isLive(id: number): boolean {
    return this.live.has(id);
  }

  createPartition(topic: string, partition: number, replicas: number[]): PartitionState {
    const up = replicas.filter((id) => this.live.has(id));
    const state: PartitionState = { topic, partition, replicas: [...replicas], leader: up[0] ?? -1, leaderEpoch: 0, isr: up, version: ++this.revision };
    this.states.set(keyOf(topic, partition), state);
    this.emit({ type: "topics" });
    this.emit({ type: "partition", state: copy(state) });
    return copy(state);
  }

  state(topic: string, partition: number): PartitionState {
    const s = this.states.get(keyOf(topic, partition));
    if (s === undefined) throw new Error(`no partition ${topic}-${partition}`);
    return copy(s);
  }

  /** A clean election of `leader` (a live ISR member); the ISR keeps its live members. */
  electLeader(topic: string, partition: number, leader: number): PartitionState {
    const s = this.state(topic, partition);
    if (!s.isr.includes(leader) || !this.live.has(leader)) throw new Error(`broker ${leader} is not a live ISR member of ${topic}-${partition}`);
    return this.set({ ...s, leader, leaderEpoch: s.leaderEpoch + 1, isr: s.isr.filter((id) => this.live.has(id)) });
  }

  /** Any election, for tests that need one the controller would not make (both replicas back after an outage). */
  forceLeader(topic: string, partition: number, leader: number, isr: number[]): PartitionState {
    const s = this.state(topic, partition);
    return this.set({ ...s, leader, leaderEpoch: s.leaderEpoch + 1, isr });
  }

  /** The broker is fenced: out of every ISR (the last member stays, as in Kafka), a new leader where it led. */
  brokerDown(id: number): void {
    this.live.delete(id);
    for (const s of [...this.states.values()]) {
      if (!s.replicas.includes(id)) continue;
      const others = s.isr.filter((m) => m !== id);
      const isr = others.length > 0 ? others : s.isr;
      if (s.leader === id) {
        const next = isr.find((m) => this.live.has(m)) ?? -1;
        this.set({ ...s, leader: next, leaderEpoch: s.leaderEpoch + 1, isr: next === -1 ? isr : isr.filter((m) => this.live.has(m)) });
      } else if (isr.length !== s.isr.length) {
        this.set({ ...s, isr });
      }
    }
    this.emit({ type: "brokers" });
  }

  /** The broker registers again; an offline partition whose last ISR member it is gets it as leader. */
  brokerUp(id: number): void {
    this.live.add(id);
    this.emit({ type: "brokers" });
    for (const s of [...this.states.values()]) {
      if (s.leader === -1 && s.isr.includes(id)) this.set({ ...s, leader: id, leaderEpoch: s.leaderEpoch + 1, isr: [id] });
    }
  }

  view(localBrokerId: number): ClusterView {
    const listeners = new Set<(change: ClusterChange) => void>();
    this.listeners.set(localBrokerId, listeners);
    const controller = this;
    return {
      localBrokerId,
      brokers: () => [...this.live].sort((a, b) => a - b).map((id) => brokerInfo(id)),
      broker: (id) => (this.live.has(id) ? brokerInfo(id) : undefined),
      controllerId: () => Math.min(...this.live),
      topics: () => [],
      partition: (topic, partition) => {
        const s = this.states.get(keyOf(topic, partition));
        return s === undefined ? undefined : copy(s);
      },
      partitions: () => [...this.states.values()].map(copy),
      onChange(listener) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
      async alterIsr(topic, partition, isr, expectedVersion, leaderEpoch) {
        return controller.alterIsr(localBrokerId, topic, partition, isr, expectedVersion, leaderEpoch);
      },
    };
  }

  private alterIsr(local: number, topic: string, partition: number, isr: number[], expectedVersion: number, leaderEpoch: number): PartitionState {
    const current = this.states.get(keyOf(topic, partition));
    if (this.interfere !== undefined && current !== undefined) {
      const moved = this.interfere(copy(current));
      this.interfere = undefined;
      if (moved !== undefined) this.set(moved);
    }
    let checked: number[];
    try {
      checked = checkAlterIsr(this.states.get(keyOf(topic, partition)), local, topic, partition, isr, expectedVersion, leaderEpoch);
    } catch (error) {
      this.rejectedIsrChanges++;
      throw error;
    }
    this.isrChanges.push({ topic, partition, isr: checked });
    return this.set({ ...this.state(topic, partition), isr: checked });
  }

  private set(state: PartitionState): PartitionState {
    const next = { ...state, version: ++this.revision };
    this.states.set(keyOf(state.topic, state.partition), next);
    this.emit({ type: "partition", state: copy(next) });
    return copy(next);
  }

  /** Changes not yet told to a broker that is slow to hear of them (see {@link hold}). */
  private readonly held = new Map<number, ClusterChange[]>();

  /** The broker hears of no change until {@link release}: it is late to learn of an election. */
  hold(id: number): void {
    this.held.set(id, this.held.get(id) ?? []);
  }

  /** Tells a held broker the changes it missed, in order. */
  release(id: number): void {
    const missed = this.held.get(id) ?? [];
    this.held.delete(id);
    for (const change of missed) for (const listener of [...(this.listeners.get(id) ?? [])]) listener(change);
  }

  private emit(change: ClusterChange): void {
    for (const [id, listeners] of this.listeners) {
      if (!this.live.has(id) && change.type !== "brokers") continue;
      const held = this.held.get(id);
      if (held !== undefined) held.push(change);
      else for (const listener of [...listeners]) listener(change);
    }
  }
}

function brokerInfo(id: number): BrokerInfo {
  return { id, url: `mem://broker-${id}` };
}
