/** What a scaffolded plugin is called, and the versions it depends on. */
export type PluginTemplateInput = {
  /** The npm package name (`acme-thing`, `@acme/thing`). */
  packageName: string;
  /** The namespace of its ids (`acme-thing/examples`). */
  prefix: string;
  /** Version ranges of the DGT packages and tools, by package name. */
  versions: Record<string, string>;
  /** The task file's yaml-language-server modeline, relative to the package's `examples/`. */
  schemaPath?: string;
};

/** The `exports` entry of a built file. */
export const exportOf = (file: string) => ({
  types: `./dist/${file}.d.ts`,
  import: `./dist/${file}.js`,
  default: `./dist/${file}.js`,
});

/**
 * The files of a new plugin package, by relative path: a `dgt` manifest, a generation builder
 * with its YAML, a validator block, tsup and vitest configs, and a test that runs the builder
 * end to end against the fake OpenAI server of `@dgt/testing`.
 */
export function pluginTemplate(input: PluginTemplateInput): Map<string, string> {
  const { packageName, prefix, versions } = input;
  const builderId = `${prefix}/examples`;
  const blockId = `${prefix}/word_count`;
  const files = new Map<string, string>();
  const pkg = {
    name: packageName,
    version: '0.1.0',
    description: `A DGT plugin: the ${builderId} databuilder and the ${blockId} validator block.`,
    license: 'Apache-2.0',
    type: 'module',
    exports: {
      '.': exportOf('index'),
      './builders/examples': exportOf('builders/examples'),
      './blocks/word-count': exportOf('blocks/word-count'),
      './package.json': './package.json',
    },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'assets', 'examples'],
    sideEffects: false,
    engines: { node: '>=20.19' },
    dgt: {
      manifest: 1,
      builders: { [builderId]: './builders/examples' },
      blocks: { [blockId]: './blocks/word-count' },
    },
    scripts: {
      build: 'tsup',
      test: 'tsup && vitest run',
      typecheck: 'tsc --noEmit',
    },
    peerDependencies: { '@dgt/core': versions['@dgt/core:peer'], zod: '^4.0.0' },
    devDependencies: devDependenciesOf(versions),
  };
  files.set('package.json', `${JSON.stringify(pkg, null, 2)}\n`);

  for (const [file, text] of buildFiles({
    index: 'src/index.ts',
    'builders/examples': 'src/builders/examples.ts',
    'blocks/word-count': 'src/blocks/word-count.ts',
  }))
    files.set(file, text);

  files.set(
    'assets/examples.yaml',
    `# yaml-language-server: $schema=../node_modules/@dgt/core/schemas/builder.schema.json
# Builder config of ${builderId}. Task files select it with \`data_builder: ${builderId}\`;
# override files (--config-path) change its blocks by name.
name: ${builderId}
blocks:
  # The language model that writes new examples (any LM block type: openai, ollama, mock, …).
  - name: generator
    type: openai
    model_id_or_path: gpt-4o-mini
    temperature: 0.8
    max_tokens: 200
  # Drops examples that are too short or too long.
  - name: length_check
    type: ${blockId}
    filter: true
    min_words: 3
    max_words: 40
    input_map:
      text: input
`,
  );

  files.set(
    'src/builders/examples.ts',
    `import { type DataPoint, defineBuilder, type LmRow, packageAsset } from '@dgt/core';
import { z } from 'zod';

/** An example record: seeds and outputs alike carry one \`text\` field. */
export const exampleSchema = z.looseObject({
  task_name: z.string(),
  is_seed: z.boolean().optional(),
  text: z.string().min(1),
});

/** The JSON the generator is asked to reply with (structured output where the provider has it). */
const replySchema = {
  type: 'object',
  properties: { text: { type: 'string', description: 'one new example' } },
  required: ['text'],
  additionalProperties: false,
} as const;

/** Reads the new example out of a generator reply: the parsed JSON, else the raw text. */
export function readExample(row: Pick<LmRow, 'parsed' | 'result'>): string | undefined {
  const parsed = row.parsed as { text?: unknown } | undefined;
  if (typeof parsed?.text === 'string' && parsed.text.trim()) return parsed.text.trim();
  try {
    const json = JSON.parse(row.result ?? '') as { text?: unknown };
    if (typeof json.text === 'string' && json.text.trim()) return json.text.trim();
  } catch {
    // not JSON: use the reply as it is
  }
  return row.result?.trim() || undefined;
}

/**
 * \`${builderId}\`: writes new examples in the style of a task's seeds. Each batch item becomes one
 * request showing a few examples; the \`length_check\` block drops replies of the wrong length.
 */
export const examplesBuilder = defineBuilder({
  kind: 'generation',
  name: '${builderId}',
  description: 'New examples in the style of the seed examples.',
  config: packageAsset(import.meta.url, 'assets/examples.yaml'),
  inputSchema: exampleSchema,
  outputSchema: exampleSchema,
  async call(batch, ctx) {
    const requests: LmRow[] = batch.map((item) => {
      const shown = ctx.sampleExamples(item.task_name, 3);
      const examples = (shown.length ? shown : [item]).map((e) => \`- \${String(e.text)}\`);
      return {
        task_name: item.task_name,
        input: [
          {
            role: 'user',
            content: \`Here are some examples:\\n\${examples.join('\\n')}\\n\\nWrite one new example in the same style. Reply with JSON: {"text": "..."}\`,
          },
        ],
      };
    });
    const replies = (await ctx.blocks.generator!(requests, {
      responseSchema: { name: 'example', schema: replySchema },
    })) as LmRow[];
    const candidates: DataPoint[] = [];
    for (const reply of replies) {
      const text = readExample(reply);
      if (text) candidates.push({ task_name: String(reply.task_name), is_seed: false, text });
    }
    return (await ctx.blocks.length_check!(candidates)) as DataPoint[];
  },
});

export default examplesBuilder;
`,
  );

  files.set(
    'src/blocks/word-count.ts',
    `import { type BlockRow, defineBlock, type RejectedRow } from '@dgt/core';
import { z } from 'zod';

/** Config of \`${blockId}\`: the common block keys plus the allowed length in words. */
export const wordCountConfigSchema = z.looseObject({
  min_words: z.int().nonnegative().default(1),
  max_words: z.int().positive().default(100),
  /** Drop rows of the wrong length (stored with the reason) instead of marking them invalid. */
  filter: z.boolean().default(true),
});

/** Words in a text: runs of non-space characters. */
export function countWords(text: string): number {
  return text.split(/\\s+/).filter(Boolean).length;
}

/** \`${blockId}\`: a validator that checks the length of each row's \`input\` text in words. */
export const wordCountBlock = defineBlock({
  role: 'validator',
  description: 'Rejects rows whose input text is shorter than min_words or longer than max_words.',
  configSchema: wordCountConfigSchema,
  create(config) {
    // Only the behaviour: defineBlock adds the brand, role, type and name.
    return {
      async call(rows: BlockRow[]) {
        const kept: BlockRow[] = [];
        const rejected: RejectedRow[] = [];
        for (const row of rows) {
          const words = countWords(String(row.input ?? ''));
          const reason =
            words < config.min_words
              ? \`\${words} words, fewer than \${config.min_words}\`
              : words > config.max_words
                ? \`\${words} words, more than \${config.max_words}\`
                : undefined;
          if (reason === undefined) {
            if (!config.filter) row.is_valid = true;
            kept.push(row);
          } else if (config.filter) {
            rejected.push({ row, reason });
          } else {
            row.is_valid = false;
            row.invalid_reason = reason;
            kept.push(row);
          }
        }
        return { rows: kept, rejected };
      },
    };
  },
});

export default wordCountBlock;
`,
  );

  files.set(
    'src/index.ts',
    `// Public API of ${packageName}: the builder and block, for programmatic use and tests.
export { wordCountBlock, countWords } from './blocks/word-count.js';
export { examplesBuilder, exampleSchema } from './builders/examples.js';
`,
  );

  files.set(
    'examples/task.yaml',
    `${input.schemaPath ? `# yaml-language-server: $schema=${input.schemaPath}\n` : ''}# Run it offline:  npx dgt run --task-paths examples/task.yaml --engine mock
task_name: ${prefix}/examples_demo
task_description: New product taglines in the style of the seeds
data_builder: ${builderId}

runner_config:
  num_outputs_to_generate: 10

seed_examples:
  - text: Fresh bread, baked before you wake up.
  - text: The bike lock that outsmarts the thief.
  - text: Coffee strong enough for a Monday.
`,
  );

  files.set(
    'test/plugin.test.ts',
    `import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverPlugins, runTasks } from '@dgt/core';
