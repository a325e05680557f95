/**
 * A broker's part in a cluster (`controller.etcd.endpoints` set): the pieces of `src/core/cluster`
 * and `src/core/replication` wired together over one coordination store.
 *
 * {@link ClusterNode.open} (before the broker serves): the HW checkpoints are read, the cluster's
 * metadata under `/edgelog/<edgelog.cluster.id>/` is loaded and watched, and the admin operations,
 * the topic registry over the view and the replication are made, not yet started.
 *
 * {@link ClusterNode.join} (once the listener is bound, with its real URL): the broker registers
 * under a lease of `broker.session.timeout.ms`, campaigns for controller, takes up the leader and
 * follower roles the view gives it, follows the view with its partition logs, and writes
 * `replication-offset-checkpoint` every `replica.high.watermark.checkpoint.interval.ms`.
 *
 * {@link ClusterNode.close} stops in reverse: controller, replication (checkpoint written), the
 * registration (its lease is revoked: the cluster moves this broker's leaderships at once), the
 * view and the coordination client.
 *
 * @example
 * ```ts
 * const node = await ClusterNode.open({ fs, clock, config, logs, store, WebSocket, logger });
 * // ... createBroker serves with node.topics and node.replicas ...
 * await node.join("ws://10.0.0.7:9092");
 * await node.close();
 * ```
 * @module
 */
import { registerBroker, type BrokerRegistration } from "../core/cluster/broker-registration.ts";
import { clusterAdmin, type ClusterAdmin } from "../core/cluster/cluster-admin.ts";
import { clusterKeys, type ClusterKeys } from "../core/cluster/cluster-keys.ts";
import { watchClusterView, type WatchedClusterView } from "../core/cluster/cluster-view-impl.ts";
import { startController, type Controller } from "../core/cluster/controller.ts";
import type { BrokerConfig } from "../core/config/broker-config.ts";
import { EdgelogError } from "../core/errors.ts";
import type { LogManager } from "../core/log/log-manager.ts";
import type { Clock, TimerHandle } from "../core/ports/clock.ts";
import type { Coordination } from "../core/ports/coordination.ts";
import type { FileSystem } from "../core/ports/file-system.ts";
import { ReplicaManager } from "../core/replication/replica-manager.ts";
import type { ReplicaFetchClientFactory } from "../core/replication/replica-transport.ts";
import type { ReplicationConfig, ReplicationLogger } from "../core/replication/replication-config.ts";
import type { TopicRegistry } from "../core/topic/topic-registry.ts";
import type { BrokerLogger } from "./broker-context.ts";
import { HighWatermarkCheckpoints } from "./cluster-hw-checkpoint.ts";
import { ClusterLogs } from "./cluster-logs.ts";
import type { WebSocketConstructor } from "../protocol/websocket-like.ts";
import { webSocketReplicaClient } from "./cluster-replica-client.ts";
import { clusterTopicRegistry } from "./cluster-topic-registry.ts";

/**
 * What {@link ClusterNode.open} needs.
 *
 * @example
 * ```ts
 * const options: ClusterNodeOptions = { fs, clock, config, logs, store: etcdCoordination({ endpoints }), WebSocket, logger };
 * ```
 */
export interface ClusterNodeOptions {
  fs: FileSystem;
  clock: Clock;
  config: BrokerConfig;
  logs: LogManager;
  /** The coordination store; the node closes it when it closes. */
  store: Coordination;
  /** The WebSocket class followers dial their leaders with (default: the runtime's global one). */
  WebSocket?: WebSocketConstructor;
  /** Replaces the WebSocket replica client (tests). */
  clientFactory?: ReplicaFetchClientFactory;
  logger: BrokerLogger;
}

/**
 * The replication settings of a broker config: `replica.lag.time.max.ms`, `replica.fetch.wait.max.ms`,
 * `replica.fetch.max.bytes` and `replica.fetch.backoff.ms`.
 *
 * @example
 * ```ts
 * replicationConfigOf(parseBrokerConfig({ "replica.fetch.wait.max.ms": "100" }).config).replicaFetchWaitMaxMs; // 100
 * ```
 */
export function replicationConfigOf(config: BrokerConfig): ReplicationConfig {
  return {
    replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
    replicaFetchWaitMaxMs: config.replicaFetchWaitMaxMs,
    replicaFetchMaxBytes: config.replicaFetchMaxBytes,
    replicaFetchBackoffMs: config.replicaFetchBackoffMs,
    replicaFetchLeaderBackoffMs: config.replicaFetchLeaderBackoffMs,
  };
}

/**
 * A broker's cluster membership and replication; see the module documentation.
 *
 * @example
 * ```ts
 * node.view.partition("orders", 0)?.leader;
 * node.replicas.isLeader("orders", 0);
 * ```
 */
