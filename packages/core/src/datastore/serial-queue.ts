/**
 * Runs async jobs one after another, in call order. A store's appends, writes and clears go
 * through one queue so two calls never interleave their bytes or race a rename.
 */
export type SerialQueue = <T>(job: () => Promise<T>) => Promise<T>;

/** Creates an empty {@link SerialQueue}. A failed job does not block the ones after it. */
export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(job: () => Promise<T>): Promise<T> => {
    const result = tail.then(job, job);
    tail = result.catch(() => undefined);
    return result;
  };
}
