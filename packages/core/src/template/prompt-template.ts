import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Template } from '@huggingface/jinja';
import { DgtError } from '../errors/dgt-error.js';
import { compileFastRender } from './fast-render.js';

/** A compiled prompt template. */
export type PromptTemplate = {
  /** The template's name in messages: its file path, or the name given to `compileTemplate`. */
  readonly name: string;
  /** The template text. */
  readonly source: string;
  /** Renders with the given variables; an undefined variable renders as an empty string. */
  render(vars: Record<string, unknown>): string;
};

/**
 * Compiles a Jinja template (loops, conditionals, filters such as `join`, `length`, `trim`,
 * `upper`; see `@huggingface/jinja` for the supported subset). Whitespace follows the settings
 * of chat templates: the newline after a block tag (`{% ... %}`) is removed, spaces before a
 * block tag at the start of a line are removed, and a single trailing newline is dropped;
 * `{%-`/`-%}` and `{{-`/`-}}` trim further. A syntax error is a `TEMPLATE` DgtError naming
 * the template.
 *
 * @example
 * const prompt = compileTemplate('Answer: {{ question | trim }}', 'qa prompt');
 * prompt.render({ question: ' Why? ' }); // 'Answer: Why?'
 */
export function compileTemplate(source: string, name = 'inline template'): PromptTemplate {
  let template: Template;
  try {
    template = new Template(source);
  } catch (cause) {
    throw new DgtError(
      'TEMPLATE',
      `Template ${name} has a syntax error: ${reasonOf(cause)}. Check its {{ }} and {% %} tags.`,
      { cause },
    );
  }
  // Most prompts need only text, variables, loops and conditions: those render directly.
  const fast = compileFastRender(template.parsed);
  const usesRange = renameIdentifier(template.parsed, 'range', BOUNDED_RANGE);
  return {
    name,
    source,
    render(vars) {
      if (fast) {
        try {
          return fast(vars ?? {});
        } catch {
          // UNSUPPORTED, or a value that fails to read: jinja renders it, or raises its error.
        }
      }
      let out: string;
      try {
        // `range` is replaced by a bounded one: jinja's builds the whole list at once, so
        // `range(10**9)` would end the process with a V8 fatal error rather than an exception.
        out = template.render(usesRange ? { ...vars, [BOUNDED_RANGE]: boundedRange(name) } : vars);
      } catch (cause) {
        if (cause instanceof DgtError) throw cause;
        throw new DgtError('TEMPLATE', `Template ${name} failed to render: ${reasonOf(cause)}.`, {
          cause,
        });
      }
      if (out.length > TEMPLATE_LIMITS.outputChars) {
        throw limitError(name, `its output passed ${TEMPLATE_LIMITS.outputChars} characters`);
      }
      return out;
    },
  };
}

/**
 * What one rendering of a template may use: the items all its `range()` calls produce together
 * (what its loops can iterate over, beyond the data it is given), its running time (checked at
 * each `range()` call) and its output size. Prompts need a tiny fraction of these.
 */
export const TEMPLATE_LIMITS = {
  rangeItems: 100_000,
  timeMs: 2_000,
  outputChars: 16 * 1024 * 1024,
} as const;

// What `range` is renamed to in a parsed template: jinja declares `range` itself and refuses a
// variable of that name, so the bounded one goes in under a name no template uses.
const BOUNDED_RANGE = '__dgt_bounded_range';

/** Renames every use of identifier `from` in a parsed template; true if there was one. */
function renameIdentifier(node: unknown, from: string, to: string): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) {
    let found = false;
    for (const item of node) found = renameIdentifier(item, from, to) || found;
    return found;
  }
  const record = node as Record<string, unknown>;
  let found = false;
  if (record.type === 'Identifier' && record.value === from) {
    record.value = to;
    found = true;
  }
  for (const value of Object.values(record)) found = renameIdentifier(value, from, to) || found;
  return found;
}

/** jinja's `range(stop)` / `range(start, stop, step)`, counted against {@link TEMPLATE_LIMITS}. */
function boundedRange(name: string) {
  const started = Date.now();
  let items = 0;
  return (start: number, stop?: number, step = 1): number[] => {
    const from = stop === undefined ? 0 : start;
    const to = stop === undefined ? start : stop;
    if (step === 0) throw new Error('range() step must not be zero');
    const count = Math.max(0, Math.ceil((to - from) / step));
    items += count;
    if (!Number.isFinite(count) || items > TEMPLATE_LIMITS.rangeItems) {
      throw limitError(
        name,
        `its range() calls ask for ${Number.isFinite(items) ? items : 'infinitely many'} items, more than ${TEMPLATE_LIMITS.rangeItems}`,
      );
    }
    if (Date.now() - started > TEMPLATE_LIMITS.timeMs) {
      throw limitError(name, `rendering took more than ${TEMPLATE_LIMITS.timeMs / 1000} s`);
    }
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(from + i * step);
    return out;
  };
}

function limitError(name: string, what: string): DgtError {
  return new DgtError(
    'TEMPLATE',
    `Template ${name} went past a rendering limit: ${what}. A prompt template should stay small; check its loops.`,
  );
}

/** Reads and compiles a template file; its path names it in errors. */
export async function loadTemplate(path: string): Promise<PromptTemplate> {
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DgtError(
      'TEMPLATE',
      missing
        ? `Template file not found: ${path}. Check the template path in the builder config.`
        : `Cannot read template file ${path}: ${reasonOf(cause)}.`,
      { cause },
    );
  }
  loadedTemplates.set(path, createHash('sha256').update(source).digest('hex'));
  return compileTemplate(source, path);
}

// Template files loaded by this process and the sha256 of their text, for provenance.
const loadedTemplates = new Map<string, string>();

/** Every template file loaded so far with the sha256 of its text (see `provenance.jsonl`). */
export function loadedTemplateHashes(): ReadonlyMap<string, string> {
  return loadedTemplates;
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
}
