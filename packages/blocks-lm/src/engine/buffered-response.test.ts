import { describe, expect, it } from 'vitest';
import { BufferedResponse } from './buffered-response.js';

const make = (text: string | Buffer | null, status = 200, type = 'application/json') =>
  new BufferedResponse(
    text === null ? null : Buffer.from(text),
    status,
    'Fine',
    new Headers({ 'content-type': type }),
    'http://127.0.0.1/x',
  ) as unknown as Response;

describe('BufferedResponse', () => {
  it('reads its body once, as JSON, text, bytes or an ArrayBuffer, as fetch does', async () => {
    const r = make('{"a":"é"}');
    expect([r.status, r.statusText, r.ok, r.url, r.bodyUsed]).toEqual([
      200,
      'Fine',
      true,
      'http://127.0.0.1/x',
      false,
    ]);
    expect(await r.json()).toEqual({ a: 'é' });
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
    // The byte-order mark is dropped and bad bytes become U+FFFD, as in fetch's UTF-8 decoding.
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('hi'),
      Buffer.from([0xff]),
    ]);
    expect(await make(bom).text()).toBe(await new Response(bom).text());
    expect(new TextDecoder().decode(await make('abc').arrayBuffer())).toBe('abc');
    expect([...(await (make('ab') as unknown as BufferedResponse).bytes())]).toEqual([97, 98]);
    expect(await make(null).text()).toBe('');
    expect(make(null).body).toBeNull();
    expect(make('', 300).ok).toBe(false);
  });

  it('serves body, blob, formData and clone through a real Response of the same bytes', async () => {
    const r = make('line one\nline two', 200, 'text/plain');
    const copy = r.clone();
    let streamed = '';
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      streamed += new TextDecoder().decode(chunk);
    }
    expect(streamed).toBe('line one\nline two');
    expect(r.bodyUsed).toBe(true);
    await expect(r.json()).rejects.toThrow(TypeError);
    expect(() => r.clone()).toThrow(TypeError);
    expect(await copy.text()).toBe('line one\nline two');
    const blob = await make('xyz', 200, 'text/plain').blob();
    expect([blob.type, await blob.text()]).toEqual(['text/plain', 'xyz']);
    const form = await make('a=1&b=two', 200, 'application/x-www-form-urlencoded').formData();
    expect(form.get('b')).toBe('two');
    // A body read through the fast path cannot be read again through the stream either.
    const read = make('once');
    await read.text();
    await expect(read.blob()).rejects.toThrow(TypeError);
  });
});
