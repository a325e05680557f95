/**
 * The cluster of a broker that runs alone: `localClusterView` over its topic registry, which it
 * refreshes after each change the registry makes (the registry does not announce them), so that
 * the view's listeners hear of every topic created, deleted or changed, whoever changed it.
 *
 * @example
 * ```ts
 * const { view, topics } = singleBrokerCluster(config, await openTopicRegistry(options));
 * await topics.createTopic("orders", { partitions: 3 }); // view listeners hear "topics" and 3 "partition" changes
 * ```
 * @module
 */
import { localClusterView, type LocalClusterView } from "../core/cluster/local-cluster-view.ts";
import type { BrokerConfig } from "../core/config/broker-config.ts";
import type { TopicRegistry } from "../core/topic/topic-registry.ts";

/**
 * The view of a single broker and its registry wrapped to refresh it; see the module documentation.
 * The broker's URL is its first advertised listener.
 *
 * @example
 * ```ts
 * const { view, topics } = singleBrokerCluster(config, registry);
 * view.controllerId(); // config.brokerId
 * ```
 */
export function singleBrokerCluster(config: BrokerConfig, registry: TopicRegistry): { view: LocalClusterView; topics: TopicRegistry } {
  const view = localClusterView(config.brokerId, config.advertisedListeners[0]!.url, registry);
  const refreshed = <T>(change: Promise<T>): Promise<T> =>
    change.then((result) => {
      view.refresh();
      return result;
    });
  const topics: TopicRegistry = {
    ...registry,
    createTopic: (name, options) => refreshed(registry.createTopic(name, options)),
    deleteTopic: (name) => refreshed(registry.deleteTopic(name)),
    createPartitions: (name, count, options) => refreshed(registry.createPartitions(name, count, options)),
    alterConfigs: (name, set, remove, options) => refreshed(registry.alterConfigs(name, set, remove, options)),
  };
  return { view, topics };
}
