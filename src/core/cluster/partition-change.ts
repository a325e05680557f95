/**
 * Writing a partition's new state safely: one transaction that holds only when the state is still
 * the one the decision was made on (its modRevision), when the new leader is still registered under
 * the same registration it had (a broker that died and came back meanwhile is not elected on stale
 * knowledge), when the writer is still the controller (when it writes as one), and when the
 * partition's reassignment key is as expected.
 *
 * @example
 * ```ts
 * const result = await applyPartitionChange(store, keys, {
 *   state, record: decision.record, leaderRevision: view.brokerRevision(decision.record.leader), controllerEpoch: 57,
 * });
 * if (!result.succeeded) console.log("the partition moved meanwhile: decide again");
 * ```
 * @module
 */
import type { Coordination, Txn, TxnCompare, TxnOp } from "../ports/coordination.ts";
import type { ClusterKeys } from "./cluster-keys.ts";
import { encodePartitionRecord, encodeReassignmentRecord, type PartitionRecord, type ReassignmentRecord } from "./cluster-records.ts";
import type { PartitionState } from "./cluster-view.ts";

/**
 * One partition change and its conditions.
 *
 * @example
 * ```ts
 * const change: PartitionChange = { state, record, reassignment: { delete: true, expectedVersion: 40 } };
 * ```
 */
export interface PartitionChange {
  /** The state the change was decided on: its `version` is compared. */
  state: PartitionState;
  record: PartitionRecord;
  /**
   * The createRevision of the new leader's registration as the decider saw it; compared when the
   * leader changes to a broker. Undefined skips the check.
   */
  leaderRevision?: number | undefined;
  /** The controller epoch (createRevision of the controller key) of the writing controller. */
  controllerEpoch?: number | undefined;
  /** Puts or deletes the partition's reassignment key, which must be at `expectedVersion` (0: absent). */
  reassignment?: { put: ReassignmentRecord; expectedVersion: number } | { delete: true; expectedVersion: number } | undefined;
}

/**
 * The transaction of a {@link PartitionChange}.
 *
 * @example
 * ```ts
 * const txn = partitionChangeTxn(keys, change);
 * txn.compare[0]; // { key: ".../partitions/orders/0", target: "modRevision", op: "=", value: state.version }
 * ```
 */
export function partitionChangeTxn(keys: ClusterKeys, change: PartitionChange): Txn {
  const { state, record } = change;
  const key = keys.partition(state.topic, state.partition);
  const compare: TxnCompare[] = [{ key, target: "modRevision", op: "=", value: state.version }];
  if (record.leader !== -1 && record.leader !== state.leader && change.leaderRevision !== undefined) {
    compare.push({ key: keys.broker(record.leader), target: "createRevision", op: "=", value: change.leaderRevision });
  }
  if (change.controllerEpoch !== undefined) compare.push({ key: keys.controller, target: "createRevision", op: "=", value: change.controllerEpoch });
  const success: TxnOp[] = [{ type: "put", key, value: encodePartitionRecord(record) }];
  if (change.reassignment !== undefined) {
    const reassignmentKey = keys.reassignment(state.topic, state.partition);
    compare.push({ key: reassignmentKey, target: "modRevision", op: "=", value: change.reassignment.expectedVersion });
    if ("put" in change.reassignment) success.push({ type: "put", key: reassignmentKey, value: encodeReassignmentRecord(change.reassignment.put) });
    else success.push({ type: "delete", key: reassignmentKey });
  }
  return { compare, success, failure: [{ type: "get", key: keys.controller }] };
}

/**
 * Applies a {@link PartitionChange}. `fenced` tells the controller that another controller holds the
 * election key now (only meaningful with `controllerEpoch`).
 *
 * @example
 * ```ts
 * const { succeeded, revision, fenced } = await applyPartitionChange(store, keys, change);
 * ```
 */
export async function applyPartitionChange(
  store: Coordination,
  keys: ClusterKeys,
  change: PartitionChange,
): Promise<{ succeeded: boolean; revision: number; fenced: boolean }> {
  const result = await store.txn(partitionChangeTxn(keys, change));
  if (result.succeeded) return { succeeded: true, revision: result.revision, fenced: false };
  const read = result.results[0];
  const controller = read?.type === "get" ? read.entries[0] : undefined;
  const fenced = change.controllerEpoch !== undefined && controller?.createRevision !== change.controllerEpoch;
  return { succeeded: false, revision: result.revision, fenced };
}
