/**
 * A small typed event emitter: listeners per event name, called in the order added; a listener
 * that throws does not stop the others or the emitter.
 *
 * @example
 * ```ts
 * import { EventListeners } from "./event-listeners.ts";
 * const events = new EventListeners<{ connect: { url: string } }>();
 * const off = events.on("connect", ({ url }) => console.log(url));
 * events.emit("connect", { url: "ws://localhost:9092/" });
 * off();
 * ```
 * @module
 */

/**
 * Listeners of the events `Events` names; see the module documentation.
 *
 * @example
 * ```ts
 * const events = new EventListeners<{ error: Error }>();
 * ```
 */
export class EventListeners<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(value: never) => void>>();

  /**
   * Adds a listener; returns the function that removes it.
   *
   * @example
   * ```ts
   * const off = events.on("error", (e) => console.error(e));
   * ```
   */
  on<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const entry = listener as (value: never) => void;
    set.add(entry);
    return () => void set.delete(entry);
  }

  /**
   * Calls the listeners of `event` with `value`.
   *
   * @example
   * ```ts
   * events.emit("error", new Error("gone"));
   * ```
   */
  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as (value: Events[K]) => void)(value);
      } catch {
        // a listener's failure must not break the emitter
      }
    }
  }
}
