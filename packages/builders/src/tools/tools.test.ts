import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRandom } from '@dgt/core';
import { describe, expect, it } from 'vitest';
import { toDocument } from './documents.js';
import { openTools } from './open-tools.js';
import { sampleDocuments } from './random-sampler.js';

const CORPUS = [
  { doc_id: 'd1', body: 'Renew your driver license online before it expires.', domain: 'dmv' },
  { doc_id: 'd2', body: 'Register a vehicle and pay the registration fee.', domain: 'dmv' },
  { doc_id: 'd3', body: 'Apply for retirement benefits at age sixty-two.', domain: 'ssa' },
  { doc_id: 'd4', body: 'Disability benefits need medical evidence.', domain: 'ssa' },
  { doc_id: 'd5', body: 'Survivors may receive benefits.', domain: 'ssa' },
];

async function corpusDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'dgt-tools-'));
  await writeFile(
    path.join(dir, 'corpus.jsonl'),
    `${CORPUS.map((r) => JSON.stringify(r)).join('\n')}\n`,
  );
  return dir;
}

const toolsConfig = {
  registry: [
    {
      type: 'inline',
      namespace: 'retrieval',
      engine: 'files',
      tools: [{ name: 'search_documents', parameters: { type: 'object' } }],
    },
  ],
  engines: {
    files: {
      type: 'search/file',
      path: 'corpus.jsonl',
      projection: { body: 'text', doc_id: 'id' },
      limit: 2,
    },
  },
};

describe('the tools layer', () => {
  it('reads corpus records through the projection, keeping the other fields as metadata', () => {
    expect(toDocument(CORPUS[0]!, 0, { body: 'text', doc_id: 'id' })).toEqual({
      id: 'd1',
      text: CORPUS[0]!.body,
      metadata: { domain: 'dmv' },
    });
    // DiGiT's projection on a corpus already in canonical form falls back to text/id.
    expect(toDocument({ id: 'x', text: 'hello' }, 3, { body: 'text', doc_id: 'id' }).id).toBe('x');
    expect(toDocument({ text: 'no id' }, 3, {}).id).toBe('3');
  });

  it('search/file ranks documents by shared rare terms and serves tools whose engine it is', async () => {
    const dir = await corpusDir();
    const tools = await openTools(toolsConfig, dir, 'task "t"');
    const engine = tools.engine('files', 'here');
    const random = createRandom(1);
    const found = await engine.search!('retirement benefits', random);
    expect(found.map((d) => d.id)).toEqual(['d3', 'd4']);
    expect(tools.registry.get('search_documents')).toMatchObject({
      namespace: 'retrieval',
      engine: 'files',
    });
    const result = (await engine.call(
      'search_documents',
      { query: 'vehicle registration' },
      random,
    )) as {
      id: string;
    }[];
    expect(result[0]!.id).toBe('d2');
    // No query: a random sample of `limit` documents.
    expect(await engine.search!('', random)).toHaveLength(2);
  });

  it('search/random with group_by draws a whole sample from one group', async () => {
    const dir = await corpusDir();
    const tools = await openTools(toolsConfig, dir, 'task "t"');
    const engine = tools.engine('files', 'here');
    const domains = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const sample = await sampleDocuments(
        {
          type: 'search/random',
          engine: 'files',
          group_by: 'domain',
          strategy: 'uniform',
          weight: 1,
        },
        engine,
        3,
        createRandom(seed),
        'here',
      );
      const groups = new Set(sample.map((d) => d.metadata.domain));
      expect(groups.size).toBe(1);
      domains.add(String([...groups][0]));
    }
    expect(domains).toEqual(new Set(['dmv', 'ssa']));
  });

  it('names the task and key of a bad tools: entry', async () => {
    const dir = await corpusDir();
    await expect(
      openTools({ engines: { files: { type: 'search/elastic' } } }, dir, 'task "t"'),
    ).rejects.toThrow('task "t", tools.engines.files.type: unknown tool engine "search/elastic"');
    await expect(openTools({ ...toolsConfig, engines: {} }, dir, 'task "t"')).rejects.toThrow(
      'names engine "files", which tools.engines does not define',
    );
    const tools = await openTools(
      { engines: { files: { type: 'search/file', path: 'missing.jsonl' } } },
      dir,
      'task "t"',
    );
    await expect(tools.engine('files', 'x').corpus!()).rejects.toThrow(
      'task "t", tools.engines.files.path',
    );
  });
});