export class ClusterNode {
  /** The controller while the node has joined. */
  controller: Controller | undefined;
  /** The registration while the node has joined. */
  registration: BrokerRegistration | undefined;
  private joined: Promise<void> | undefined;
  private stopLogs: (() => void) | undefined;
  private timer: TimerHandle | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly options: ClusterNodeOptions,
    readonly keys: ClusterKeys,
    readonly view: WatchedClusterView,
    readonly admin: ClusterAdmin,
    readonly clusterLogs: ClusterLogs,
    readonly replicas: ReplicaManager,
    readonly topics: TopicRegistry,
    private readonly checkpoints: HighWatermarkCheckpoints,
  ) {}

  /**
   * Reads the checkpoints and the cluster's metadata; rejects with COORDINATOR_NOT_AVAILABLE when the
   * store cannot be reached (the store is closed then).
   *
   * @example
   * ```ts
   * const node = await ClusterNode.open(options);
   * ```
   */
  static async open(options: ClusterNodeOptions): Promise<ClusterNode> {
    const { fs, clock, config, logs, store, logger } = options;
    try {
      const keys = clusterKeys(config.clusterId);
      const checkpoints = await HighWatermarkCheckpoints.read(fs, config.logDirs);
      const view = await watchClusterView({ store, keys, localBrokerId: config.brokerId, logger });
      const admin = clusterAdmin({
        store,
        keys,
        logger,
        numPartitions: config.numPartitions,
        defaultReplicationFactor: config.defaultReplicationFactor,
        deleteTopicEnable: config.deleteTopicEnable,
        uncleanLeaderElectionEnable: config.uncleanLeaderElectionEnable,
      });
      const clusterLogs = new ClusterLogs({ fs, logs, view, config, logger });
      await clusterLogs.load();
      const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      const clientFactory: ReplicaFetchClientFactory =
        options.clientFactory ??
        ((leader) => {
          if (WebSocketImpl === undefined) throw new EdgelogError("NETWORK_EXCEPTION", "This runtime has no WebSocket class to reach other brokers with");
          return webSocketReplicaClient(leader.url, { WebSocket: WebSocketImpl, brokerId: config.brokerId, clock });
        });
      const replicationLogger: ReplicationLogger = (level, message) => {
        if (level !== "debug") logger(level, message);
      };
      const replicas = new ReplicaManager({
        view,
        clock,
        clientFactory,
        logFor: async (topic, partition) => {
          const log = await clusterLogs.logFor(topic, partition);
          checkpoints.replicated(log);
          return log;
        },
        restoredHighWatermark: (topic, partition) => checkpoints.restored(topic, partition),
        config: replicationConfigOf(config),
        logger: replicationLogger,
      });
      let node: ClusterNode | undefined;
      const topics = clusterTopicRegistry({ view, admin, clusterLogs, config, clock, settled: () => (node?.joined ? replicas.settled() : Promise.resolve()) });
      node = new ClusterNode(options, keys, view, admin, clusterLogs, replicas, topics, checkpoints);
      return node;
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Registers the broker at `url` (its advertised listener with the bound port) and starts the
   * controller campaign, replication and the checkpoints. Later calls return the first one's promise.
   */
  join(url: string): Promise<void> {
    this.joined ??= this.start(url);
    return this.joined;
  }

  /** Stops everything the node started, in reverse order, and closes the coordination client. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async start(url: string): Promise<void> {
    const { store, config, clock, logger, logs } = this.options;
    this.registration = await registerBroker({
      store,
      keys: this.keys,
      brokerId: config.brokerId,
      url,
      sessionTimeoutMs: config.brokerSessionTimeoutMs,
      clock,
      logger,
    });
    this.controller = startController({
      store,
      view: this.view,
      registration: this.registration,
      clock,
      logger,
      uncleanLeaderElectionEnable: config.uncleanLeaderElectionEnable,
    });
    await this.replicas.start();
    this.stopLogs = this.clusterLogs.follow(() => this.replicas.settled());
    const every = config.replicaHighWatermarkCheckpointIntervalMs;
    const tick = (): void => {
      this.timer = clock.setTimer(every, tick);
      this.checkpoints.write(logs.logs()).catch((error: unknown) => logger("warn", `Writing replication-offset-checkpoint failed: ${String(error)}`));
    };
    this.timer = clock.setTimer(every, tick);
    logger("info", `Broker ${config.brokerId} joined cluster ${this.keys.clusterId} at ${url}`);
  }

  private async stop(): Promise<void> {
    const { store, clock, logger, logs } = this.options;
    await this.joined?.catch(() => undefined);
    if (this.timer !== undefined) clock.clearTimer(this.timer);
    this.timer = undefined;
    this.stopLogs?.();
    await this.controller?.close().catch((error: unknown) => logger("warn", `Closing the controller failed: ${String(error)}`));
    await this.replicas.close();
    await this.clusterLogs.idle();
    if (this.joined !== undefined) {
      await this.checkpoints.write(logs.logs()).catch((error: unknown) => logger("warn", `Writing replication-offset-checkpoint failed: ${String(error)}`));
    }
    await this.registration?.close().catch(() => undefined);
    this.view.close();
    await store.close().catch(() => undefined);
  }
}
