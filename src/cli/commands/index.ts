/**
 * The table of `edgelog` subcommands. To add one, write `src/cli/commands/<name>.ts` exporting a
 * `Command` and add a row here; `edgelog --help` lists the rows in this order. Loaders use dynamic
 * imports of string literals, so `bun build --compile` bundles every command.
 *
 * @example
 * ```ts
 * const entry = COMMANDS.find((c) => c.name === "serve");
 * const command = await entry!.load();
 * ```
 * @module
 */
import type { CommandEntry } from "../command.ts";

/** Every subcommand, in the order `edgelog --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "serve", summary: "Run the broker", load: async () => (await import("./serve.ts")).serveCommand },
  { name: "topics", summary: "Create, list, describe, alter and delete topics (kafka-topics)", load: async () => (await import("./topics.ts")).topicsCommand },
  { name: "console-producer", summary: "Write lines of standard input as records (kafka-console-producer)", load: async () => (await import("./console-producer.ts")).consoleProducerCommand },
  { name: "console-consumer", summary: "Print records of a topic (kafka-console-consumer)", load: async () => (await import("./console-consumer.ts")).consoleConsumerCommand },
  { name: "consumer-groups", summary: "List, describe, delete consumer groups and reset their offsets (kafka-consumer-groups)", load: async () => (await import("./consumer-groups.ts")).consumerGroupsCommand },
  { name: "configs", summary: "Describe and change topic and broker configs (kafka-configs)", load: async () => (await import("./configs.ts")).configsCommand },
  { name: "delete-records", summary: "Delete records before given offsets (kafka-delete-records)", load: async () => (await import("./delete-records.ts")).deleteRecordsCommand },
  { name: "get-offsets", summary: "Print partitions' offsets (kafka-get-offsets)", load: async () => (await import("./get-offsets.ts")).getOffsetsCommand },
  { name: "verifiable-producer", summary: "Produce increasing integers, print JSON events (kafka-verifiable-producer)", load: async () => (await import("./verifiable-producer.ts")).verifiableProducerCommand },
  { name: "verifiable-consumer", summary: "Consume in a group, print JSON events (kafka-verifiable-consumer)", load: async () => (await import("./verifiable-consumer.ts")).verifiableConsumerCommand },
  { name: "producer-perf-test", summary: "Measure producer throughput and latency (kafka-producer-perf-test)", load: async () => (await import("./producer-perf-test.ts")).producerPerfTestCommand },
  { name: "consumer-perf-test", summary: "Measure consumer throughput (kafka-consumer-perf-test)", load: async () => (await import("./consumer-perf-test.ts")).consumerPerfTestCommand },
  { name: "leader-election", summary: "Elect preferred or unclean partition leaders (kafka-leader-election)", load: async () => (await import("./leader-election.ts")).leaderElectionCommand },
  { name: "reassign-partitions", summary: "Move partition replicas between brokers (kafka-reassign-partitions)", load: async () => (await import("./reassign-partitions.ts")).reassignPartitionsCommand },
  { name: "dump-log", summary: "Decode segment and index files offline (kafka-dump-log)", load: async () => (await import("./dump-log.ts")).dumpLogCommand },
];
