/**
 * The loop of `console-producer`: reads lines from a stream, turns each into a record with a
 * {@link LineReader} and sends it, keeping at most 10 000 sends in flight; prints the prompt before
 * each line when asked (Kafka prints `>` only for a terminal). It resolves once every record was
 * acknowledged and rejects with the first line that could not be read or record that could not be
 * written (Kafka's "Error when sending message to topic …" message).
 *
 * @example
 * ```ts
 * await produceLines(producer, "orders", new LineReader(new Map()), { input: process.stdin, sync: false });
 * ```
 * @module
 */
import { createInterface } from "node:readline";
import type { ProducerMessage } from "../../client/message-input.ts";
import type { Producer } from "../../client/producer.ts";
import type { LineReader } from "./line-reader.ts";

/** Sends in flight before reading more input waits for the oldest. */
const MAX_PENDING = 10_000;

/**
 * Where lines come from and how they are sent.
 *
 * @example
 * ```ts
 * const options: ProduceLinesOptions = { input: Readable.from(["a\nb\n"]), sync: true, prompt: () => process.stdout.write(">") };
 * ```
 */
export interface ProduceLinesOptions {
  input: NodeJS.ReadableStream;
  /** Wait for each record's acknowledgement before reading the next line. */
  sync: boolean;
  /** Called before each line is read (and once more at the end of input), as Kafka's prompt. */
  prompt?: (() => void) | undefined;
  /** Aborting ends the input early (Ctrl-C): what was read is still sent and acknowledged. */
  signal?: AbortSignal;
}

/**
 * Sends every line of `input`; see the module documentation.
 *
 * @example
 * ```ts
 * await produceLines(producer, "t", reader, { input, sync: false });
 * ```
 */
export async function produceLines(producer: Producer, topic: string, reader: LineReader, options: ProduceLinesOptions): Promise<void> {
  const lines = createInterface({ input: options.input, crlfDelay: Infinity, terminal: false });
  const stop = (): void => lines.close();
  options.signal?.addEventListener("abort", stop, { once: true });
  const pending = new Set<Promise<void>>();
  let failure: Error | undefined;
  let lineNumber = 0;
  options.prompt?.();
  try {
    for await (const line of lines) {
      lineNumber++;
      const message = reader.read(line, lineNumber);
      const sending: Promise<void> = producer.send({ topic, messages: [message] }).then(
        () => void pending.delete(sending),
        (error: unknown) => {
          pending.delete(sending);
          failure ??= sendError(topic, message, error);
        },
      );
      pending.add(sending);
      if (options.sync) await sending;
      else if (pending.size >= MAX_PENDING) await Promise.race(pending);
      if (failure !== undefined) throw failure;
      options.prompt?.();
    }
  } finally {
    options.signal?.removeEventListener("abort", stop);
    lines.close();
  }
  await producer.flush();
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
}

function sendError(topic: string, message: ProducerMessage, error: unknown): Error {
  const size = (bytes: ProducerMessage["value"] | undefined): string =>
    typeof bytes === "string" ? `${new TextEncoder().encode(bytes).length} bytes` : bytes instanceof Uint8Array ? `${bytes.length} bytes` : "null";
  const why = error instanceof Error ? error.message : String(error);
  return new Error(`Error when sending message to topic ${topic} with key: ${size(message.key)}, value: ${size(message.value)} with error: ${why}`);
}
