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
      try {
        return template.render(vars);
      } catch (cause) {
        throw new DgtError('TEMPLATE', `Template ${name} failed to render: ${reasonOf(cause)}.`, {
          cause,
        });
      }
    },
  };
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
