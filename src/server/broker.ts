/**
 * The runtime-agnostic broker: opens the logs, the topic registry and the consumer-group
 * coordinator (which loads the committed offsets of `__consumer_offsets` before the broker serves),
 * serves HTTP through a Hono app, and runs one {@link Session} per WebSocket connection that a
 * runtime adapter hands it.
 *
 * Runtime adapters (Node, Bun, Deno) route WebSocket upgrades on "/" to {@link Broker.openSession}
 * (with `maxPayload` = {@link Broker.maxFrameBytes}) and everything else to `broker.app.fetch`.
 *
 * In a cluster (a `coordination` store given, `controller.etcd.endpoints` set) the topics are the
 * cluster's and replication runs (`cluster-node.ts`); once its listener is bound the caller hands the
 * broker its URL with {@link Broker.joinCluster}, and only then does it register and take up its
 * partitions. A single broker needs nothing external and ignores `joinCluster`.
 *
 * @example
 * ```ts
 * const broker = await createBroker({ fs: nodeFileSystem(), config });
 * const handlers = broker.openSession({ send, bufferedAmount, close }, { remoteAddress });
 * // ... socket events → handlers.onMessage / onDrain / onClose
 * await broker.close();
 * ```
 * @module
 */
import { Hono } from "hono";
import type { BrokerConfig } from "../core/config/broker-config.ts";
import { brokerLogDefaults } from "../core/config/broker-config.ts";
import type { ClusterView } from "../core/cluster/cluster-view.ts";
import { EdgelogError } from "../core/errors.ts";
import { openLogManager, type LogManager } from "../core/log/log-manager.ts";
import { systemClock, type Clock } from "../core/ports/clock.ts";
import type { Coordination } from "../core/ports/coordination.ts";
import type { FileSystem } from "../core/ports/file-system.ts";
import type { ReplicaFetchClientFactory } from "../core/replication/replica-transport.ts";
import { openTopicRegistry, type TopicRegistry } from "../core/topic/topic-registry.ts";
import { errorFrame } from "../protocol/envelope.ts";
import { encodeFrame } from "../protocol/frame-codec.ts";
import { registerAdminRoutes } from "./admin-routes.ts";
import { connectionLimits } from "./broker-limits.ts";
import { BrokerContext, type BrokerLogger } from "./broker-context.ts";
import { loadClusterId, openClusterId, type ClusterIdentity } from "./cluster-id.ts";
import { singleBrokerCluster } from "./cluster-local-view.ts";
import type { ClusterNode } from "./cluster-node.ts";
import type { WebSocketConstructor } from "../protocol/websocket-like.ts";
import { GroupService } from "./group-service.ts";
import { registerHttpRoutes } from "./http-routes.ts";
import { BrokerMetrics } from "./metrics.ts";
import { localReplicaWaiter, type ReplicaWaiter } from "./replica-waiter.ts";
import { Session } from "./session.ts";
import { CLOSE_CODES, type SessionHandlers, type SessionSocket } from "./session-socket.ts";

/**
 * A running broker, as runtime adapters and the CLI use it.
 *
 * @example
 * ```ts
 * Bun.serve({ fetch: (req, server) => isUpgrade(req) ? upgrade(req) : broker.app.fetch(req), websocket: {...} });
 * ```
 */
export interface Broker {
  /** HTTP routes (the adapters route WebSocket upgrades on path "/" to openSession, all else to app.fetch). */
  readonly app: Hono;
  readonly config: BrokerConfig;
  /** socket.request.max.bytes, for the adapters' maxPayload options. */
  readonly maxFrameBytes: number;
  /** Starts serving one WebSocket connection; returns the callbacks for its events. */
  openSession(socket: SessionSocket, info?: { remoteAddress?: string }): SessionHandlers;
  /** Open sessions. */
  readonly connectionCount: number;
  /** The cluster membership and replication; undefined on a single broker. */
  readonly cluster: ClusterNode | undefined;
  /**
   * In a cluster: registers the broker at `url` (its advertised listener, with the port actually
   * bound) and starts its controller campaign and replication; resolves once its partitions are taken
   * up. Rejects with DUPLICATE_BROKER_REGISTRATION when another live broker holds its id. Call it
   * once the listener is bound. On a single broker it does nothing.
   */
  joinCluster(url: string): Promise<void>;
  /**
   * Stops accepting sessions, waits for appends in flight, closes every session with 1001, closes
   * the group coordinator (waiting for offset commits in flight), then closes the logs (flush,
   * checkpoints, clean shutdown marker). Later calls return the same promise.
   */
  close(): Promise<void>;
}

