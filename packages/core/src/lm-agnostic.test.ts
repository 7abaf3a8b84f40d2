import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './util/source-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// LM settings belong to @dgt/blocks-lm, which declares them through `BlockSettingsV1`; core's
// sources (tests aside) must not name them, or core would again decide what LM keys mean.
const LM_SETTING_NAMES = [
  'model_id_or_path',
  'base_url',
  'max_concurrency',
  'call_limit',
  'max_retries',
  'retry_initial_delay',
  'max_throttle_wait',
  'requests_per_minute',
  'tokens_per_minute',
  'num_ctx',
  'repetition_penalty',
  'PORTABLE_LM_KEYS',
  'LM_KEY_SPELLINGS',
];

describe('core is LM-agnostic', () => {
  it('no source file of core names an LM setting', async () => {
    const found: string[] = [];
    for (const file of await sourceFiles(here)) {
      const text = await readFile(file, 'utf8');
      for (const name of LM_SETTING_NAMES)
        if (new RegExp(`\\b${name}\\b`).test(text))
          found.push(`${path.relative(here, file)}: ${name}`);
    }
    expect(found).toEqual([]);
  });
});
