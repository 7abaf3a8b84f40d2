import { afterEach, describe, expect, it } from 'vitest';
import type { FakeLmServer } from './types.js';
import { FAKE_WATSONX_API_KEY, startFakeWatsonx } from './watsonx.js';

let server: FakeLmServer | undefined;
afterEach(() => server?.close());

async function token(url: string, apikey: string) {
  return fetch(`${url}/identity/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey }),
  });
}

describe('startFakeWatsonx', () => {
  it('issues IAM tokens for the fake key only', async () => {
    server = await startFakeWatsonx();
    const ok = await token(server.url, FAKE_WATSONX_API_KEY);
    expect(await ok.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect((await token(server.url, 'nope')).status).toBe(400);
  });

  it('answers chat and generation with a valid token, 401 without', async () => {
    server = await startFakeWatsonx({ reply: () => 'hi there' });
    const { access_token } = (await (await token(server.url, FAKE_WATSONX_API_KEY)).json()) as {
      access_token: string;
    };
    const post = (path: string, body: unknown, auth = `Bearer ${access_token}`) =>
      fetch(`${server?.url}${path}?version=2024-05-31`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify(body),
      });
    const chat = await post('/ml/v1/text/chat', {
      model_id: 'm',
      project_id: 'p',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(await chat.json()).toMatchObject({
      choices: [{ message: { role: 'assistant', content: 'hi there' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2 },
    });
    const gen = await post('/ml/v1/text/generation', {
      model_id: 'm',
      project_id: 'p',
      input: 'Once',
      parameters: { max_new_tokens: 1 },
    });
    expect(await gen.json()).toMatchObject({
      results: [
        {
          generated_text: 'hi',
          generated_token_count: 1,
          input_token_count: 1,
          stop_reason: 'max_tokens',
        },
      ],
    });
    const denied = await post('/ml/v1/text/chat', {}, 'Bearer forged');
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({
      status_code: 401,
      errors: [{ code: 'authentication_token_not_valid' }],
    });
    const noProject = await post('/ml/v1/text/chat', { model_id: 'm', messages: [] });
    expect(noProject.status).toBe(400);
  });
});
