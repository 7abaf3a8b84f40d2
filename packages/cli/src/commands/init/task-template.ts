import { stringify } from 'yaml';

/** What a scaffolded task file is made from. */
export type TaskTemplateInput = {
  taskName: string;
  builder: string;
  kind: 'generation' | 'transformation';
  /** The builder's input fields (from its input schema), used when it has no task example. */
  fields: string[];
  /** The builder's own example task body (`taskExample`), when it has one. */
  example?: Record<string, unknown>;
  /** The yaml-language-server modeline's schema path, relative to the task file. */
  schemaPath?: string;
};

/** Example records shaped like the builder's input fields, for builders without a task example. */
function placeholderRecords(fields: readonly string[], count: number) {
  const names = fields.length ? fields : ['text'];
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(names.map((field) => [field, `Example ${field} ${i + 1}`])),
  );
}

const yaml = (value: unknown) => stringify(value, { lineWidth: 100 }).trimEnd();

/**
 * A task file in DiGiT's format that validates as written: the builder's own example (its task
 * keys, seeds or data) when it has one, else placeholders shaped like its input fields.
 */
export function taskTemplate(input: TaskTemplateInput): string {
  const { seed_examples, data, ...own } = input.example ?? {};
  const lines = [
    ...(input.schemaPath ? [`# yaml-language-server: $schema=${input.schemaPath}`] : []),
    `# A DGT task (DiGiT's task-file format). Check it with:  npx dgt validate <this file>`,
    `# Try it offline with:                              npx dgt run --task-paths <this file> --engine mock`,
    `task_name: ${input.taskName}`,
    'task_description: Describe the data this task makes',
    'created_by: you',
    '',
    `data_builder: ${input.builder}`,
    '',
  ];
  if (Object.keys(own).length) lines.push(`# Settings of ${input.builder}.`, yaml(own), '');
  if (input.kind === 'transformation') {
    lines.push(
      '# The records to transform: inline as here, or a file (JSONL, JSON, YAML, CSV or Parquet)',
      '# relative to this task file:  data: {type: default, data_path: ./data.jsonl}',
      yaml({ data: data ?? placeholderRecords(input.fields, 2) }),
      '',
    );
    return lines.join('\n');
  }
  lines.push(
    'runner_config:',
    '  # How many accepted records final_data.jsonl must hold.',
    '  num_outputs_to_generate: 20',
    '',
    '# A handful of good examples: the model sees some of them in every request.',
    yaml({ seed_examples: seed_examples ?? placeholderRecords(input.fields, 3) }),
    '',
  );
  return lines.join('\n');
}
