/**
 * `edgelog serve`: runs the broker, as `kafka-server-start.sh` does, from a `server.properties` file
 * and `--override key=value` settings, until SIGTERM or SIGINT.
 *
 * - Without a config file the broker listens on ws://127.0.0.1:9092 with its data in ./data
 *   ({@link DEFAULT_SERVER_PROPERTIES}); a file without `listeners` gets Kafka's every-interface
 *   default, ws://:9092.
 * - Unknown keys are warnings ("WARN ..." on stderr); an invalid value stops the start with one line
 *   naming the key ("ERROR Invalid value abc for configuration num.partitions: ...") and status 1.
 * - Once every listener is bound it prints one line on stdout:
 *   `edgelog 0.1.0 broker 0 listening on ws://127.0.0.1:9092 (runtime bun 1.4.5, log.dirs ./data)`.
 * - With `controller.etcd.endpoints` the broker joins the cluster `edgelog.cluster.id` through etcd:
 *   once listening it registers with its advertised URL — the first advertised listener, with the
 *   port actually bound when the configured one is 0 and this host's name for an empty or wildcard
 *   host — and prints `INFO Broker 1 joined cluster edgelog at ws://...`. A start that cannot join
 *   (etcd unreachable, another live broker with the same `broker.id`) stops with status 1.
 * - The first SIGTERM or SIGINT shuts down gracefully (the broker stops taking connections, finishes
 *   the appends in flight, flushes and writes the clean shutdown marker; then the listeners close)
 *   and exits 0; a second signal (half a second or more later) exits at once with 128 + its number.
 *
 * @example
 * ```sh
 * edgelog serve --config config/server.properties --override log.dirs=/var/lib/edgelog
 * edgelog serve config/server.properties     # the file as kafka-server-start.sh takes it
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { parseBrokerConfig, type BrokerConfig } from "../../core/config/broker-config.ts";
import { parseProperties } from "../../core/config/properties.ts";
import { runtimeFileSystem, runtimeName } from "../../adapters/runtime-file-system.ts";
import { serveOptionsFor, startRuntimeServer } from "../../adapters/runtime-server.ts";
import { listenerUrl, type RunningServer, type TlsPem } from "../../adapters/serve-options.ts";
import { createBroker, type Broker, type CreateBrokerOptions } from "../../server/broker.ts";
import { parseArgs, type ArgSpec } from "../args.ts";
import { restoreJitPolicy } from "../jit-policy.ts";
import type { CliIo, Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { VERSION } from "../version.ts";

/** The configuration used when no file is given: loopback only, data under ./data. */
export const DEFAULT_SERVER_PROPERTIES = "listeners=ws://127.0.0.1:9092\nlog.dirs=./data\n";

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
/** How long after the first stop signal another one is taken as a duplicate of it. */
const DUPLICATE_SIGNAL_MS = 500;

const ARGS: ArgSpec = {
  options: { config: { type: "string", short: "c" }, override: { type: "string", multiple: true } },
  maxPositionals: 1,
};

const HELP = `Usage: edgelog serve [server.properties] [--config <file>] [--override <key=value>]...

Runs the broker until SIGTERM or SIGINT. Reads Kafka's broker keys (broker.id, listeners,
log.dirs, num.partitions, log.retention.hours, ...) from a server.properties file; keys that
edgelog does not use are reported and ignored.

Options:
  -c, --config <file>       The server.properties file (it may also be given as the only argument)
      --override <key=value>  Set one config key over the file's value; may be repeated
  -h, --help                Show this help

Without a config file the broker listens on ws://127.0.0.1:9092 and keeps its data in ./data.
A listener with port 0 gets a free port; the line printed when listening shows it.
With controller.etcd.endpoints the broker joins the cluster edgelog.cluster.id through etcd
once it listens (each broker of the cluster needs its own broker.id).
The first SIGTERM or SIGINT shuts down gracefully; a second one exits at once.`;

/**
 * The `serve` command.
 *
 * @example
 * ```ts
 * const code = await serveCommand.run(["--override", "listeners=ws://127.0.0.1:0"], io); // after SIGTERM: 0
 * ```
 */
