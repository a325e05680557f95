/**
 * The runtime-agnostic broker: `createBroker` and the session seam runtime adapters use.
 *
 * @example
 * ```ts
 * import { createBroker } from "./index.ts";
 * const broker = await createBroker({ fs, config });
 * const handlers = broker.openSession(socket);
 * ```
 * @module
 */
export { type Broker, createBroker, type CreateBrokerOptions } from "./broker.ts";
export type { BrokerLogger } from "./broker-context.ts";
export { localReplicaWaiter, type ReplicaWaiter } from "./replica-waiter.ts";
export { CLOSE_CODES, type SessionHandlers, type SessionSocket } from "./session-socket.ts";
