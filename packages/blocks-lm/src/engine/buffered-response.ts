const EMPTY = Buffer.alloc(0);

/**
 * A `Response` whose body was read in full (see lean-fetch.ts). `json()`, `text()`,
 * `arrayBuffer()` and `bytes()` read the Buffer directly: undici's `Response` builds a web
 * stream for its body even from bytes, ~17 µs per LM reply. Anything else — `body`, `blob()`,
 * `formData()` — is answered by a real `Response` made from the same bytes on first use, so every
 * part of the interface behaves as `fetch`'s does; `bodyUsed` and the one-read rule hold across
 * both ways of reading.
 */
export class BufferedResponse {
  readonly type = 'basic';
  readonly redirected = false;
  private used = false;
  private real: Response | undefined;

  constructor(
    private readonly data: Buffer | null,
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    readonly url: string,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get bodyUsed(): boolean {
    return this.used || (this.real?.bodyUsed ?? false);
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.data ? this.asResponse().body : null;
  }

  async text(): Promise<string> {
    if (this.real) return this.real.text();
    const bytes = this.take();
    // UTF-8 decoding as fetch does it: a byte-order mark is dropped, bad bytes become U+FFFD.
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return bytes.toString('utf8', bom ? 3 : 0);
  }

  async json(): Promise<unknown> {
    if (this.real) return this.real.json();
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.real) return this.real.arrayBuffer();
    const bytes = this.take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  blob(): Promise<Blob> {
    return this.asResponse().blob();
  }

  formData(): Promise<FormData> {
    return this.asResponse().formData();
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    if (this.real) return this.real.clone();
    return new BufferedResponse(
      this.data,
      this.status,
      this.statusText,
      new Headers(this.headers),
      this.url,
    ) as unknown as Response;
  }

  private take(): Buffer {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    return this.data ?? EMPTY;
  }

  private asResponse(): Response {
    if (!this.real) {
      const { status, statusText, headers } = this;
      this.real = new Response(this.data, { status, statusText, headers });
      // A body already read stays unreadable, as fetch leaves it.
      if (this.used) this.real.body?.getReader();
      Object.defineProperty(this.real, 'url', { value: this.url });
    }
    return this.real;
  }
}
