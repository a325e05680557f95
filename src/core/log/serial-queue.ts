/**
 * A promise-chain mutex: tasks run one at a time, in the order they were queued, and a failed task
 * does not stop the ones behind it. The log serializes appends, rolls, truncation and retention on
 * one of these while reads run alongside.
 *
 * @example
 * ```ts
 * const queue = new SerialQueue();
 * const [a, b] = await Promise.all([queue.run(async () => 1), queue.run(async () => 2)]); // in order
 * ```
 * @module
 */

/**
 * Runs async tasks one after another.
 *
 * @example
 * ```ts
 * const queue = new SerialQueue();
 * await queue.run(() => file.append(bytes));
 * ```
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Queues `task` behind every task queued before it; resolves or rejects as the task does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task);
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    );
    return result;
  }

  /** Whether no task is queued or running. */
  get idle(): boolean {
    return this.pending === 0;
  }

  /** Resolves once every task queued so far has finished. */
  async drain(): Promise<void> {
    await this.tail;
  }
}
