/**
 * Where the admin client sends each op in a cluster (protocol §14):
 *
 * - `listOffsets` and `deleteRecords` go to each partition's leader: one request per leader with
 *   its partitions, the replies merged in the order asked. A partition answered with
 *   `NOT_LEADER_OR_FOLLOWER` or `LEADER_NOT_AVAILABLE` forgets the topic's metadata and fails the
 *   whole op with that (retriable) error, so that the admin client's retry asks the new leaders.
 * - Group ops go to the group's coordinator, found by following `NOT_COORDINATOR`
 *   (`details.coordinator`) and remembered per group. Ops over several groups (`describeGroups`,
 *   `describeLag`, `deleteGroups`) send one request per group and merge the answers in order; a
 *   group answered with a coordinator error (as `describeLag` reports them per group) is treated as
 *   a request that failed so. `listGroups` asks every live broker (each lists the groups it
 *   coordinates) and merges.
 * - Everything else (metadata, topic administration, configs) goes to any live broker.
 *
 * Without routing (a broker whose `hello` does not list `metadata`) every op goes to the bootstrap
 * connection as it is.
 *
 * @example
 * ```ts
 * import { AdminRouter } from "./admin-routing.ts";
 * const router = new AdminRouter(pool);
 * const reply = await router.request<ListOffsetsResponse>("listOffsets", { topic: "orders", partitions: [{ partition: 0, timestamp: "latest" }] });
 * ```
 * @module
 */
import { EdgelogError, isEdgelogError } from "../core/errors.ts";
import type { WireError } from "../protocol/index.ts";
import type { BrokerPool } from "./broker-pool.ts";
import type { Connection } from "./connection.ts";
import { fromWireError } from "../protocol/wire-error.ts";

type Body = Record<string, unknown>;
type Reply = Record<string, unknown>;

/** Ops only a partition's leader serves. */
const LEADER_OPS: ReadonlySet<string> = new Set(["listOffsets", "deleteRecords"]);
/** Ops over one group (`groupId`) and over several (`groupIds`). */
const GROUP_OPS: ReadonlySet<string> = new Set(["offsetCommit", "offsetFetch", "resetOffsets"]);
const GROUPS_OPS: ReadonlySet<string> = new Set(["describeGroups", "describeLag", "deleteGroups"]);
const LEADERSHIP: ReadonlySet<string> = new Set(["NOT_LEADER_OR_FOLLOWER", "LEADER_NOT_AVAILABLE"]);
const COORDINATOR_ERRORS: ReadonlySet<string> = new Set(["NOT_COORDINATOR", "COORDINATOR_NOT_AVAILABLE", "COORDINATOR_LOAD_IN_PROGRESS"]);
/** How many `NOT_COORDINATOR` answers one request follows. */
const MAX_HOPS = 3;

/**
 * See the module documentation.
 *
 * @example
 * ```ts
 * await router.request("createTopics", { topics: [{ topic: "orders" }] });
 * ```
 */
export class AdminRouter {
  readonly #pool: BrokerPool;
  /** The coordinator's broker id of each group asked about. */
  readonly #coordinators = new Map<string, number>();

  /**
   * A router over `pool`'s connections.
   *
   * @example
   * ```ts
   * new AdminRouter(new BrokerPool(connection));
   * ```
   */
  constructor(pool: BrokerPool) {
    this.#pool = pool;
  }

