/** What the CLI touches of the outside world, so tests and embedders can supply their own. */
export type CliIo = {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  cwd: string;
  env: Record<string, string | undefined>;
  /** Registers a Ctrl-C handler, told how many times Ctrl-C was pressed; returns a remover. */
  onInterrupt(handler: (count: number) => void): () => void;
};

/** The real process: stdout, stderr, cwd, env and SIGINT/SIGTERM (a third signal exits at once). */
export function processIo(): CliIo {
  return {
    out: process.stdout,
    err: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    onInterrupt(handler) {
      let count = 0;
      const listener = () => {
        count++;
        if (count > 2) process.exit(130);
        handler(count);
      };
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
  };
}
