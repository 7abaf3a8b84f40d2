import { redactText, secretValues } from '@dgt/core';
import type { CliIo } from './io.js';

/**
 * The CLI's output streams behind the run's one redaction (`redactText`): passwords in URLs and
 * the values of secret-named environment variables never reach the terminal, whatever printed
 * them (progress, summaries, warnings, errors).
 */
export function redactingIo(io: CliIo): CliIo {
  const secrets = secretValues(io.env);
  const wrap = <T extends NodeJS.WritableStream>(stream: T): T =>
    // A proxy keeps what reporters look at to pick a display (isTTY, columns, events).
    new Proxy(stream, {
      get(target, key) {
        if (key === 'write') {
          return (chunk: unknown, ...rest: unknown[]) =>
            (target.write as (...args: unknown[]) => boolean)(
              redactText(typeof chunk === 'string' ? chunk : String(chunk), secrets),
              ...rest,
            );
        }
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return { ...io, out: wrap(io.out), err: wrap(io.err) };
}
