/**
 * Test fixture: one complete, valid request per op, with every optional field and nested lists, for
 * dispatch tests and mutation fuzzing.
 *
 * @example
 * ```ts
 * decodeRequest(VALID_REQUESTS.fetch);
 * ```
 * @module
 */

const batch = Uint8Array.from({ length: 70 }, (_, i) => i);

/** A valid request of each op, by op name. */
export const VALID_REQUESTS: Record<string, Record<string, unknown>> = {
  hello: { id: 1, op: "hello", versions: [1], clientId: "c", software: "s/1" },
  metadata: { id: 2, op: "metadata", topics: ["a", "b"] },
  createTopics: {
    id: 3,
    op: "createTopics",
    topics: [{ topic: "t", numPartitions: 3, replicationFactor: 1, configs: { "retention.ms": "1000" } }],
    validateOnly: false,
    timeoutMs: 100,
  },
  deleteTopics: { id: 4, op: "deleteTopics", topics: ["t"], timeoutMs: 100 },
  createPartitions: { id: 5, op: "createPartitions", topics: [{ topic: "t", count: 4 }], validateOnly: true, timeoutMs: 100 },
  describeConfigs: { id: 6, op: "describeConfigs", resources: [{ type: "topic", name: "t", keys: ["retention.ms"] }] },
  alterConfigs: {
    id: 7,
    op: "alterConfigs",
    resources: [{ type: "topic", name: "t", set: { "retention.ms": "1" }, delete: ["cleanup.policy"] }],
    validateOnly: false,
  },
  produce: {
    id: 8,
    op: "produce",
    acks: "all",
    timeoutMs: 100,
    topic: "t",
    partitions: [
      { partition: 0, batches: batch },
      { partition: 1, records: [{ key: "k", value: { base64: "AAE=" }, headers: [{ key: "h", value: "v" }], timestamp: 5 }] },
    ],
  },
  fetch: { id: 9, op: "fetch", topic: "t", partition: 0, offset: 10, maxBytes: 1000, maxWaitMs: 10, minBytes: 1, currentLeaderEpoch: 0, format: "records", valueEncoding: "utf8" },
  listOffsets: { id: 10, op: "listOffsets", topic: "t", partitions: [{ partition: 0, timestamp: "earliest" }, { partition: 1, timestamp: 99 }] },
  deleteRecords: { id: 11, op: "deleteRecords", topic: "t", partitions: [{ partition: 0, offset: 5 }], timeoutMs: 100 },
  subscribe: { id: 12, op: "subscribe", topic: "t", partition: 0, from: { offset: 3 }, credit: { records: 10, bytes: 1000 }, format: "records", valueEncoding: "bytes" },
  credit: { id: 13, op: "credit", sub: 1, records: 1, bytes: 2 },
  unsubscribe: { id: 14, op: "unsubscribe", sub: 1 },
  groupHeartbeat: {
    id: 15,
    op: "groupHeartbeat",
    groupId: "g",
    memberId: "m-1",
    memberEpoch: 3,
    instanceId: "i-1",
    clientId: "c",
    subscribedTopics: ["t", "u"],
    subscribedPattern: "logs-.*",
    assignor: "range",
    ownedPartitions: [{ topic: "t", partitions: [0, 2] }],
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 60000,
  },
  groupSubscribe: {
    id: 16,
    op: "groupSubscribe",
    groupId: "g",
    memberId: "m-1",
    credit: { records: 10, bytes: 1000 },
    autoOffsetReset: "earliest",
    format: "records",
    valueEncoding: "utf8",
  },
  offsetCommit: {
    id: 17,
    op: "offsetCommit",
    groupId: "g",
    memberId: "m-1",
    memberEpoch: 3,
    offsets: [{ topic: "t", partition: 0, offset: 5, leaderEpoch: 0, metadata: "x" }, { topic: "t", partition: 1, offset: 0 }],
  },
  offsetFetch: { id: 18, op: "offsetFetch", groupId: "g", topics: [{ topic: "t", partitions: [0, 1] }, { topic: "u" }], memberId: "m-1", memberEpoch: 3 },
  listGroups: { id: 19, op: "listGroups", states: ["Stable", "Empty"] },
  describeGroups: { id: 20, op: "describeGroups", groupIds: ["g", "h"] },
  describeLag: { id: 21, op: "describeLag", groupIds: ["g"] },
  deleteGroups: { id: 22, op: "deleteGroups", groupIds: ["g"] },
  resetOffsets: {
    id: 23,
    op: "resetOffsets",
    groupId: "g",
    topics: [{ topic: "t", partitions: [0] }],
    spec: { type: "shift-by", shift: -2 },
    execute: true,
    force: false,
  },
  electLeaders: { id: 24, op: "electLeaders", electionType: "preferred", partitions: [{ topic: "t", partition: 0 }], timeoutMs: 100 },
  alterPartitionReassignments: {
    id: 25,
    op: "alterPartitionReassignments",
    partitions: [
      { topic: "t", partition: 0, replicas: [1, 2] },
      { topic: "t", partition: 1, replicas: null },
    ],
    timeoutMs: 100,
  },
  listPartitionReassignments: { id: 26, op: "listPartitionReassignments", partitions: [{ topic: "t", partition: 0 }], timeoutMs: 100 },
};
