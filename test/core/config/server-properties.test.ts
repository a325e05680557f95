import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { brokerLogDefaults, parseBrokerConfig } from "../../../src/core/config/broker-config.ts";
import { parseProperties } from "../../../src/core/config/properties.ts";

// The server.properties files quoted in /work/shared/reference (000, 001 and 003 twice), copied verbatim.
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

const ZOOKEEPER = "Ignoring zookeeper.connect: ZooKeeper-era key; edgelog keeps cluster metadata in etcd (controller.etcd.endpoints)";
const ZOOKEEPER_TIMEOUT =
  "Ignoring zookeeper.connection.timeout.ms: ZooKeeper-era key; edgelog keeps cluster metadata in etcd (controller.etcd.endpoints)";
const plaintext = (key: string, given: string, url: string): string =>
  `${key}: ${given} is served as ${url} (edgelog speaks WebSocket, not Kafka's binary protocol)`;

describe("Kafka server.properties files", () => {
  it("the commented Windows server.properties (000) parses with warnings for ZooKeeper keys only", () => {
    const props = parseProperties(fixture("server-000-windows.properties"));
    expect(props.get("group.initial.rebalance.delay.ms")).toBe("0");
    const { config, warnings } = parseBrokerConfig(props);
    expect(warnings).toEqual([
      ZOOKEEPER,
      ZOOKEEPER_TIMEOUT,
      plaintext("listeners", "PLAINTEXT://:9092", "ws://:9092"),
      plaintext("advertised.listeners", "PLAINTEXT://localhost:9092", "ws://localhost:9092"),
    ]);
    expect(config).toMatchObject({
      brokerId: 0,
      logDirs: ["C:/dev/kafka_2.13-2.6.0/logs"],
      numPartitions: 1,
      offsetsTopicReplicationFactor: 1,
      logRetentionMs: 168 * 3_600_000,
      logSegmentBytes: 1_073_741_824,
      logRetentionCheckIntervalMs: 300_000,
      groupInitialRebalanceDelayMs: 0,
      socketRequestMaxBytes: 104_857_600,
    });
    expect(config.advertisedListeners.map((l) => l.url)).toEqual(["ws://localhost:9092"]);
  });

  it("the Docker image's server.properties (001) parses with warnings for ZooKeeper-era keys only", () => {
    const { config, warnings } = parseBrokerConfig(parseProperties(fixture("server-001-docker.properties")));
    expect(warnings).toEqual([
      ZOOKEEPER,
      ZOOKEEPER_TIMEOUT,
      "Ignoring port: ZooKeeper-era key removed in Kafka 3.0; use listeners and advertised.listeners",
      "Ignoring advertised.host.name: ZooKeeper-era key removed in Kafka 3.0; use listeners and advertised.listeners",
    ]);
    expect(config.brokerId).toBe(0);
    expect(config.logDirs).toEqual(["/kafka/kafka-logs-8a7f9df2b449"]);
    expect(config.listeners.map((l) => l.url)).toEqual(["ws://:9092"]);
    expect(config.raw.has("listeners")).toBe(false);
  });

  it("the indented copy (003) parses the same as the unindented one", () => {
    const indented = parseProperties(fixture("server-003-indented.properties"));
    const plain = parseProperties(fixture("server-000-windows.properties"));
    expect(indented).toEqual(plain);
    expect(parseBrokerConfig(indented).warnings).toEqual(parseBrokerConfig(plain).warnings);
  });

  it("the ZooKeeper-mode server.properties (003) parses with warnings for ZooKeeper keys only", () => {
    const { config, warnings } = parseBrokerConfig(parseProperties(fixture("server-003-zk-mode.properties")));
    expect(warnings).toEqual([
      ZOOKEEPER,
      ZOOKEEPER_TIMEOUT,
      plaintext("listeners", "PLAINTEXT://10.222.10.170:9092", "ws://10.222.10.170:9092"),
      plaintext("advertised.listeners", "PLAINTEXT://10.222.10.170:9092", "ws://10.222.10.170:9092"),
    ]);
    expect(config).toMatchObject({ logDirs: ["/tmp/kafka-logs"], logSegmentBytes: 107_374_182, deleteTopicEnable: true });
    expect(brokerLogDefaults(config).segmentBytes).toBe(107_374_182);
  });
});
