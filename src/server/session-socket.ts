/**
 * The seam between the broker and a runtime's WebSocket: the adapters (Node's `ws`, Bun, Deno) wrap
 * their socket in a {@link SessionSocket}, hand it to `Broker.openSession`, and forward the socket's
 * events to the returned {@link SessionHandlers}. Nothing here depends on a runtime.
 *
 * @example
 * ```ts
 * // inside a runtime adapter
 * const handlers = broker.openSession({
 *   send: (data) => ws.send(data),
 *   bufferedAmount: () => ws.bufferedAmount,
 *   close: (code, reason) => ws.close(code, reason),
 * }, { remoteAddress });
 * ws.onmessage = (e) => handlers.onMessage(typeof e.data === "string" ? e.data : new Uint8Array(e.data));
 * ws.onclose = (e) => handlers.onClose(e.code);
 * ```
 * @module
 */

/**
 * What the broker needs of one WebSocket connection. `send` of a `Uint8Array` sends a binary message,
 * of a string a text message.
 *
 * @example
 * ```ts
 * const socket: SessionSocket = {
 *   send: (data) => frames.push(data),
 *   bufferedAmount: () => 0,
 *   close: (code) => console.log("closed", code),
 * };
 * ```
 */
export interface SessionSocket {
  /** Queues one message; binary for bytes, text for a string. */
  send(data: Uint8Array | string): void;
  /**
   * Sends one binary message whose bytes are valid only during the call: the socket copies them (or
   * writes them to the network) before it returns. Optional: the session uses it where given, and
   * then encodes frames into memory it reuses (`encodeFrameTransient`).
   */
  sendCopied?(data: Uint8Array): void;
  /** Bytes queued by `send` and not yet handed to the network. */
  bufferedAmount(): number;
  /** Starts the closing handshake with a WebSocket close code and reason. */
  close(code?: number, reason?: string): void;
}

/**
 * The callbacks a runtime adapter forwards its socket's events to.
 *
 * @example
 * ```ts
 * const handlers: SessionHandlers = broker.openSession(socket);
 * handlers.onMessage('{"id":1,"op":"metadata"}');
 * handlers.onDrain();
 * handlers.onClose(1000);
 * ```
 */
export interface SessionHandlers {
  /** One whole message: bytes for a binary message, a string for a text message. */
  onMessage(data: Uint8Array | string): void;
  /** The socket's send buffer has drained (bufferedAmount fell); paused pushes may resume. */
  onDrain(): void;
  /** The connection is gone, with the close code when known. */
  onClose(code?: number): void;
}

/**
 * WebSocket close codes the broker uses (RFC 6455 §7.4.1).
 *
 * @example
 * ```ts
 * socket.close(CLOSE_CODES.GOING_AWAY, "Broker is shutting down");
 * ```
 */
export const CLOSE_CODES = Object.freeze({
  /** Normal closure. */
  NORMAL: 1000,
  /** Going away: broker shutdown or idle timeout. */
  GOING_AWAY: 1001,
  /** A frame larger than socket.request.max.bytes. */
  MESSAGE_TOO_BIG: 1009,
  /** An unexpected condition inside the broker. */
  INTERNAL_ERROR: 1011,
  /** Try again later: max.connections reached. */
  TRY_AGAIN_LATER: 1013,
});
