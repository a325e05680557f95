/**
 * `edgelog verifiable-producer`: Kafka's `kafka-verifiable-producer.sh` — produces increasing
 * integers ("0", "1", …, or "<prefix>.<n>") and prints one JSON line per event, with Kafka's names
 * and fields:
 *
 * ```
 * {"timestamp":1736513238441,"name":"startup_complete"}
 * {"timestamp":1736513238553,"name":"producer_send_success","key":null,"value":"0","offset":10,"topic":"verify-test","partition":0}
 * {"timestamp":1736513238559,"name":"shutdown_complete"}
 * {"timestamp":1736513238560,"name":"tool_data","sent":10,"acked":10,"target_throughput":-1,"avg_throughput":83.33333333333333}
 * ```
 *
 * A failed record prints `producer_send_error` (with `exception` and `message`) and the run goes on,
 * as Kafka's does; the status is 1 when any record failed. `--max-messages -1` (the default) runs
 * until SIGINT/SIGTERM. As Kafka's, the producer does not retry (retries=0).
 *
 * @example
 * ```sh
 * edgelog verifiable-producer --bootstrap-server localhost:9092 --topic verify-test --max-messages 10
 * ```
 * @module
 */
import type { ProducerMessage } from "../../client/message-input.ts";
import type { ProducerOptions } from "../../client/producer-options.ts";
import type { ArgSpec } from "../args.ts";
import type { Command } from "../command.ts";
import { bootstrapServers, toolClient } from "../tools/bootstrap.ts";
import { InFlightSends } from "../tools/in-flight-sends.ts";
import { javaDouble } from "../tools/java-format.ts";
import { mergedSettings } from "../tools/key-values.ts";
import { pace } from "../tools/pace.ts";
import { parseAcks, producerSettings } from "../tools/producer-settings.ts";
import { onStopSignal } from "../tools/stop-signals.ts";
import { integerOption, parseToolArgs, required } from "../tools/tool-args.ts";

const NAME = "verifiable-producer";
const MAX_PENDING = 10_000;

const ARGS: ArgSpec = {
  options: {
    "bootstrap-server": { type: "string" },
    "broker-list": { type: "string" },
    topic: { type: "string" },
    "max-messages": { type: "string" },
    throughput: { type: "string" },
    acks: { type: "string" },
    "producer.config": { type: "string" },
    "message-create-time": { type: "string" },
    "value-prefix": { type: "string" },
    "repeating-keys": { type: "string" },
  },
};

const HELP = `Usage: edgelog verifiable-producer --bootstrap-server <host:port|ws-url>[,...] --topic <topic> [options]

Produces increasing integers to a topic and prints a JSON line for each event (startup_complete,
producer_send_success, producer_send_error, shutdown_complete, tool_data), as Kafka's
kafka-verifiable-producer.sh.

Options:
      --bootstrap-server <list>  REQUIRED: broker addresses, host:port or ws(s):// URLs, comma-separated
      --topic <topic>            REQUIRED: the topic to produce to
      --max-messages <n>         How many messages; -1 (default): until stopped
      --throughput <n>           At most about this many messages per second; -1 (default): no limit
      --acks <acks>              -1 (default, all), 0 or 1
      --producer.config <file>   Producer settings from a properties file
      --message-create-time <ms> CreateTime of the first message; later ones advance with the clock
      --value-prefix <n>         Values are "<n>.<i>" instead of "<i>"
      --repeating-keys <n>       Keys 0, 1, ..., n-1, 0, ... (default: no key)
  -h, --help                     Show this help`;

/**
 * The `verifiable-producer` command.
 *
 * @example
 * ```ts
 * await verifiableProducerCommand.run(["--bootstrap-server", "localhost:9092", "--topic", "t", "--max-messages", "10"], io);
 * ```
 */
export const verifiableProducerCommand: Command = {
  help: HELP,
  async run(argv, io) {
    const args = parseToolArgs(argv, ARGS, NAME);
    const topic = required(args, "topic", NAME);
    const maxMessages = integerOption(args, "max-messages", NAME, { min: -1 }, -1)!;
    const throughput = integerOption(args, "throughput", NAME, { min: -1 }, -1)!;
    const valuePrefix = integerOption(args, "value-prefix", NAME);
    const repeatingKeys = integerOption(args, "repeating-keys", NAME, { min: 1 });
    let createTime = integerOption(args, "message-create-time", NAME, { min: 0 });
    const settings = producerSettings(await mergedSettings(args.string("producer.config"), [], "--producer.config", NAME), NAME);
    for (const warning of settings.warnings) io.err(`WARN ${warning}`);
    const brokers = bootstrapServers(args.string("bootstrap-server") ?? args.string("broker-list") ?? settings.bootstrapServers, NAME);
    const options: ProducerOptions = { lingerMs: 5, ...settings.options, acks: parseAcks(args.string("acks") ?? "-1", NAME), retry: { ...settings.options.retry, retries: 0 } };

    const client = await toolClient(brokers, settings.clientId ?? "verifiable-producer");
    const producer = client.producer(options);
    const event = (name: string, fields: Record<string, unknown> = {}): void => io.out(JSON.stringify({ timestamp: Date.now(), name, ...fields }));
    let stopping = false;
    const unlisten = onStopSignal(() => (stopping = true));
    let sent = 0;
    let acked = 0;
    let failed = 0;
    const startMs = Date.now();
    const inFlight = new InFlightSends(MAX_PENDING);
    try {
      await producer.connect();
      event("startup_complete");
      let keyCounter = 0;
      for (let i = 0; (maxMessages < 0 || i < maxMessages) && !stopping; i++) {
        await pace(startMs, i, throughput, () => stopping);
        if (stopping) break;
        const key = repeatingKeys === undefined ? null : String(keyCounter++ % repeatingKeys);
        const value = valuePrefix === undefined ? String(i) : `${valuePrefix}.${i}`;
        const message: ProducerMessage = { key, value };
        if (createTime !== undefined) {
          message.timestamp = createTime;
          createTime += Date.now() - startMs;
        }
        sent++;
        await inFlight.add(
          producer.send({ topic, messages: [message] }),
          ([meta]) => {
            acked++;
            event("producer_send_success", { key, value, offset: meta!.offsets[0], topic, partition: meta!.partition });
          },
          (error) => {
            failed++;
            const e = error instanceof Error ? error : new Error(String(error));
            event("producer_send_error", { key, value, topic, exception: `class ${e.name}`, message: e.message });
          },
        );
      }
      await producer.flush();
      await inFlight.drain();
    } finally {
      unlisten();
      await producer.disconnect().catch(() => undefined);
    }
    event("shutdown_complete");
    const elapsed = Math.max(1, Date.now() - startMs);
    const avg = (1000 * acked) / elapsed;
    io.out(`{"timestamp":${Date.now()},"name":"tool_data","sent":${sent},"acked":${acked},"target_throughput":${throughput},"avg_throughput":${javaDouble(avg)}}`);
    return failed > 0 ? 1 : 0;
  },
};