/**
 * Options of {@link createBroker}.
 *
 * @example
 * ```ts
 * const options: CreateBrokerOptions = { fs: nodeFileSystem(), config, logger: (level, m) => console.log(level, m) };
 * ```
 */
export interface CreateBrokerOptions {
  fs: FileSystem;
  /** Default: the system clock. */
  clock?: Clock;
  config: BrokerConfig;
  logger?: BrokerLogger;
  /** The replication seam; default: a single broker ({@link localReplicaWaiter}), or the cluster's replication. */
  replicas?: ReplicaWaiter;
  /**
   * The coordination store of the cluster (etcd through `src/adapters/etcd`, or an in-memory one in
   * tests): the broker runs in a cluster, `edgelog.cluster.id` naming it. Required when
   * `controller.etcd.endpoints` is set. The broker closes it when it closes.
   */
  coordination?: Coordination;
  /** The WebSocket class followers reach their leaders with (default: the runtime's global one). */
  WebSocket?: WebSocketConstructor;
  /** Replaces the broker-to-broker WebSocket client (tests). */
  replicaClientFactory?: ReplicaFetchClientFactory;
}

const NO_HANDLERS: SessionHandlers = Object.freeze({ onMessage() {}, onDrain() {}, onClose() {} });

/**
 * Opens the log manager (`config.logDirs`, `brokerLogDefaults(config)`), the topic registry and the
 * group coordinator (loaded) and returns a broker ready to serve.
 *
 * @example
 * ```ts
 * const { config } = parseBrokerConfig({ "log.dirs": "data" });
 * const broker = await createBroker({ fs: memoryFileSystem(), clock: manualClock(), config });
 * ```
 */
export async function createBroker(options: CreateBrokerOptions): Promise<Broker> {
  const { fs, config } = options;
  const clock = options.clock ?? systemClock();
  const logger = options.logger ?? (() => {});
  const defaults = brokerLogDefaults(config);
  if (options.coordination === undefined && config.controllerEtcdEndpoints.length > 0) {
    throw new EdgelogError("INVALID_CONFIG", "controller.etcd.endpoints is set but no coordination store was given to the broker", {
      details: { config: "controller.etcd.endpoints" },
    });
  }
  // A single broker's meta.properties does not depend on the logs: read (on a first start, written) meanwhile.
  const singleIdentity = options.coordination === undefined ? openClusterId(fs, config.logDirs, config.brokerId) : undefined;
  singleIdentity?.catch(() => undefined); // awaited below; not unhandled when opening the logs fails first
  let topics: TopicRegistry | undefined;
  const logs: LogManager = await openLogManager({
    fs,
    clock,
    logDirs: config.logDirs,
    defaults,
    configFor: (topic) => (topics?.get(topic) ? topics.logConfig(topic) : defaults),
    retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
    checkpointIntervalMs: config.logFlushOffsetCheckpointIntervalMs,
    logger,
  });
  let clusterId: string | undefined;
  let metaWritten: ClusterIdentity["written"] = Promise.resolve();
  let groups: GroupService | undefined;
  let view: ClusterView;
  let cluster: ClusterNode | undefined;
  try {
    if (options.coordination !== undefined) {
      clusterId = await loadClusterId(fs, config.logDirs, config.brokerId, config.clusterId);
      // Loaded only here: a single broker never evaluates the cluster and replication modules.
      const { ClusterNode } = await import("./cluster-node.ts");
      cluster = await ClusterNode.open({
        fs,
        clock,
        config,
        logs,
        store: options.coordination,
        logger,
        ...(options.WebSocket === undefined ? {} : { WebSocket: options.WebSocket }),
        ...(options.replicaClientFactory === undefined ? {} : { clientFactory: options.replicaClientFactory }),
      });
      topics = cluster.topics;
      view = cluster.view;
    } else {
      const registry = await openTopicRegistry({ fs, logs, dir: config.logDirs[0]!, brokerConfig: config });
      const single = singleBrokerCluster(config, registry);
      topics = single.topics;
      view = single.view;
    }
    groups = await GroupService.open({ config, clock, logs, topics, logger, ...(cluster === undefined ? {} : { cluster }) });
    if (singleIdentity !== undefined) {
      // On a first start meta.properties is still being written and synced: the broker serves
      // meanwhile (see openClusterId) and its shutdown waits for the write.
      const identity = await singleIdentity;
      clusterId = identity.clusterId;
      metaWritten = identity.written;
      metaWritten.catch((error: unknown) => logger("error", String(error instanceof Error ? error.message : error)));
    }
  } catch (error) {
    await groups?.close().catch(() => undefined);
    await cluster?.close().catch(() => undefined);
    if (cluster === undefined) await options.coordination?.close().catch(() => undefined);
    await logs.close().catch(() => undefined);
    throw error;
  }
  const context = new BrokerContext({
    config,
    clock,
    logs,
    topics,
    groups,
    metrics: new BrokerMetrics(),
    replicas: options.replicas ?? cluster?.replicas ?? localReplicaWaiter(config.brokerId),
    logger,
    clusterId: clusterId!,
    limits: connectionLimits(config),
    view,
    ...(cluster === undefined ? {} : { cluster }),
  });
  const where = cluster === undefined ? "" : ` (etcd prefix ${cluster.keys.root})`;
  logger("info", `Broker ${config.brokerId} of cluster ${clusterId}${where} serving ${topics.list().length} topic(s) from ${config.logDirs.join(", ")}`);
  return new RunningBroker(context, metaWritten);
}

