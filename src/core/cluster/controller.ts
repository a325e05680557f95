/**
 * The cluster controller: every broker campaigns for the election key `controller` under its
 * registration lease (transaction: create only when absent), and the one that holds it acts until
 * its lease is lost, when another broker's campaign wins and carries on from the metadata in the
 * store. The controller's epoch is the createRevision of its election key; each of its writes
 * compares it, so a controller that lost the key without knowing yet changes nothing.
 *
 * It acts on the watched view (`cluster-view-impl.ts`): after any change it makes one pass over
 * the cluster, as Kafka's controller does on broker fencing and partition changes:
 * - partitions led by a broker that is gone get a new leader from their live ISR (leader epoch + 1),
 *   or go offline (leader -1) when no ISR member is alive, unless unclean leader election is
 *   enabled for the topic (`unclean.leader.election.enable`, else the broker's setting): then any
 *   live replica leads, with a warning that acknowledged records may be lost;
 * - brokers that are gone leave every ISR (the last ISR member stays, so that the partition comes
 *   back cleanly with it); a broker that returns is not added back: its leader does that once it
 *   has caught up (alterIsr);
 * - offline partitions get a leader as soon as an ISR member (or, unclean, any replica) is back;
 * - reassignments complete once their target replicas are all in sync (`reassignment.ts`);
 * - partition states missing from a topic's assignment are created, and those a topic deletion left
 *   behind are deleted.
 *
 * Every write is a compare-and-swap on the partition's modRevision, so the leader's ISR changes
 * and admin operations on other brokers are never overwritten: a conflict shows the view is behind,
 * and the next pass decides again on what the watch delivers.
 *
 * @example
 * ```ts
 * const controller = startController({ store, view, registration, clock, logger, uncleanLeaderElectionEnable: false });
 * controller.onActiveChange((active) => logger("info", active ? "controller now" : "no longer controller"));
 * await controller.close();
 * ```
 * @module
 */
import { EdgelogError } from "../errors.ts";
import { systemClock, type Clock, type TimerHandle } from "../ports/clock.ts";
import type { Coordination, Lease, Txn, TxnCompare } from "../ports/coordination.ts";
import { uncleanAllowed } from "./admin-context.ts";
import type { BrokerRegistration } from "./broker-registration.ts";
import { errorMessage, silentLogger, type ClusterLogger } from "./cluster-logger.ts";
import { encodeControllerRecord, encodePartitionRecord, type PartitionRecord } from "./cluster-records.ts";
import type { WatchedClusterView } from "./cluster-view-impl.ts";
import { campaign } from "./election.ts";
import { applyPartitionChange, type PartitionChange } from "./partition-change.ts";
import { completeReassignment, reconcilePartition } from "./partition-election.ts";
import { initialPartitionRecord } from "./topic-admin.ts";

/**
 * Options for {@link startController}.
 *
 * @example
 * ```ts
 * const options: ControllerOptions = { store, view, registration, uncleanLeaderElectionEnable: config.uncleanLeaderElectionEnable };
 * ```
 */
export interface ControllerOptions {
  store: Coordination;
  /** This broker's watched view of the cluster. */
  view: WatchedClusterView;
  /** This broker's registration: the controller campaigns under its lease. */
  registration: BrokerRegistration;
  clock?: Clock;
  logger?: ClusterLogger;
  /** The broker's `unclean.leader.election.enable` (default false), for topics that do not set it. */
  uncleanLeaderElectionEnable?: boolean;
}

/**
 * A broker's part in the controller election, and the controller's work while it holds it.
 *
 * @example
 * ```ts
 * if (controller.active) console.log(`controller epoch ${controller.epoch}`);
 * ```
 */
export interface Controller {
  /** Whether this broker is the controller now. */
  readonly active: boolean;
  /** The controller epoch while active. */
  readonly epoch: number | undefined;
  /** Calls `callback` when this broker becomes the controller (true) or stops being it (false). */
  onActiveChange(callback: (active: boolean) => void): () => void;
  /** Resolves once no pass is pending or running (at once when this broker is not the controller). */
  idle(): Promise<void>;
  /** Stops campaigning and acting. Close it before the registration, whose lease it uses. */
  close(): Promise<void>;
}

interface Term {
  epoch: number;
  lease: Lease;
  dirty: boolean;
  running: boolean;
  ended: boolean;
  end(): void;
}

const WRITE_CONCURRENCY = 32;

/**
 * Starts campaigning; see the module documentation.
 *
 * @example
 * ```ts
 * const controller = startController({ store, view, registration, logger });
 * ```
 */