export const serveCommand: Command = {
  help: HELP,
  async run(args, io) {
    const parsed = parseArgs(args, ARGS, "serve");
    if (parsed.string("config") !== undefined && parsed.positionals.length > 0) {
      throw new UsageError(`give the config file once, as --config or as the argument, not both`, "serve");
    }
    const overrides = parseOverrides(parsed.strings("override"));
    const configPath = parsed.string("config") ?? parsed.positionals[0];

    const text = configPath === undefined ? DEFAULT_SERVER_PROPERTIES : await readText(configPath, "config file");
    const { config, warnings } = parseBrokerConfig(parseProperties(text), { overrides });
    for (const warning of warnings) io.err(`WARN ${warning}`);
    const tls = config.listeners.some((l) => l.scheme === "wss") ? await readTls(config) : undefined;

    const shutdown = watchSignals(io);
    const cluster = config.controllerEtcdEndpoints.length === 0 ? {} : await clusterOptions(config);
    const broker = await createBroker({ fs: await runtimeFileSystem(), config, logger: brokerLogger(io), ...cluster });
    let servers: RunningServer[];
    try {
      servers = await listen(broker, config, tls);
    } catch (error) {
      await broker.close().catch(() => {});
      throw error;
    }
    io.out(
      `edgelog ${VERSION} broker ${config.brokerId} listening on ${servers.map((s) => s.url).join(", ")} ` +
        `(runtime ${runtimeDescription()}, log.dirs ${config.logDirs.join(",")})`,
    );
    restoreJitPolicy(); // the start-up is over: hot paths tier up as usual from here
    if (broker.cluster !== undefined) {
      try {
        await broker.joinCluster(await advertisedUrl(config, servers));
      } catch (error) {
        await broker.close().catch(() => {});
        await Promise.all(servers.map((s) => s.close()));
        throw error;
      }
    }

    const signal = await shutdown;
    io.out(`INFO Shutting down on ${signal}`);
    await broker.close();
    await Promise.all(servers.map((s) => s.close()));
    io.out(`INFO Shut down cleanly`);
    return 0;
  },
};

/** Reads `--override key=value` words into entries; a word without `=` or key is a usage error. */
function parseOverrides(words: readonly string[]): Record<string, string> {
  const overrides = Object.create(null) as Record<string, string>; // "__proto__" is a key like any other
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new UsageError(`--override expects key=value, got ${JSON.stringify(word)}`, "serve");
    overrides[word.slice(0, eq).trim()] = word.slice(eq + 1);
  }
  return overrides;
}

/**
 * The URL this broker registers in its cluster: the first advertised listener, with the port the
 * first listener actually bound when the configured one is 0, and this host's name when its host is
 * empty or a wildcard address (Kafka advertises the canonical host name then).
 */
async function advertisedUrl(config: BrokerConfig, servers: readonly RunningServer[]): Promise<string> {
  const advertised = config.advertisedListeners[0]!;
  const wildcard = advertised.host === "" || advertised.host === "0.0.0.0" || advertised.host === "::";
  const port = advertised.port === 0 ? servers[0]!.port : advertised.port;
  const host = wildcard ? (await import("node:os")).hostname() : advertised.host;
  return listenerUrl(advertised.scheme === "wss", host, port);
}

/**
 * The broker options of a cluster member: the etcd coordination store and the WebSocket class of
 * the runtime. Imported here, on demand: a single broker (most starts) never loads the etcd adapter,
 * and its start-up is measured in milliseconds.
 */
async function clusterOptions(config: BrokerConfig): Promise<Pick<CreateBrokerOptions, "coordination" | "WebSocket">> {
  const [{ etcdCoordination }, { runtimeWebSocket }] = await Promise.all([
    import("../../adapters/etcd/etcd-coordination.ts"),
    import("../../adapters/runtime-websocket.ts"),
  ]);
  return { coordination: etcdCoordination({ endpoints: config.controllerEtcdEndpoints }), WebSocket: await runtimeWebSocket() };
}

/** Binds every listener; on a failure closes those already bound and rethrows. */
async function listen(broker: Broker, config: BrokerConfig, tls: TlsPem | undefined): Promise<RunningServer[]> {
  const servers: RunningServer[] = [];
  try {
    for (const listener of config.listeners) {
      try {
        servers.push(await startRuntimeServer(broker, serveOptionsFor(listener, tls)));
      } catch (error) {
        throw new Error(`Cannot listen on ${listener.url}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    throw error;
  }
  return servers;
}

/**
 * Resolves with the first SIGTERM or SIGINT; a later one exits the process at once. Signals within
 * {@link DUPLICATE_SIGNAL_MS} of the first count as the same request: wrappers such as tsx or a
 * process manager that signals the whole group may deliver one stop twice.
 */
function watchSignals(io: CliIo): Promise<string> {
  return new Promise((resolve) => {
    let firstAt: number | undefined;
    for (const [name, number] of Object.entries(SIGNALS)) {
      process.on(name, () => {
        const now = performance.now();
        if (firstAt === undefined) {
          firstAt = now;
          resolve(name);
        } else if (now - firstAt >= DUPLICATE_SIGNAL_MS) {
          io.err(`WARN ${name} again: exiting without a clean shutdown`);
          process.exit(128 + number);
        }
      });
    }
  });
}

function brokerLogger(io: CliIo): (level: "info" | "warn" | "error", message: string) => void {
  return (level, message) => (level === "info" ? io.out(`INFO ${message}`) : io.err(`${level.toUpperCase()} ${message}`));
}

async function readTls(config: BrokerConfig): Promise<TlsPem> {
  // parseBrokerConfig has already refused a wss:// listener without both locations
  return {
    cert: await readText(config.sslCertificateLocation!, "ssl.certificate.location"),
    key: await readText(config.sslKeyLocation!, "ssl.key.location"),
  };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : String((error as Error).message);
    throw new Error(`Cannot read ${what} ${path}: ${why}`);
  }
}

function runtimeDescription(): string {
  const runtime = runtimeName();
  const versions = process.versions as Record<string, string | undefined>;
  return `${runtime} ${versions[runtime] ?? versions.node ?? "unknown"}`;
}
