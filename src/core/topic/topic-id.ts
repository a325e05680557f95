/**
 * Kafka's topic ids: 16 random bytes (a version 4 UUID), printed as base64url without padding, so
 * 22 characters. Like Kafka, a new id is never all zeros and never starts with '-' (which would read
 * as a command-line option).
 *
 * @example
 * ```ts
 * const id = newTopicId(); // e.g. "x5pHhVsVTnyBQmPhqT0ADA"
 * topicIdToBytes(id).length; // 16
 * ```
 * @module
 */

/**
 * The all-zero id Kafka uses for "no topic id".
 *
 * @example
 * ```ts
 * topicIdToBytes(ZERO_TOPIC_ID).every((b) => b === 0); // true
 * ```
 */
export const ZERO_TOPIC_ID = "AAAAAAAAAAAAAAAAAAAAAA";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * A new random topic id.
 *
 * @example
 * ```ts
 * newTopicId().length; // 22
 * ```
 */
export function newTopicId(random: (bytes: Uint8Array) => void = (b) => crypto.getRandomValues(b)): string {
  for (;;) {
    const bytes = new Uint8Array(16);
    random(bytes);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const id = topicIdFromBytes(bytes);
    if (id !== ZERO_TOPIC_ID && !id.startsWith("-")) return id;
  }
}

/**
 * Prints 16 bytes as a topic id (base64url, no padding).
 *
 * @example
 * ```ts
 * topicIdFromBytes(new Uint8Array(16)); // "AAAAAAAAAAAAAAAAAAAAAA"
 * ```
 */
export function topicIdFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`A topic id has 16 bytes, not ${bytes.length}`);
  let out = "";
  for (let i = 0; i < 16; i += 3) {
    const b0 = bytes[i]!;
    const b1 = i + 1 < 16 ? bytes[i + 1]! : 0;
    const b2 = i + 2 < 16 ? bytes[i + 2]! : 0;
    out += ALPHABET[b0 >> 2]! + ALPHABET[((b0 & 3) << 4) | (b1 >> 4)]!;
    if (i + 1 < 16) out += ALPHABET[((b1 & 15) << 2) | (b2 >> 6)]!;
    if (i + 2 < 16) out += ALPHABET[b2 & 63]!;
  }
  return out;
}

/**
 * Reads a topic id back into its 16 bytes; throws a `RangeError` for text that is not one.
 *
 * @example
 * ```ts
 * topicIdToBytes("AAAAAAAAAAAAAAAAAAAAAA"); // Uint8Array(16) of zeros
 * ```
 */
export function topicIdToBytes(id: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]{21}[AQgw]$/.test(id)) throw new RangeError(`Not a topic id: ${JSON.stringify(id)}`);
  const bytes = new Uint8Array(16);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const c of id) {
    acc = (acc << 6) | ALPHABET.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[n++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  return bytes;
}
