// Helpers shared by this package's tests (not part of the public API, not bundled).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BlockDefinition,
  type BlockRow,
  type BlockV1,
  brandBlock,
  type DgtEvent,
  type LmCallOptions,
  type LmRequestEvent,
} from '@dgt/core';

/** A fresh, empty cache folder, so tests never share cached answers. */
export function tempCacheDir(): string {
  return mkdtempSync(join(tmpdir(), 'dgt-lm-cache-'));
}

/**
 * Validates `config` with the definition's schema and creates the block, as the runner would.
 * Unless `env` names one, the request cache goes to a fresh temporary folder.
 */
export async function makeBlock(
  definition: BlockDefinition,
  config: Record<string, unknown>,
  env: Record<string, string | undefined> = {},
): Promise<BlockV1> {
  const parsed = definition.configSchema.parse({ name: 'generator', ...config });
  const made = await definition.create(parsed, {
    outputDir: '/tmp/dgt-test',
    env: { DGT_CACHE_DIR: tempCacheDir(), ...env },
  });
  return brandBlock(made, { role: definition.role, type: parsed.type, name: parsed.name });
}

/** Calls a block and collects the events it emitted. */
export async function callBlock(
  block: BlockV1,
  rows: BlockRow[],
  options: LmCallOptions = {},
  signal?: AbortSignal,
): Promise<{ rows: BlockRow[]; events: LmRequestEvent[] }> {
  const events: DgtEvent[] = [];
  const out = await block.call(rows, options, {
    emit: (e) => events.push(e),
    ...(signal ? { signal } : {}),
  });
  return {
    rows: out.rows,
    events: events.filter((e): e is LmRequestEvent => e.type === 'lm-request'),
  };
}
