// Google's generateContent wire format: the engine's request in, its reply out.
import {
  estimateTokens,
  MalformedReply,
  type ProviderChoice,
  ProviderHttpError,
  type ProviderRequest,
  type ProviderResponse,
  type TokenLogprob,
  type ToolCall,
} from '@dgt/blocks-lm';

type Part = { text: string };
type Content = { role: 'user' | 'model'; parts: Part[] };

// Decoding parameters with a Gemini name; anything else is passed on in generationConfig as
// written (the API reads snake_case and camelCase field names alike).
const GENERATION_NAMES: Record<string, string> = {
  temperature: 'temperature',
  top_p: 'topP',
  top_k: 'topK',
  max_tokens: 'maxOutputTokens',
  stop: 'stopSequences',
  n: 'candidateCount',
  seed: 'seed',
  presence_penalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty',
};
// Parameters of other servers that Gemini would refuse as unknown fields.
const NOT_GEMINI = new Set(['num_ctx']);

/** The chat as Gemini takes it: system messages apart, `assistant` as `model`, tool results as user text. */
function contentsOf(request: ProviderRequest): { contents: Content[]; system?: string } {
  if (request.method === 'completion') {
    return { contents: [{ role: 'user', parts: [{ text: request.prompt }] }] };
  }
  const system: string[] = [];
  const contents: Content[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') {
      system.push(message.content);
      continue;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const last = contents.at(-1);
    // Gemini wants turns to alternate: consecutive messages of one side become one turn.
    if (last?.role === role) last.parts.push({ text: message.content });
    else contents.push({ role, parts: [{ text: message.content }] });
  }
  return { contents, ...(system.length ? { system: system.join('\n\n') } : {}) };
}

function toolConfigOf(request: ProviderRequest): Record<string, unknown> | undefined {
  const choice = request.toolChoice;
  if (!request.tools || !choice) return undefined;
  const config =
    typeof choice === 'object'
      ? { mode: 'ANY', allowedFunctionNames: [choice.name] }
      : { mode: choice === 'required' ? 'ANY' : choice.toUpperCase() };
  return { functionCallingConfig: config };
}

/** The JSON body of `POST /v1beta/models/{model}:generateContent` for one engine request. */
export function generateContentBody(request: ProviderRequest): Record<string, unknown> {
  const { contents, system } = contentsOf(request);
  const generationConfig: Record<string, unknown> = {};
  const { logprobs, top_logprobs, ...params } = request.params;
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || NOT_GEMINI.has(key)) continue;
    generationConfig[GENERATION_NAMES[key] ?? key] = value;
  }
  // OpenAI's `logprobs: true` + `top_logprobs: k` is Gemini's `responseLogprobs` + `logprobs: k`.
  if (logprobs || top_logprobs !== undefined) {
    generationConfig.responseLogprobs = true;
    if (typeof top_logprobs === 'number') generationConfig.logprobs = top_logprobs;
  }
  if (request.responseSchema) {
    generationConfig.responseMimeType = 'application/json';
    generationConfig.responseJsonSchema = request.responseSchema.schema;
  }
  const toolConfig = toolConfigOf(request);
  return {
    contents,
    ...(system ? { systemInstruction: { parts: [{ text: system }] } } : {}),
    ...(Object.keys(generationConfig).length ? { generationConfig } : {}),
    ...(request.tools
      ? {
          tools: [
            {
              functionDeclarations: request.tools.map((tool) => ({
                name: tool.name,
                ...(tool.description ? { description: tool.description } : {}),
                parametersJsonSchema: tool.parameters,
              })),
            },
          ],
        }
      : {}),
    ...(toolConfig ? { toolConfig } : {}),
  };
}

type ReplyPart = {
  text?: string;
  thought?: boolean;
  functionCall?: { id?: string; name?: string; args?: unknown };
};
type LogprobCandidate = { token?: string; logProbability?: number };
type Candidate = {
  index?: number;
  content?: { parts?: ReplyPart[] };
  finishReason?: string;
  logprobsResult?: {
    chosenCandidates?: LogprobCandidate[];
    topCandidates?: Array<{ candidates?: LogprobCandidate[] }>;
  };
};

