/** What is known of one task for an estimate, before any request. */
export type EstimateInput = {
  kind: 'generation' | 'transformation';
  /** Records still to make (generation), or input records (transformation; undefined if unknown). */
  records: number | undefined;
  /** LM blocks of the builder. */
  lmBlocks: number;
  /** Characters of the task description and of each seed (or input record) as JSON. */
  descriptionChars: number;
  exampleChars: number[];
  /** Examples shown per prompt (`num_prompt_instructions`, else up to 3). */
  examplesPerPrompt: number;
  /** New records asked per request (`num_questions_per_prompt`, else 1). */
  recordsPerRequest: number;
  /** The blocks' `max_tokens`, when set (caps the reply size). */
  maxTokens: number | undefined;
  /** A previous run of the task (its task_results.jsonl), when there is one. */
  observed?: {
    accepted: number;
    lmRequests: number;
    cacheHits: number;
    promptTokens: number;
    completionTokens: number;
  };
};

/** Expected LM work of one task. */
export type EstimateFigures = {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Where the per-request sizes come from. */
  basis: 'observed' | 'seeds';
};

// Characters of instructions a builder's prompt template adds around the examples.
const TEMPLATE_CHARS = 600;
// Characters per token, the usual rule of thumb for English text.
const CHARS_PER_TOKEN = 4;

const average = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * Expected requests and tokens of a task. With a previous run of the task on disk, its
 * requests per accepted record and tokens per request are used (they include rejects and
 * retries); otherwise the prompt is the description, a few examples and the template's words,
 * and a reply is about as long as an example per record asked — capped at `max_tokens`.
 */
export function estimateTask(input: EstimateInput): EstimateFigures | undefined {
  if (input.records === undefined) return undefined;
  const observed = input.observed;
  if (observed && observed.lmRequests > 0 && observed.accepted > 0) {
    const perRecord = observed.lmRequests / observed.accepted;
    const requests = Math.ceil(input.records * perRecord);
    return {
      requests,
      promptTokens: Math.round((observed.promptTokens / observed.lmRequests) * requests),
      completionTokens: Math.round((observed.completionTokens / observed.lmRequests) * requests),
      basis: 'observed',
    };
  }
  const example = average(input.exampleChars);
  const perLmBlock =
    input.kind === 'generation'
      ? Math.ceil(input.records / Math.max(1, input.recordsPerRequest))
      : input.records;
  const requests = perLmBlock * Math.max(1, input.lmBlocks);
  const promptChars =
    input.kind === 'generation'
      ? input.descriptionChars + example * input.examplesPerPrompt + TEMPLATE_CHARS
      : example + TEMPLATE_CHARS;
  const replyChars =
    input.kind === 'generation' ? example * Math.max(1, input.recordsPerRequest) : example;
  let reply = Math.ceil(replyChars / CHARS_PER_TOKEN);
  if (input.maxTokens !== undefined) reply = Math.min(reply, input.maxTokens);
  return {
    requests,
    promptTokens: Math.ceil(promptChars / CHARS_PER_TOKEN) * requests,
    completionTokens: reply * requests,
    basis: 'seeds',
  };
}
