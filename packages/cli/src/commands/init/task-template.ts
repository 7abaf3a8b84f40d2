/** What a scaffolded task file is made from. */
export type TaskTemplateInput = {
  taskName: string;
  builder: string;
  kind: 'generation' | 'transformation';
  /** The builder's input fields (from its input schema), used to shape the seed examples. */
  fields: string[];
  /** The yaml-language-server modeline's schema path, relative to the task file. */
  schemaPath?: string;
};

/** A task file in DiGiT's format, with placeholders for the user to fill in. */
export function taskTemplate(input: TaskTemplateInput): string {
  const fields = input.fields.length ? input.fields : ['text'];
  const header = [
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
  if (input.kind === 'transformation') {
    return [
      ...header,
      '# The records to transform (JSONL, JSON, YAML, CSV or Parquet), relative to this file.',
      'data:',
      '  type: default',
      '  data_path: ./data.jsonl',
      '',
    ].join('\n');
  }
  const seed = (n: number) =>
    fields.map((field, i) => `${i === 0 ? '  - ' : '    '}${field}: Example ${field} ${n}`);
  return [
    ...header,
    'runner_config:',
    '  # How many accepted records final_data.jsonl must hold.',
    '  num_outputs_to_generate: 20',
    '',
    '# A handful of good examples: the model sees some of them in every request.',
    'seed_examples:',
    ...seed(1),
    ...seed(2),
    ...seed(3),
    '',
  ].join('\n');
}