export function startController(options: ControllerOptions): Controller {
  const { store, view, registration } = options;
  const { keys } = view;
  const brokerId = registration.brokerId;
  const clock = options.clock ?? systemClock();
  const logger = options.logger ?? silentLogger;
  const uncleanDefault = options.uncleanLeaderElectionEnable ?? false;
  const retryMs = Math.max(100, Math.min(1000, Math.floor((registration.ttlSeconds * 1000) / 3)));
  const activeListeners = new Set<(active: boolean) => void>();
  const idleWaiters = new Set<() => void>();
  const sleepers = new Set<{ timer: TimerHandle; resolve: () => void }>();
  const abort = new AbortController();
  let closed = false;
  let term: Term | undefined;

  function sleep(ms: number): Promise<void> {
    if (closed) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = { timer: clock.setTimer(ms, () => (sleepers.delete(sleeper), resolve())), resolve };
      sleepers.add(sleeper);
    });
  }

  function announce(active: boolean): void {
    for (const listener of [...activeListeners]) {
      try {
        listener(active);
      } catch (error) {
        logger("error", `A controller listener failed: ${errorMessage(error)}`);
      }
    }
  }

  function settleIdle(): void {
    if (term !== undefined && (term.dirty || term.running)) return;
    for (const resolve of [...idleWaiters]) resolve();
    idleWaiters.clear();
  }

  async function run(): Promise<void> {
    const aborted = new Promise<never>((_, reject) => abort.signal.addEventListener("abort", () => reject(abort.signal.reason), { once: true }));
    aborted.catch(() => undefined);
    while (!closed) {
      let lease: Lease;
      try {
        lease = await Promise.race([registration.activeLease(), aborted]);
        const mine = await campaign(store, keys.controller, encodeControllerRecord({ brokerId }), lease, { signal: abort.signal });
        if (closed) return;
        await serve(mine.createRevision, lease);
      } catch (error) {
        if (closed) return;
        logger("warn", `Broker ${brokerId} cannot campaign for controller: ${errorMessage(error)}`);
        await sleep(retryMs);
      }
    }
  }

  function serve(epoch: number, lease: Lease): Promise<void> {
    return new Promise((resolve) => {
      const current: Term = {
        epoch,
        lease,
        dirty: false,
        running: false,
        ended: false,
        end() {
          if (current.ended) return;
          current.ended = true;
          stopView();
          stopLost();
          if (term === current) term = undefined;
          logger("info", `Broker ${brokerId} is no longer the controller (epoch ${epoch})`);
          announce(false);
          settleIdle();
          resolve();
        },
      };
      const stopView = view.onChange(() => schedule(current));
      const stopLost = lease.onLost(() => current.end());
      term = current;
      logger("info", `Broker ${brokerId} is the controller (epoch ${epoch})`);
      announce(true);
      schedule(current);
    });
  }

  function schedule(current: Term): void {
    if (current.ended) return;
    current.dirty = true;
    void pump(current);
  }

  async function pump(current: Term): Promise<void> {
    if (current.running) return;
    current.running = true;
    let backoff = retryMs;
    try {
      while (current.dirty && !current.ended && !closed) {
        current.dirty = false;
        try {
          await pass(current);
          backoff = retryMs;
        } catch (error) {
          if (current.ended || closed) break;
          logger("warn", `Controller pass failed, retrying: ${errorMessage(error)}`);
          current.dirty = true;
          await sleep(backoff);
          backoff = Math.min(backoff * 2, registration.ttlSeconds * 1000);
        }
      }
    } finally {
      current.running = false;
      settleIdle();
    }
  }

  /** One look at the whole cluster; writes what needs changing. */
  async function pass(current: Term): Promise<void> {
    const elected = view.controller();
    if (view.revision >= current.epoch && elected?.epoch !== current.epoch) {
      current.end(); // Another controller holds the key (or nobody): our term is over.
      return;
    }
    const live = new Set(view.brokers().map((b) => b.id));
    const writes: { change: () => Promise<{ succeeded: boolean; revision: number; fenced: boolean }>; log?: () => void }[] = [];
    const fence: TxnCompare = { key: keys.controller, target: "createRevision", op: "=", value: current.epoch };

    for (const topic of view.topics()) {
      const record = view.topicRecord(topic.name);
      if (record === undefined) continue;
      for (let p = 0; p < record.partitions; p++) {
        if (view.partition(topic.name, p) !== undefined) continue;
        const state = initialPartitionRecord(record.assignment[p]!, live);
        const key = keys.partition(topic.name, p);
        const compare: TxnCompare[] = [
          { key, target: "createRevision", op: "=", value: 0 },
          { key: keys.topic(topic.name), target: "modRevision", op: "=", value: record.version },
          fence,
        ];
        writes.push({
          change: () => txnOutcome(current, { compare, success: [{ type: "put", key, value: encodePartitionRecord(state) }] }),
          log: () => logger("info", `Created the missing state of ${topic.name}-${p}: replicas [${state.replicas.join(",")}], leader ${state.leader}`),
        });
      }
    }
    const deleteAt = (key: string, version: number) => () =>
      txnOutcome(current, { compare: [{ key, target: "modRevision", op: "=", value: version }, fence], success: [{ type: "delete", key }] });
    for (const orphan of view.orphanPartitions()) writes.push({ change: deleteAt(keys.partition(orphan.topic, orphan.partition), orphan.version) });
    for (const r of view.reassignments()) {
      if (view.partition(r.topic, r.partition) === undefined) writes.push({ change: deleteAt(keys.reassignment(r.topic, r.partition), r.version) });
    }

    for (const state of view.partitions()) {
      const where = `${state.topic}-${state.partition}`;
      const unclean = uncleanAllowed(view.topicRecord(state.topic)?.configs, uncleanDefault);
      let decision = reconcilePartition(state, live, unclean);
      let change: PartitionChange | undefined;
      if (decision !== undefined) {
        change = { state, record: decision.record, controllerEpoch: current.epoch };
      } else {
        const reassignment = view.reassignment(state.topic, state.partition);
        if (reassignment !== undefined) decision = completeReassignment(state, reassignment, live);
        if (decision !== undefined) {
          change = { state, record: decision.record, controllerEpoch: current.epoch, reassignment: { delete: true, expectedVersion: reassignment!.version } };
        }
      }
      if (decision === undefined || change === undefined) continue;
      const { record, unclean: lossy, reason } = decision;
      change.leaderRevision = record.leader === -1 ? undefined : view.brokerRevision(record.leader);
      writes.push({
        change: () => applyPartitionChange(store, keys, change),
        log: () => logDecision(where, state, record, lossy, reason),
      });
    }

    let written = 0;
    for (let i = 0; i < writes.length && !current.ended; i += WRITE_CONCURRENCY) {
      const outcomes = await Promise.all(writes.slice(i, i + WRITE_CONCURRENCY).map((w) => w.change()));
      outcomes.forEach((outcome, j) => {
        if (outcome.succeeded) {
          written = Math.max(written, outcome.revision);
          writes[i + j]!.log?.();
        }
      });
      if (outcomes.some((o) => o.fenced)) {
        logger("warn", `Broker ${brokerId} was fenced as controller (epoch ${current.epoch}): another controller was elected`);
        current.end();
        return;
      }
    }
    // Let the next pass see this one's writes, so that it does not decide on a state it replaced.
    if (written > 0 && !current.ended) await view.waitForRevision(written);
  }

  async function txnOutcome(current: Term, txn: Omit<Txn, "failure">): Promise<{ succeeded: boolean; revision: number; fenced: boolean }> {
    const result = await store.txn({ ...txn, failure: [{ type: "get", key: keys.controller }] });
    if (result.succeeded) return { succeeded: true, revision: result.revision, fenced: false };
    const read = result.results[0];
    const holder = read?.type === "get" ? read.entries[0] : undefined;
    return { succeeded: false, revision: result.revision, fenced: holder?.createRevision !== current.epoch };
  }

  function logDecision(where: string, before: { leader: number; isr: number[] }, record: PartitionRecord, lossy: boolean, reason: string): void {
    if (lossy) {
      logger(
        "warn",
        `Unclean leader election for ${where}: ${reason}. Records acknowledged by the ISR [${before.isr.join(",")}] that broker ${record.leader} does not have are lost`,
      );
    } else if (record.leader === -1 && before.leader !== -1) {
      logger("warn", `Partition ${where} is offline: ${reason} (unclean.leader.election.enable=false keeps acknowledged records safe)`);
    } else {
      logger("info", `Partition ${where}: ${reason} (leader ${record.leader}, epoch ${record.leaderEpoch}, ISR [${record.isr.join(",")}])`);
    }
  }

  const loop = run();

  return {
    get active() {
      return term !== undefined && !term.ended;
    },
    get epoch() {
      return term?.epoch;
    },
    onActiveChange(callback) {
      activeListeners.add(callback);
      return () => void activeListeners.delete(callback);
    },
    idle() {
      if (term === undefined || (!term.dirty && !term.running)) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.add(resolve));
    },
    async close() {
      if (closed) return;
      closed = true;
      abort.abort(new EdgelogError("COORDINATOR_NOT_AVAILABLE", "The controller is closed", { retriable: false }));
      for (const sleeper of sleepers) {
        clock.clearTimer(sleeper.timer);
        sleeper.resolve();
      }
      sleepers.clear();
      term?.end();
      await loop;
      for (const resolve of idleWaiters) resolve();
      idleWaiters.clear();
    },
  };
}
