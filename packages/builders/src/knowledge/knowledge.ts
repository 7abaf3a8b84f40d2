import {
  type BlockRow,
  type DataPoint,
  DgtError,
  defineBuilder,
  type GenerationContext,
  type LmRow,
  loadTemplate,
  type PromptTemplate,
  packageAsset,
} from '@dgt/core';
import { z } from 'zod';
import { byTask } from '../shared/task-keys.js';
import { textField } from '../shared/text-field.js';
import { runValidators } from '../shared/validators.js';
import { CRITERIA, CRITERION_INSTRUCTIONS } from './criteria.js';
import {
  chunkDocuments,
  type DocumentChunk,
  datastoreDocuments,
  inlineDocuments,
  isDatastoreMapping,
} from './documents.js';
import { frqReplySchema, mcqReplySchema, parseKnowledgeReply } from './knowledge-reply.js';

/** Knowledge seeds and outputs: a question and its answer (outputs also carry their source). */
export const knowledgeRecordSchema = z.looseObject({
  task_name: z.string(),
  is_seed: z.boolean().optional(),
  question: textField,
  answer: textField,
});

const STYLES: Record<string, 'FRQ' | 'MCQ'> = {
  frq: 'FRQ',
  free_response: 'FRQ',
  'free-response': 'FRQ',
  mcq: 'MCQ',
  multiple_choice: 'MCQ',
  'multiple-choice': 'MCQ',
};

/**
 * Task-file keys of `knowledge` (DiGiT's names). Documents come from `documents` (what
 * `include: {documents: {name: file}}` loads, or a datastore mapping `{type, data_path}`) or
 * from DiGiT's `knowledge: {datastore_config: {…}}`.
 */
export const knowledgeTaskSchema = z
  .looseObject({
    domain: z
      .string()
      .optional()
      .describe('Subject of the documents, shown to the model; default: the task name.'),
    chunk_size: z
      .int()
      .optional()
      .describe('Words per chunk; -1 (default) or 0 keeps whole documents.'),
    num_icl_examples_per_prompt: z
      .int()
      .positive()
      .optional()
      .describe('Seed examples shown per request (default 3).'),
    num_questions_per_prompt: z
      .int()
      .positive()
      .optional()
      .describe('New pairs asked for per request (default 3).'),
    /** `FRQ` (free-response, default) or `MCQ` (multiple-choice). */
    question_style: z
      .string()
      .transform((value) => STYLES[value.trim().toLowerCase()] ?? value)
      .pipe(z.enum(['FRQ', 'MCQ'], { message: 'question_style must be FRQ or MCQ' }))
      .optional(),
    criteria: z
      .array(z.enum(CRITERIA))
      .nullish()
      .describe('Checks the judge applies, in order (default: all three).'),
    documents: z.unknown().optional(),
    knowledge: z.looseObject({ datastore_config: z.looseObject({}) }).nullish(),
    loop_over: z
      .boolean()
      .optional()
      .describe(
        'Accepted for DiGiT task files: chunks are always cycled until the target is reached.',
      ),
    num_docs_per_iteration: z.int().positive().optional(),
  })
  .refine((task) => task.documents != null || task.knowledge != null, {
    message:
      'a knowledge task needs documents: use include: {documents: {name: file.md}}, documents: {type: markdown, data_path: docs/}, or knowledge: {datastore_config: {…}}',
    path: ['documents'],
  });

type KnowledgeTask = z.output<typeof knowledgeTaskSchema>;

type TaskState = { task: KnowledgeTask; chunks: Promise<DocumentChunk[]> };

// One entry per task config object, so each run (and each resume) reads its documents once.
const states = new WeakMap<object, TaskState>();

async function loadChunks(
  task: KnowledgeTask,
  taskName: string,
  baseDir: string | undefined,
): Promise<DocumentChunk[]> {
  const where = `task "${taskName}"`;
  const documents = isDatastoreMapping(task.documents)
    ? await datastoreDocuments(task.documents, `${where}, documents`, baseDir)
    : task.knowledge
      ? await datastoreDocuments(task.knowledge.datastore_config, `${where}, knowledge`, baseDir)
      : inlineDocuments(task.documents, where);
  const chunks = chunkDocuments(documents, task.chunk_size ?? -1);
  if (chunks.length === 0) {
    throw new DgtError('INVALID_TASK', `${where}: its documents are empty; nothing to ask about.`);
  }
  return chunks;
}