import { startFakeOpenAI } from '@dgt/testing';
import { describe, expect, it } from 'vitest';
import { countWords } from '../src/blocks/word-count.js';

// The package itself: discovery reads its package.json "dgt" field and imports the built dist/,
// exactly as it will in a user's project.
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function readJsonl(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('${packageName}', () => {
  it('counts words', () => {
    expect(countWords('  one two\\tthree ')).toBe(3);
  });

  it('lists its builder and block through the dgt manifest', async () => {
    const registry = await discoverPlugins({ projectRoot: ROOT });
    expect(registry.find('builders', '${builderId}')?.packageName).toBe('${packageName}');
    expect(registry.find('blocks', '${blockId}')?.packageName).toBe('${packageName}');
  });

  it('generates examples through an OpenAI-compatible server, dropping the ones too short', async () => {
    let n = 0;
    // Every third reply is one word long: the length check rejects it.
    const server = await startFakeOpenAI({
      reply: () => (++n % 3 === 0 ? '{"text": "Short."}' : \`{"text": "Tagline number \${n} for you"}\`),
    });
    try {
      const out = await mkdtemp(path.join(tmpdir(), 'plugin-test-'));
      const result = await runTasks({
        taskPaths: [path.join(ROOT, 'examples/task.yaml')],
        cwd: ROOT,
        registry: await discoverPlugins({ projectRoot: ROOT }),
        engine: { type: 'openai', model: 'fake', baseUrl: server.baseURL, cache: 'off' },
        runner: { numOutputsToGenerate: 6, outputDir: out },
        env: { OPENAI_API_KEY: 'test' },
      });
      expect(result.status).toBe('completed');
      const taskDir = path.join(out, '${prefix}/examples_demo');
      const final = await readJsonl(path.join(taskDir, 'final_data.jsonl'));
      expect(final).toHaveLength(6);
      expect(final.every((r) => countWords(String(r.text)) >= 3)).toBe(true);
      const rejected = await readJsonl(path.join(taskDir, 'blocks/length_check.jsonl'));
      expect(rejected.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
`,
  );

  files.set(
    'README.md',
    `# ${packageName}

A [DGT](https://github.com/dgt) plugin. It contributes:

| id | kind | what it does |
| --- | --- | --- |
| \`${builderId}\` | databuilder | writes new examples in the style of a task's seeds |
| \`${blockId}\` | validator block | drops rows whose \`input\` is too short or too long (in words) |

## Use

\`\`\`sh
npm install --save-dev @dgt/cli ${packageName}
npx dgt list                      # shows ${builderId} and ${blockId}
npx dgt run --task-paths node_modules/${packageName}/examples/task.yaml --engine mock
\`\`\`

DGT finds the plugin through the \`dgt\` field of its package.json; nothing else to configure.

## Develop

\`\`\`sh
npm install
npm test          # builds with tsup, then runs the tests against a fake OpenAI server
\`\`\`
`,
  );
  return files;
}

/** The development dependencies of a scaffolded package: DGT's packages and its build tools. */
export function devDependenciesOf(versions: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    [
      '@dgt/blocks-lm',
      '@dgt/cli',
      '@dgt/core',
      '@dgt/testing',
      '@types/node',
      'tsup',
      'typescript',
      'vitest',
      'zod',
    ].map((name) => [name, versions[name] as string]),
  );
}

/**
 * The build and test setup of a scaffolded package: tsup with one entry per contribution (by
 * output name), a strict tsconfig, vitest, and a .gitignore.
 */
export function buildFiles(entries: Record<string, string>): Array<[string, string]> {
  const files: Array<[string, string]> = [];
  files.push([
    'tsup.config.ts',
    `import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per contribution: discovery imports only what a task uses.
  entry: {
${Object.entries(entries)
  .map(([name, file]) => `    ${/^[a-z]+$/.test(name) ? name : `'${name}'`}: '${file}',`)
  .join('\n')}
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
});
`,
  ]);
  files.push([
    'tsconfig.json',
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: ['node'],
          strict: true,
          skipLibCheck: true,
          declaration: true,
          isolatedModules: true,
          verbatimModuleSyntax: true,
          noEmit: true,
        },
        include: ['src', 'test'],
      },
      null,
      2,
    )}\n`,
  ]);
  files.push([
    'vitest.config.ts',
    `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 30_000 },
});
`,
  ]);
  files.push(['.gitignore', 'node_modules\ndist\noutput\n']);
  return files;
}
