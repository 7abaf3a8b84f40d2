/**
 * Wakes a waiting loop when something it may act on has happened (an attempt settled, an LM
 * request finished and freed a slot, the run was asked to stop). Kicks while nobody waits are
 * remembered, so none is lost between a check and the wait that follows it.
 */
export class Waker {
  private kicked = false;
  private resolve: (() => void) | undefined;

  /** Wakes the current or the next {@link wait}. */
  kick(): void {
    this.kicked = true;
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }

  /** Resolves at the next kick (at once if one came since the last wait), or after `timeoutMs`. */
  wait(timeoutMs?: number): Promise<void> {
    if (this.kicked) {
      this.kicked = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.resolve = undefined;
              resolve();
            }, timeoutMs);
      this.resolve = () => {
        if (timer) clearTimeout(timer);
        this.kicked = false;
        resolve();
      };
    });
  }
}
