/** The tagging tasks of `magpie_tag` (DiGiT's names). */
export const TAG_TASKS = ['quality', 'difficulty', 'classification', 'sample_quality'] as const;
export type TagTask = (typeof TAG_TASKS)[number];

export const QUALITY_LEVELS = ['very poor', 'poor', 'average', 'good', 'excellent'] as const;
export const DIFFICULTY_LEVELS = ['very easy', 'easy', 'medium', 'hard', 'very hard'] as const;
export const SAMPLE_SCORES = ['1', '2', '3', '4', '5'] as const;
export const TASK_CATEGORIES = [
  'Information seeking',
  'Reasoning',
  'Planning',
  'Editing',
  'Coding & Debugging',
  'Math',
  'Role playing',
  'Data analysis',
  'Creative writing',
  'Advice seeking',
  'Brainstorming',
  'Others',
] as const;

/** What one tagging request shows the model. */
export type TagSubject = {
  /** The user's request (single turn), or the conversation's user turns. */
  query: string;
  /** The response (single turn), or the whole conversation. */
  response?: string;
  /** True for a conversation. */
  multiTurn: boolean;
};

const schema = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

/** Per tagging task: its prompt and the JSON Schema of its reply. */
export const TAG_REQUESTS: Record<
  TagTask,
  { prompt(subject: TagSubject): string; schema: Record<string, unknown> }
> = {
  quality: {
    prompt: ({ query, multiTurn }) =>
      `Rate how well the user's ${multiTurn ? 'messages in this conversation state' : 'request states'} what they want: clear, specific, coherent, with the context needed to answer.

${multiTurn ? 'User messages' : 'User request'}:
${query}

Levels: very poor (unclear or incoherent), poor (vague, key information missing), average (understandable, needs some guessing), good (clear, a detail or two missing), excellent (clear, specific and complete).
Reply with a JSON object {"explanation": "<one or two sentences>", "input_quality": "<level>"}.`,
    schema: schema({
      explanation: { type: 'string' },
      input_quality: { type: 'string', enum: [...QUALITY_LEVELS] },
    }),
  },
  difficulty: {
    prompt: ({ query }) =>
      `Judge how hard the user's request is to answer well.

User request:
${query}

Say what the user wants, what knowledge answering needs, and how difficult it is: very easy, easy, medium, hard or very hard.
Reply with a JSON object {"intent": "<what the user wants>", "knowledge": "<what is needed to answer>", "difficulty": "<level>"}.`,
    schema: schema({
      intent: { type: 'string' },
      knowledge: { type: 'string' },
      difficulty: { type: 'string', enum: [...DIFFICULTY_LEVELS] },
    }),
  },
  classification: {
    prompt: ({ query }) =>
      `Classify the user's request into one main category and any others that also apply.

User request:
${query}

Categories: ${TASK_CATEGORIES.join(', ')}.
Reply with a JSON object {"primary_tag": "<category>", "other_tags": ["<category>", ...]}.`,
    schema: schema({
      primary_tag: { type: 'string', enum: [...TASK_CATEGORIES] },
      other_tags: { type: 'array', items: { type: 'string', enum: [...TASK_CATEGORIES] } },
    }),
  },
  sample_quality: {
    prompt: ({ query, response, multiTurn }) =>
      multiTurn
        ? `Rate the assistant's replies in this conversation: correct, helpful, relevant, clear.

Conversation:
${response}

Scores: 1 (wrong or harmful) to 5 (excellent throughout).
Reply with a JSON object {"explanation": "<one or two sentences>", "score": "<1-5>"}.`
        : `Rate the response to the user's request: correct, helpful, relevant, clear.

User request:
${query}

Response:
${response}

Scores: 1 (wrong, off-topic or harmful), 2 (mostly unhelpful), 3 (acceptable with flaws), 4 (good), 5 (excellent).
Reply with a JSON object {"explanation": "<one or two sentences>", "score": "<1-5>"}.`,
    schema: schema({
      explanation: { type: 'string' },
      score: { type: 'string', enum: [...SAMPLE_SCORES] },
    }),
  },
};
