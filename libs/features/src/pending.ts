import type { StoredEntity } from './online-writer.js';

/**
 * Entity states computed by chunks whose Redis write has not landed yet, so
 * the next chunk (of another partition, computed while this one writes
 * Postgres) builds on them instead of on Redis. Each entry carries the
 * write token Redis will hold once its chunk applies; if that chunk fails,
 * all entries go, and the chunks built on it fail their write-token check
 * and recompute.
 */
export class PendingStates {
  private readonly entries = new Map<string, StoredEntity & { owner: symbol }>();

  get(key: string): StoredEntity | undefined {
    return this.entries.get(key);
  }

  /** Records the states a chunk computed, as they will be once applied. */
  hold(owner: symbol, writeToken: string, writes: Iterable<{ key: string; state: string; attributes: string | null }>): void {
    for (const write of writes) this.entries.set(write.key, { writeToken, state: write.state, attributes: write.attributes, owner });
  }

  /** Forgets an applied chunk's entries (Redis has them now); later chunks' entries stay. */
  release(owner: symbol): void {
    for (const [key, entry] of this.entries) if (entry.owner === owner) this.entries.delete(key);
  }

  /**
   * Forgets everything after a chunk failed: entries of later chunks may
   * build on its states, and a retry must start from Redis, not from them.
   * Those chunks fail their write-token check and recompute.
   */
  clear(): void {
    this.entries.clear();
  }
}

/** Runs tasks one at a time, in call order. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Reserves the next turn now and returns the function that runs in it:
   * call it exactly once (with a no-op when there is nothing left to run),
   * or every later turn waits forever.
   */
  reserve(): <T>(task: () => Promise<T>) => Promise<T> {
    const previous = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((resolve) => (done = resolve));
    return async <T>(task: () => Promise<T>) => {
      await previous;
      try {
        return await task();
      } finally {
        done();
      }
    };
  }
}
