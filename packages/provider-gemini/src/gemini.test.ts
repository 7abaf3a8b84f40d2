import { isDgtError } from '@dgt/core';
import { type FakeLmServer, startFakeGemini } from '@dgt/testing';
import { afterEach, describe, expect, it } from 'vitest';
import geminiBlock from './gemini.js';
import { readGenerateContentReply } from './wire.js';

let server: FakeLmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function block(config: Record<string, unknown>, env: Record<string, string> = {}) {
  const parsed = geminiBlock.configSchema.parse({ name: 'generator', type: 'gemini', ...config });
  return geminiBlock.create(parsed as typeof parsed & { name: string; type: string }, {
    outputDir: '/tmp',
    env: { ...env },
  });
}

describe('gemini block', () => {
  it('sends the chat the generateContent way: system instruction, model turns, generationConfig', async () => {
    server = await startFakeGemini({ reply: () => 'fine' });
    const gemini = await block(
      {
        model_id_or_path: 'models/gemini-2.5-flash',
        base_url: server.baseURL,
        cache: 'off',
        temperature: 0.2,
        max_new_tokens: 64,
        top_p: 0.9,
        stop_sequences: ['END'],
        random_seed: 11,
      },
      { GEMINI_API_KEY: 'k-123' },
    );
    const events: unknown[] = [];
    const rows: Record<string, unknown>[] = [
      {
        input: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'Capital of Peru?' },
        ],
      },
    ];
    await gemini.call(rows, {}, { emit: (e) => events.push(e) });
    await gemini.close?.();
    expect(rows[0]?.result).toBe('fine');
    const request = server.requests[0];
    expect(request?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(request?.body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello!' }] },
        { role: 'user', parts: [{ text: 'Capital of Peru?' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: {
        temperature: 0.2,
        maxOutputTokens: 64,
        topP: 0.9,
        stopSequences: ['END'],
        seed: 11,
      },
    });
    // Priced from the model id: Gemini 2.5 Flash is in the price table.
    expect(events[0]).toMatchObject({ provider: 'gemini', ok: true, costUsd: expect.any(Number) });
  });

  it('maps a response schema and tools, forcing one function by name', async () => {
    server = await startFakeGemini();
    const gemini = await block(
      { model_id_or_path: 'gemini-2.5-pro', base_url: server.baseURL, cache: 'off' },
      { GOOGLE_API_KEY: 'k' },
    );
    const tool = { name: 'lookup', description: 'Find a fact', parameters: { type: 'object' } };
    const rows: Record<string, unknown>[] = [
      { input: 'a', gen_kwargs: { tools: [tool], tool_choice: { name: 'lookup' } } },
      { input: 'b' },
    ];
    await gemini.call([rows[0] as Record<string, unknown>], {}, { emit: () => undefined });
    const schema = { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] };
    await gemini.call(
      [rows[1] as Record<string, unknown>],
      { responseSchema: { name: 's', schema } },
      {
        emit: () => undefined,
      },
    );
    await gemini.close?.();
    expect(server.requests[0]?.body).toMatchObject({
      tools: [
        {
          functionDeclarations: [
            {
              name: 'lookup',
              description: 'Find a fact',
              parametersJsonSchema: { type: 'object' },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookup'] } },
    });
    expect(rows[0]?.tool_calls).toEqual([{ id: 'call_0', name: 'lookup', arguments: {} }]);
    expect(server.requests[1]?.body.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
    });
    expect(rows[1]?.parsed).toEqual({ x: expect.any(String) });
  });

  it('asks for log-probabilities the Gemini way and reads them', async () => {
    server = await startFakeGemini({ reply: () => 'two words' });
    const gemini = await block(
      { model_id_or_path: 'gemini-2.5-flash', base_url: server.baseURL, cache: 'off' },
      { GEMINI_API_KEY: 'k' },
    );
    const rows: Record<string, unknown>[] = [
      { input: 'x', gen_kwargs: { logprobs: true, top_logprobs: 2 } },
    ];
    await gemini.call(rows, {}, { emit: () => undefined });
    await gemini.close?.();
    expect(server.requests[0]?.body.generationConfig).toEqual({
      responseLogprobs: true,
      logprobs: 2,
    });
    expect(rows[0]?.logprobs).toEqual([
      expect.objectContaining({ token: 'two ', logprob: expect.any(Number) }),
      expect.objectContaining({
        token: 'words',
        top_logprobs: [expect.anything(), expect.anything()],
      }),
    ]);
  });

  it('embeds texts through batchEmbedContents, retrying a 429 after its RetryInfo wait', async () => {
    server = await startFakeGemini({
      embed: (text) => [text.length, 1],
      faults: [{ status: 429, retryAfterSeconds: 0.2 }],
    });
    const gemini = (await block(
      { model_id_or_path: 'gemini-embedding-001', base_url: server.baseURL },
      { GEMINI_API_KEY: 'k' },
    )) as Awaited<ReturnType<typeof block>> & {
      embed(texts: string[], ctx?: { emit?(e: unknown): void }): Promise<number[][]>;
    };
    const events: Array<{ ok: boolean; retries: number }> = [];
    const vectors = await gemini.embed(['a', 'bbb'], { emit: (e) => events.push(e as never) });
    await gemini.close?.();
    expect(vectors).toEqual([
      [1, 1],
      [3, 1],
    ]);
    expect(server.requests[1]?.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(server.requests[1]?.body).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'bbb' }] } },
      ],
    });
    expect(events).toEqual([expect.objectContaining({ ok: true, retries: 1 })]);
  });

  it('refuses a base_url carrying credentials without printing them', async () => {
    const error = await block(
      { model_id_or_path: 'm', base_url: 'https://user:s3cret@example.com' },
      { GEMINI_API_KEY: 'k' },
    ).catch((e: unknown) => e);
    expect(isDgtError(error) && error.code).toBe('INVALID_BLOCK_CONFIG');
    expect((error as Error).message).toContain('carries credentials');
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('names GEMINI_API_KEY when there is no key', async () => {
    const error = await block({ model_id_or_path: 'gemini-2.5-flash' }).catch((e: unknown) => e);
    expect(isDgtError(error) && error.code).toBe('MISSING_CREDENTIALS');
    expect((error as Error).message).toMatch(/Block "generator" \(type gemini\).*GEMINI_API_KEY/);
  });

  it('counts thinking tokens as output, skips thought parts, and refuses a blocked prompt', () => {
    const reply = readGenerateContentReply({
      candidates: [
        {
          index: 0,
          content: { parts: [{ text: 'planning…', thought: true }, { text: 'Lima' }] },
        },
      ],
      usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 1, thoughtsTokenCount: 40 },
    });
    expect(reply).toEqual({
      choices: [{ text: 'Lima' }],
      usage: { prompt_tokens: 7, completion_tokens: 41 },
    });
    expect(() => readGenerateContentReply({ promptFeedback: { blockReason: 'SAFETY' } })).toThrow(
      'Gemini blocked the prompt (SAFETY)',
    );
  });
});