  /**
   * Sends `op` where it belongs and resolves with its reply (merged when it went to several
   * brokers). Fails like `Connection.request`.
   *
   * @example
   * ```ts
   * const { groups } = await router.request<DescribeGroupsResponse>("describeGroups", { groupIds: ["a", "b"] });
   * ```
   */
  async request<T>(op: string, body: Body, options: { timeoutMs?: number } = {}): Promise<T> {
    if (!(await this.#pool.routes())) return this.#pool.bootstrap.request<T>(op, body, options);
    if (LEADER_OPS.has(op)) return (await this.#byLeader(op, body, options)) as T;
    if (GROUP_OPS.has(op) && typeof body["groupId"] === "string") return this.#toCoordinator<T>(body["groupId"], op, body, options);
    if (GROUPS_OPS.has(op) && Array.isArray(body["groupIds"])) return (await this.#perGroup(op, body, options)) as T;
    if (op === "listGroups") return (await this.#everyBroker(op, body, options)) as T;
    return this.#pool.anyConnection().request<T>(op, body, options);
  }

  /** One request per leader, with its partitions; replies merged in the order asked. */
  async #byLeader(op: string, body: Body, options: { timeoutMs?: number }): Promise<Reply> {
    const topic = body["topic"];
    const partitions = body["partitions"];
    if (typeof topic !== "string" || !Array.isArray(partitions)) return this.#pool.anyConnection().request(op, body, options);
    const byLeader = new Map<Connection, unknown[]>();
    for (const item of partitions as { partition?: unknown }[]) {
      const partition = typeof item?.partition === "number" ? item.partition : -1;
      const connection = partition < 0 ? this.#pool.bootstrap : await this.#pool.leaderConnection(topic, partition);
      byLeader.set(connection, [...(byLeader.get(connection) ?? []), item]);
    }
    const replies = await Promise.all([...byLeader].map(([connection, list]) => connection.request<Reply>(op, { ...body, partitions: list }, options)));
    const answered = new Map<number, Reply>();
    for (const reply of replies) for (const p of (reply["partitions"] as Reply[] | undefined) ?? []) answered.set(p["partition"] as number, p);
    const merged = (partitions as { partition?: unknown }[]).map((item) => answered.get(item?.partition as number)).filter((p) => p !== undefined);
    for (const p of merged) {
      const error = p["error"] as WireError | undefined;
      if (error === undefined || !LEADERSHIP.has(error.code)) continue;
      this.#pool.metadata.invalidate(topic);
      const cause = fromWireError(error);
      throw new EdgelogError(cause.code, cause.message, { retriable: true, details: { ...cause.details, topic, partition: p["partition"] as number } });
    }
    return { ...replies[0], partitions: merged };
  }

  /** Sends a group op to the group's coordinator, following `NOT_COORDINATOR`. */
  async #toCoordinator<T>(groupId: string, op: string, body: Body, options: { timeoutMs?: number }): Promise<T> {
    const known = this.#coordinators.get(groupId);
    let connection = (known === undefined ? undefined : await this.#pool.brokerConnection(known)) ?? this.#pool.anyConnection();
    for (let hop = 0; ; hop++) {
      let error: unknown;
      try {
        const reply = await connection.request<T>(op, body, options);
        error = coordinatorErrorIn(reply);
        if (error === undefined) return reply;
      } catch (failure) {
        error = failure;
      }
      const coordinator = isEdgelogError(error, "NOT_COORDINATOR") ? error.details?.["coordinator"] : undefined;
      if (typeof coordinator !== "number" || coordinator < 0 || hop >= MAX_HOPS) {
        if (isEdgelogError(error, "NETWORK_EXCEPTION") || isEdgelogError(error, "NOT_COORDINATOR")) this.#coordinators.delete(groupId);
        throw error;
      }
      this.#coordinators.set(groupId, coordinator);
      const next = await this.#pool.brokerConnection(coordinator);
      if (next === undefined) throw error;
      connection = next;
    }
  }

  /** One request per group, each to its coordinator; the groups merged in the order asked. */
  async #perGroup(op: string, body: Body, options: { timeoutMs?: number }): Promise<Reply> {
    const groupIds = body["groupIds"] as unknown[];
    if (groupIds.length <= 1 || !groupIds.every((id) => typeof id === "string")) {
      const first = groupIds[0];
      return typeof first === "string" ? this.#toCoordinator(first, op, body, options) : this.#pool.anyConnection().request(op, body, options);
    }
    const replies = await Promise.all((groupIds as string[]).map((groupId) => this.#toCoordinator<Reply>(groupId, op, { ...body, groupIds: [groupId] }, options)));
    return { ...replies[0], groups: replies.flatMap((reply) => (reply["groups"] as unknown[] | undefined) ?? []) };
  }

  /** Asks every live broker and merges the groups they list, by id. */
  async #everyBroker(op: string, body: Body, options: { timeoutMs?: number }): Promise<Reply> {
    const { metadata } = this.#pool;
    await metadata.refreshBrokers();
    const connections = await Promise.all([...metadata.brokers.keys()].map((id) => this.#pool.brokerConnection(id)));
    const targets = [...new Set(connections.filter((c): c is Connection => c !== undefined))];
    if (targets.length === 0) targets.push(this.#pool.anyConnection());
    const replies = await Promise.all(targets.map((connection) => connection.request<Reply>(op, body, options)));
    const byId = new Map<string, Reply>();
    for (const reply of replies) for (const group of (reply["groups"] as Reply[] | undefined) ?? []) byId.set(group["groupId"] as string, group);
    const groups = [...byId.values()].sort((a, b) => ((a["groupId"] as string) < (b["groupId"] as string) ? -1 : 1));
    return { ...replies[0], groups };
  }
}

/** A coordinator error a reply reports for its (one) group, as a retriable error. */
function coordinatorErrorIn(reply: unknown): EdgelogError | undefined {
  const groups = (reply as { groups?: { groupId?: unknown; error?: WireError }[] } | null)?.groups;
  const wire = Array.isArray(groups) ? groups.find((g) => g?.error !== undefined && COORDINATOR_ERRORS.has(g.error.code))?.error : undefined;
  if (wire === undefined) return undefined;
  const error = fromWireError(wire);
  return new EdgelogError(error.code, error.message, { retriable: true, ...(error.details ? { details: error.details } : {}) });
}
