import { HttpError, type LmEndpoint, type ParsedLmRequest, sendJson } from './server.js';

/** The texts of an embeddings request's input: a string or a list of strings. */
function texts(input: unknown, key: string): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((t) => typeof t === 'string'))
    return input as string[];
  throw new HttpError(400, `${key} must be a non-empty string or list of strings`);
}

function embeddingRequest(prompts: string[]): ParsedLmRequest {
  return { prompts, n: 1, stop: [], json: false };
}

function model(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `${key} is required`);
  return value;
}

// Little-endian float32, as OpenAI's `encoding_format: base64` (the openai SDK's default).
function base64Floats(vector: number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  for (const [i, v] of vector.entries()) buffer.writeFloatLE(v, i * 4);
  return buffer.toString('base64');
}

/** OpenAI's `POST /v1/embeddings`. */
export const openaiEmbeddings: LmEndpoint = {
  embeddings: true,
  parse(body) {
    model(body, 'model');
    const format = body.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64')
      throw new HttpError(400, `encoding_format must be float or base64, got ${String(format)}`);
    return embeddingRequest(texts(body.input, 'input'));
  },
  send(res, reply) {
    const base64 = reply.body.encoding_format === 'base64';
    sendJson(res, 200, {
      object: 'list',
      model: reply.body.model,
      data: (reply.vectors ?? []).map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: base64 ? base64Floats(vector) : vector,
      })),
      usage: { prompt_tokens: reply.promptTokens, total_tokens: reply.promptTokens },
    });
  },
};

/** Ollama's `POST /api/embed`. */
export const ollamaEmbed: LmEndpoint = {
  embeddings: true,
  parse(body) {
    model(body, 'model');
    return embeddingRequest(texts(body.input, 'input'));
  },
  send(res, reply) {
    sendJson(res, 200, {
      model: reply.body.model,
      embeddings: reply.vectors ?? [],
      total_duration: 1_000_000,
      load_duration: 0,
      prompt_eval_count: reply.promptTokens,
    });
  },
};

/** watsonx.ai's `POST /ml/v1/text/embeddings`. */
export const watsonxEmbeddings: LmEndpoint = {
  embeddings: true,
  parse(body) {
    model(body, 'model_id');
    if (typeof body.project_id !== 'string' && typeof body.space_id !== 'string')
      throw new HttpError(400, 'project_id or space_id is required');
    return embeddingRequest(texts(body.inputs, 'inputs'));
  },
  send(res, reply) {
    sendJson(res, 200, {
      model_id: reply.body.model_id,
      results: (reply.vectors ?? []).map((embedding) => ({ embedding })),
      created_at: new Date().toISOString(),
      input_token_count: reply.promptTokens,
    });
  },
};