/** The engine's token log-probabilities from a candidate's `logprobsResult`. */
function logprobsOf(candidate: Candidate): TokenLogprob[] | undefined {
  const chosen = candidate.logprobsResult?.chosenCandidates;
  if (!chosen) return undefined;
  const top = candidate.logprobsResult?.topCandidates ?? [];
  return chosen.map((token, i) => ({
    token: token.token ?? '',
    logprob: token.logProbability ?? 0,
    top_logprobs: (top[i]?.candidates ?? []).map((alt) => ({
      token: alt.token ?? '',
      logprob: alt.logProbability ?? 0,
    })),
  }));
}
type GenerateContentReply = {
  candidates?: Candidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: {
    promptTokenCount?: number;
    candidatesTokenCount?: number;
    thoughtsTokenCount?: number;
  };
};

function choiceOf(candidate: Candidate): ProviderChoice {
  const parts = candidate.content?.parts ?? [];
  // Thought summaries are not the answer.
  const text = parts
    .filter((p) => typeof p.text === 'string' && !p.thought)
    .map((p) => p.text)
    .join('');
  const toolCalls: ToolCall[] = parts
    .filter((p) => p.functionCall)
    .map((p, i) => ({
      id: p.functionCall?.id ?? `call_${i}`,
      name: p.functionCall?.name ?? '',
      arguments: p.functionCall?.args ?? {},
    }));
  const logprobs = logprobsOf(candidate);
  return { text, ...(toolCalls.length ? { toolCalls } : {}), ...(logprobs ? { logprobs } : {}) };
}

/**
 * Reads a generateContent reply: one choice per candidate (in `index` order) and the usage, with
 * thinking tokens counted as output (they are billed as such). A prompt the API blocked is a
 * final failure; a body that is not a reply is a transient one.
 */
export function readGenerateContentReply(reply: unknown): ProviderResponse {
  const body = reply as GenerateContentReply | null;
  if (typeof body !== 'object' || body === null) {
    throw new MalformedReply(`Gemini sent a malformed reply: ${String(reply).slice(0, 80)}`);
  }
  const candidates = body.candidates;
  if (!Array.isArray(candidates) || candidates.length === 0) {
    const blocked = body.promptFeedback?.blockReason;
    if (blocked) {
      throw new ProviderHttpError({
        status: 200,
        retryable: false,
        message: `Gemini blocked the prompt (${blocked})`,
      });
    }
    throw new MalformedReply(
      `Gemini sent a reply without candidates: ${JSON.stringify(body).slice(0, 80)}`,
    );
  }
  const usage = body.usageMetadata ?? {};
  return {
    choices: [...candidates].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map(choiceOf),
    usage: {
      prompt_tokens: usage.promptTokenCount ?? 0,
      completion_tokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
    },
  };
}

/**
 * How long a Google error asks to wait: the `retryDelay` of its `RetryInfo` detail
 * (`"2s"`, `"0.5s"`), in milliseconds.
 */
export function retryDelayOf(body: unknown): number | undefined {
  const details = (body as { error?: { details?: unknown } })?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details as Array<Record<string, unknown>>) {
    if (!String(detail?.['@type'] ?? '').endsWith('google.rpc.RetryInfo')) continue;
    const seconds = Number.parseFloat(String(detail.retryDelay ?? ''));
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  }
  return undefined;
}

/** The message of a Google error document. */
export function errorMessageOf(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown; status?: unknown } })?.error;
  if (typeof error?.message !== 'string') return undefined;
  return typeof error.status === 'string' ? `${error.status}: ${error.message}` : error.message;
}

/** Reads a `batchEmbedContents` reply: one vector per text, tokens estimated from the texts. */
export function readEmbeddings(
  reply: unknown,
  texts: string[],
): { vectors: number[][]; tokens: number } {
  const embeddings = (reply as { embeddings?: Array<{ values?: unknown }> } | null)?.embeddings;
  if (!Array.isArray(embeddings) || !embeddings.every((e) => Array.isArray(e?.values))) {
    throw new MalformedReply(
      `Gemini sent a malformed embeddings reply: ${JSON.stringify(reply).slice(0, 80)}`,
    );
  }
  return {
    vectors: embeddings.map((e) => e.values as number[]),
    tokens: texts.reduce((sum, text) => sum + estimateTokens(text), 0),
  };
}