class RunningBroker implements Broker {
  readonly app: Hono;
  readonly config: BrokerConfig;
  readonly maxFrameBytes: number;
  private readonly sessions = new Set<Session>();
  private nextSessionId = 1;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly context: BrokerContext,
    /** The first start's meta.properties write: the shutdown waits for it. */
    private readonly metaWritten: Promise<void>,
  ) {
    this.config = context.config;
    this.maxFrameBytes = context.config.socketRequestMaxBytes;
    this.app = new Hono();
    registerHttpRoutes(this.app, { broker: context, connections: () => this.sessions.size });
    registerAdminRoutes(this.app, context);
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  get cluster(): ClusterNode | undefined {
    return this.context.cluster;
  }

  async joinCluster(url: string): Promise<void> {
    if (this.context.closing) throw new EdgelogError("BROKER_NOT_AVAILABLE", "The broker is shutting down");
    const cluster = this.context.cluster;
    if (cluster === undefined) return;
    await cluster.join(url);
    await this.context.groups.clusterGate?.scan();
  }

  openSession(socket: SessionSocket, info: { remoteAddress?: string } = {}): SessionHandlers {
    if (this.context.closing) {
      closeQuietly(socket, CLOSE_CODES.GOING_AWAY, "Broker is shutting down");
      return NO_HANDLERS;
    }
    const max = this.config.maxConnections;
    if (this.sessions.size >= max) {
      const error = new EdgelogError("RESOURCE_LIMIT_EXCEEDED", `The broker already serves max.connections (${max}) connections`, {
        details: { limit: "max.connections", value: max },
      });
      try {
        socket.send(encodeFrame(errorFrame(null, error), "json"));
      } catch {
        // The refusal is best effort.
      }
      closeQuietly(socket, CLOSE_CODES.TRY_AGAIN_LATER, "Too many connections");
      this.context.logger("warn", `Refused a connection${info.remoteAddress ? ` from ${info.remoteAddress}` : ""}: max.connections (${max}) reached`);
      return NO_HANDLERS;
    }
    const session = new Session({
      id: this.nextSessionId++,
      socket,
      broker: this.context,
      ...(info.remoteAddress === undefined ? {} : { remoteAddress: info.remoteAddress }),
      onEnd: (ended) => this.sessions.delete(ended),
    });
    this.sessions.add(session);
    return session.handlers();
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    const { context } = this;
    context.closing = true;
    context.logger("info", "Broker shutting down");
    // As Kafka's controlled shutdown: the partitions this broker leads keep their ISR, so a follower
    // can take over once the broker leaves.
    context.cluster?.replicas.beginShutdown();
    await context.appendsSettled();
    for (const session of [...this.sessions]) session.close(CLOSE_CODES.GOING_AWAY, "Broker is shutting down");
    await context.topics.idle().catch(() => undefined);
    await context.groups.close().catch((error: unknown) => context.logger("error", `Closing the group coordinator failed: ${String(error)}`));
    await context.cluster?.close().catch((error: unknown) => context.logger("error", `Leaving the cluster failed: ${String(error)}`));
    await this.metaWritten.catch(() => undefined); // its failure was logged when it happened
    await context.logs.close();
    context.logger("info", "Broker stopped");
  }
}

function closeQuietly(socket: SessionSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Already closed.
  }
}
