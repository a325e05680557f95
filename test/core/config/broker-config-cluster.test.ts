import { describe, expect, it } from "vitest";
import { parseBrokerConfig } from "../../../src/core/config/broker-config.ts";
import { EdgelogError } from "../../../src/core/errors.ts";

function invalid(entries: Record<string, string>): EdgelogError {
  try {
    parseBrokerConfig(entries);
  } catch (error) {
    if (error instanceof EdgelogError) return error;
    throw error;
  }
  throw new Error(`parseBrokerConfig(${JSON.stringify(entries)}) should fail`);
}

describe("the cluster and replication keys", () => {
  it("parseBrokerConfig() defaults them as Kafka does, and the cluster id to edgelog", () => {
    const { config, warnings } = parseBrokerConfig({});
    expect(config).toMatchObject({
      brokerSessionTimeoutMs: 9000,
      replicaFetchMaxBytes: 1_048_576,
      replicaFetchWaitMaxMs: 500,
      replicaFetchBackoffMs: 1000,
      replicaFetchLeaderBackoffMs: 50,
      replicaHighWatermarkCheckpointIntervalMs: 5000,
      clusterId: "edgelog",
      controllerEtcdEndpoints: [],
    });
    expect(warnings).toEqual([]);
  });

  it("parseBrokerConfig() reads them without warnings: replica.fetch.* are acted on, no longer ignored", () => {
    const { config, warnings } = parseBrokerConfig({
      "broker.session.timeout.ms": "3000",
      "replica.fetch.max.bytes": "65536",
      "replica.fetch.wait.max.ms": "100",
      "replica.fetch.backoff.ms": "20",
      "edgelog.replica.fetch.leader.backoff.ms": "5",
      "replica.high.watermark.checkpoint.interval.ms": "250",
      "edgelog.cluster.id": "prod-eu.1",
    });
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      brokerSessionTimeoutMs: 3000,
      replicaFetchMaxBytes: 65536,
      replicaFetchWaitMaxMs: 100,
      replicaFetchBackoffMs: 20,
      replicaFetchLeaderBackoffMs: 5,
      replicaHighWatermarkCheckpointIntervalMs: 250,
      clusterId: "prod-eu.1",
    });
  });

  it("parseBrokerConfig() refuses replica.fetch.wait.max.ms not below replica.lag.time.max.ms, as Kafka does", () => {
    const error = invalid({ "replica.lag.time.max.ms": "1000", "replica.fetch.wait.max.ms": "1000" });
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.message).toBe(
      "Invalid value 1000 for configuration replica.fetch.wait.max.ms: Value must be less than replica.lag.time.max.ms (1000) to prevent frequent changes in ISR",
    );
  });

  it.each(["", "a/b", "..", "x".repeat(201)])("parseBrokerConfig() refuses the cluster id %j, which cannot name etcd keys", (id) => {
    expect(invalid({ "edgelog.cluster.id": id }).message).toContain("configuration edgelog.cluster.id");
  });

  it("parseBrokerConfig() refuses a session timeout or fetch size below 1", () => {
    expect(invalid({ "broker.session.timeout.ms": "0" }).details?.["config"]).toBe("broker.session.timeout.ms");
    expect(invalid({ "replica.fetch.max.bytes": "0" }).details?.["config"]).toBe("replica.fetch.max.bytes");
  });
});