function stateOf(ctx: GenerationContext, taskName: string): TaskState {
  const config = ctx.tasks[taskName] ?? {};
  let state = states.get(config);
  if (!state) {
    const parsed = knowledgeTaskSchema.safeParse(config);
    if (!parsed.success) {
      throw new DgtError(
        'INVALID_TASK',
        `task "${taskName}": ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    state = {
      task: parsed.data,
      chunks: loadChunks(parsed.data, taskName, ctx.taskLocations?.[taskName]?.baseDir),
    };
    states.set(config, state);
  }
  return state;
}

const prompts = new Map<string, Promise<PromptTemplate>>();
function prompt(name: string): Promise<PromptTemplate> {
  let loaded = prompts.get(name);
  if (!loaded) {
    loaded = loadTemplate(packageAsset(import.meta.url, `assets/knowledge/${name}`));
    prompts.set(name, loaded);
  }
  return loaded;
}

/**
 * Asks the `validator` block (an `lm_judge`) about each pair, one criterion after the other;
 * a pair must pass every criterion. Rejected pairs land in `blocks/validator.jsonl` with the
 * criterion and the judge's reason.
 */
async function judge(
  ctx: GenerationContext,
  records: DataPoint[],
  criteriaOf: (taskName: string) => readonly string[],
): Promise<DataPoint[]> {
  const validator = ctx.blocks.validator;
  if (!validator) return records;
  let kept = records;
  for (const criterion of CRITERIA) {
    const asked = kept.filter((record) => criteriaOf(record.task_name).includes(criterion));
    if (asked.length === 0) continue;
    const rows = new Map<BlockRow, DataPoint>(
      asked.map((record) => [
        {
          task_name: record.task_name,
          criterion,
          criterion_instructions: CRITERION_INSTRUCTIONS[criterion],
          question: record.question,
          answer: record.answer,
          context: record.context,
          document: record.document,
        },
        record,
      ]),
    );
    const passed = new Set((await validator([...rows.keys()])).map((row) => rows.get(row)));
    const judged = new Set(asked);
    kept = kept.filter((record) => !judged.has(record) || passed.has(record));
  }
  return kept;
}

/**
 * `instructlab/knowledge` (also `knowledge`): question/answer pairs grounded in documents, as
 * DiGiT's InstructLab knowledge builder. Documents are chunked by `chunk_size` words; each
 * request shows one chunk and `num_icl_examples_per_prompt` seed examples and asks for
 * free-response or multiple-choice pairs (`question_style`). The `validator` block (an LM judge)
 * checks each pair for the task's `criteria`, and the `dedup` postprocessor removes repeated
 * questions. Every record carries its `context` (the chunk), `document` (its name) and `domain`.
 */
export const knowledgeBuilder = defineBuilder({
  kind: 'generation',
  name: 'instructlab/knowledge',
  description: 'Question/answer pairs grounded in documents, checked by an LM judge (InstructLab).',
  config: packageAsset(import.meta.url, 'assets/knowledge/knowledge.yaml'),
  inputSchema: knowledgeRecordSchema,
  taskExample: {
    domain: 'astronomy',
    // Inline here; longer documents go in files: include: {documents: {name: file.md}}.
    documents: {
      moon: [
        'The Moon orbits the Earth about once every 27 days, at an average distance of about 384,000 kilometres.',
        'The same side of the Moon always faces the Earth, because the Moon turns once on its axis in the time it takes to orbit.',
        'Its gravity raises the ocean tides, and the tides slowly lengthen the day on Earth.',
        'The Moon has no air to speak of, so its sky is black even in daylight and its craters do not wear away.',
        'Twelve astronauts walked on the Moon between 1969 and 1972 and brought back rocks for study.',
        'Those rocks suggest the Moon formed from debris after a large body struck the young Earth.',
      ].join(' '),
    },
    seed_examples: [
      {
        question: 'How long does the Moon take to orbit the Earth?',
        answer: 'About 27 days.',
      },
      {
        question: 'Why do we always see the same side of the Moon?',
        answer: 'The Moon turns once on its axis in the time it takes to orbit the Earth.',
      },
      {
        question: 'What does the Moon’s gravity cause on Earth?',
        answer: 'The ocean tides.',
      },
    ],
  },
  outputSchema: knowledgeRecordSchema,
  taskSchema: knowledgeTaskSchema,
  async call(batch, ctx) {
    const requests: LmRow[] = [];
    const styles = new Map<string, 'FRQ' | 'MCQ'>();
    const criteria = new Map<string, readonly string[]>();
    for (const [taskName, items] of byTask(batch)) {
      const { task, chunks: loading } = stateOf(ctx, taskName);
      const chunks = await loading;
      const style = task.question_style ?? 'FRQ';
      styles.set(taskName, style);
      criteria.set(taskName, task.criteria ?? CRITERIA);
      const template = await prompt(style === 'MCQ' ? 'mcq.txt' : 'frq.txt');
      const perPrompt = task.num_questions_per_prompt ?? 3;
      const requestCount = Math.ceil(items.length / perPrompt);
      for (let r = 0; r < requestCount; r++) {
        // Attempt numbers are stable across resume: the chunks are visited in turn.
        const chunk = chunks[((ctx.attempt - 1) * requestCount + r) % chunks.length]!;
        const examples = ctx.sampleExamples(taskName, task.num_icl_examples_per_prompt ?? 3, {
          seedFraction: 1,
        });
        requests.push({
          task_name: taskName,
          input: [
            {
              role: 'user',
              content: template.render({
                domain: task.domain ?? taskName,
                document: chunk.text,
                examples,
                count: Math.min(perPrompt, items.length - r * perPrompt),
              }),
            },
          ],
          chunk,
        });
      }
    }
    const replies = [] as (LmRow & { chunk: DocumentChunk })[];
    for (const style of ['FRQ', 'MCQ'] as const) {
      const own = requests.filter((request) => styles.get(String(request.task_name)) === style);
      if (own.length === 0) continue;
      replies.push(
        ...((await ctx.blocks.generator!(own, {
          method: 'chat_completion',
          responseSchema:
            style === 'MCQ'
              ? { name: 'knowledge_mcq', schema: mcqReplySchema }
              : { name: 'knowledge_qa', schema: frqReplySchema },
        })) as (LmRow & { chunk: DocumentChunk })[]),
      );
    }
    const records: DataPoint[] = [];
    for (const reply of replies) {
      const taskName = String(reply.task_name);
      const task = stateOf(ctx, taskName).task;
      for (const item of parseKnowledgeReply(reply, styles.get(taskName) ?? 'FRQ')) {
        records.push({
          task_name: taskName,
          is_seed: false,
          domain: task.domain ?? taskName,
          ...item,
          context: reply.chunk.text,
          document: reply.chunk.document,
        });
      }
    }
    const checked = await runValidators(ctx, records, ['validator']);
    return judge(ctx, checked, (taskName) => criteria.get(taskName) ?? CRITERIA);
  },
});
