import { GoogleGenAI, Type } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGemini } from './gemini.js';
import type { FakeLmServer } from './types.js';

let server: FakeLmServer | undefined;
afterEach(() => server?.close());

/** The official client, pointed at the fake, with its own retries off. */
function client(url: string, apiKey = 'test-key') {
  return new GoogleGenAI({
    apiKey,
    httpOptions: { baseUrl: url, retryOptions: { attempts: 1 } },
  });
}

describe('startFakeGemini', () => {
  it('answers the official client: system instruction, generation config, candidates and usage', async () => {
    server = await startFakeGemini({ reply: (req) => `reply ${req.choice} to ${req.prompt}` });
    const ai = client(server.baseURL);
    const res = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }],
      config: {
        systemInstruction: 'Be brief.',
        temperature: 0.3,
        topP: 0.9,
        maxOutputTokens: 4,
        stopSequences: ['END'],
        candidateCount: 2,
        seed: 7,
      },
    });
    expect(res.candidates?.map((c) => c.content?.parts?.[0]?.text)).toEqual([
      'reply 0 to Be',
      'reply 1 to Be',
    ]);
    expect(res.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    expect(res.usageMetadata).toMatchObject({ promptTokenCount: 4, candidatesTokenCount: 8 });
    expect(res.modelVersion).toBe('gemini-2.5-flash');
    const body = server.requests[0]?.body as Record<string, unknown>;
    expect(server.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(body.systemInstruction).toMatchObject({ parts: [{ text: 'Be brief.' }] });
    expect(body.generationConfig).toEqual({
      temperature: 0.3,
      topP: 0.9,
      maxOutputTokens: 4,
      stopSequences: ['END'],
      candidateCount: 2,
      seed: 7,
    });
  });

  it('fills a responseJsonSchema and forces a declared function with mode ANY', async () => {
    server = await startFakeGemini();
    const ai = client(server.baseURL);
    const structured = await ai.models.generateContent({
      model: 'm',
      contents: 'Give a city',
      config: {
        responseMimeType: 'application/json',
        responseJsonSchema: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        },
      },
    });
    expect(JSON.parse(structured.text ?? '')).toEqual({ city: expect.any(String) });
    const called = await ai.models.generateContent({
      model: 'm',
      contents: 'Weather in Oslo?',
      config: {
        tools: [
          {
            functionDeclarations: [
              {
                name: 'get_weather',
                parameters: {
                  type: Type.OBJECT,
                  properties: { city: { type: Type.STRING } },
                  required: ['city'],
                },
              },
            ],
          },
        ],
        toolConfig: { functionCallingConfig: { mode: 'ANY' as never } },
      },
    });
    expect(called.functionCalls).toEqual([
      { name: 'get_weather', args: { city: expect.any(String) } },
    ]);
  });

  it('tells the wait of a 429 in a RetryInfo detail, and refuses callers without a key', async () => {
    server = await startFakeGemini({ faults: [{ status: 429, retryAfterSeconds: 2 }] });
    const throttled = await fetch(`${server.url}/v1beta/models/m:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }),
    });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBeNull();
    expect(await throttled.json()).toEqual({
      error: {
        code: 429,
        message: 'injected fault (HTTP 429)',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2s' }],
      },
    });
    const anonymous = await fetch(`${server.url}/v1beta/models/m:generateContent`, {
      method: 'POST',
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    const empty = await fetch(`${server.url}/v1beta/models/m:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({ contents: [] }),
    });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({
      error: { status: 'INVALID_ARGUMENT', message: 'contents is not specified' },
    });
  });
});
