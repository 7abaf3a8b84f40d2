import { describe, expect, it } from 'vitest';
import type { ContributionKind } from '../contracts/v1/manifest.js';
import { isDgtError } from '../errors/dgt-error.js';
import { type Contribution, Registry } from './registry.js';

function contribution(
  kind: ContributionKind,
  id: string,
  packageName = 'acme',
  value: unknown = { id },
): Contribution & { calls: number } {
  const c = {
    kind,
    id,
    packageName,
    version: '1.0.0',
    calls: 0,
    load: async () => {
      c.calls++;
      return value;
    },
  };
  return c;
}

async function dgtErrorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isDgtError(error)) return error;
    throw error;
  }
  throw new Error('expected a DgtError');
}

describe('Registry', () => {
  it('lists contributions sorted by kind then id, and of one kind on request', () => {
    const registry = new Registry();
    registry.add(contribution('builders', 'z/qa'));
    registry.add(contribution('blocks', 'b/two'));
    registry.add(contribution('builders', 'a/qa'));
    registry.add(contribution('blocks', 'b/one'));

    expect(registry.list().map((c) => `${c.kind}:${c.id}`)).toEqual([
      'blocks:b/one',
      'blocks:b/two',
      'builders:a/qa',
      'builders:z/qa',
    ]);
    expect(registry.list('builders').map((c) => c.id)).toEqual(['a/qa', 'z/qa']);
    expect(registry.list('formatters')).toEqual([]);
  });

  it('keeps one id per kind: the same id may name a block and a builder', () => {
    const registry = new Registry();
    registry.add(contribution('blocks', 'acme/qa', 'one'));
    registry.add(contribution('builders', 'acme/qa', 'two'));

    expect(registry.find('blocks', 'acme/qa')?.packageName).toBe('one');
    expect(registry.find('builders', 'acme/qa')?.packageName).toBe('two');
  });

  it('rejects a second package claiming an id, naming both packages and versions', () => {
    const registry = new Registry();
    registry.add(contribution('blocks', 'acme/judge', 'first'));

    let error: unknown;
    try {
      registry.add({ ...contribution('blocks', 'acme/judge', 'second'), version: '2.0.0' });
    } catch (e) {
      error = e;
    }

    expect(isDgtError(error) && error.code).toBe('DUPLICATE_PLUGIN_ID');
    expect((error as Error).message).toContain('first@1.0.0');
    expect((error as Error).message).toContain('second@2.0.0');
  });

  it('keeps the first registration when the same package adds an id again', () => {
    const registry = new Registry();
    const first = contribution('blocks', 'acme/judge', 'acme');
    registry.add(first);
    registry.add(contribution('blocks', 'acme/judge', 'acme'));

    expect(registry.find('blocks', 'acme/judge')).toBe(first);
  });

  it('loads a contribution once and shares the result between callers', async () => {
    const registry = new Registry();
    const c = contribution('builders', 'acme/qa');
    registry.add(c);

    const [a, b] = await Promise.all([
      registry.load('builders', 'acme/qa', 'one.yaml'),
      registry.load('builders', 'acme/qa', 'two.yaml'),
    ]);
    const later = await registry.load('builders', 'acme/qa', 'three.yaml');

    expect(c.calls).toBe(1);
    expect(b).toBe(a);
    expect(later).toBe(a);
  });

  it.each([
    ['builders', 'UNKNOWN_BUILDER', 'databuilder'],
    ['blocks', 'UNKNOWN_BLOCK_TYPE', 'block type'],
    ['datastores', 'UNKNOWN_DATASTORE_TYPE', 'datastore type'],
    ['formatters', 'UNKNOWN_FORMATTER', 'formatter'],
  ] as const)(
    'rejects an unknown %s id with %s, the place and the nearest id',
    async (kind, code, noun) => {
      const registry = new Registry();
      registry.add(contribution(kind, 'acme/geography-qa'));
      registry.add(contribution(kind, 'acme/unrelated-thing'));

      const error = await dgtErrorOf(registry.load(kind, 'acme/geografy-qa', 'tasks/geo.yaml:3'));

      expect(error.code).toBe(code);
      expect(error.message).toContain(`tasks/geo.yaml:3: unknown ${noun} "acme/geografy-qa".`);
      expect(error.message).toContain('Did you mean "acme/geography-qa"?');
    },
  );

  it('lists the known ids when none is near the unknown one', async () => {
    const registry = new Registry();
    registry.add(contribution('datastores', 'jsonl'));
    registry.add(contribution('datastores', 'csv'));

    const error = await dgtErrorOf(registry.load('datastores', 'postgresql-cluster', 'task.yaml'));

    expect(error.code).toBe('UNKNOWN_DATASTORE_TYPE');
    expect(error.message).not.toContain('Did you mean');
    expect(error.message).toContain('Known: jsonl, csv.');
  });

  it('passes on a failing load to every caller', async () => {
    const registry = new Registry();
    registry.add({
      kind: 'blocks',
      id: 'acme/broken',
      packageName: 'acme',
      version: '1.0.0',
      load: async () => {
        throw new Error('cannot import');
      },
    });

    await expect(registry.load('blocks', 'acme/broken', 'a.yaml')).rejects.toThrow('cannot import');
    await expect(registry.load('blocks', 'acme/broken', 'b.yaml')).rejects.toThrow('cannot import');
  });
});
