/** One LM request as a fake server received it (also what a custom `reply` is given). */
export type FakeRequest = {
  /** The URL path, e.g. `/v1/chat/completions` or `/api/chat`. */
  path: string;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  /** The prompt text: chat message contents joined by newlines, or the completion prompt. */
  prompt: string;
  /** The JSON Schema the client asked the reply to follow (structured output), if any. */
  schema?: Record<string, unknown>;
  /** True when JSON output was asked for, with or without a schema. */
  json: boolean;
  /** 0-based arrival order of LM requests since the server started (or was reset). */
  index: number;
  /** How many times this exact body (canonical JSON) was received before this request. */
  sameBodyCount: number;
  /** Which of the `n` choices (or of the batched completion prompts) is being generated. */
  choice: number;
  /** The request's `Authorization` header, if it had one. */
  authorization?: string;
};

/** An injected failure: the server answers `status` with `body` instead of a reply. */
export type FakeFault = {
  status: number;
  /** Raw response body; defaults to the protocol's error shape with a generic message. */
  body?: string;
  /** Sent as the `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
  /** With the list form of `faults`: how many consecutive requests get this fault (default 1). */
  times?: number;
};

/** A tool call a scripted reply makes. */
export type FakeToolCall = { name: string; arguments: unknown };

/** A scripted reply: text, tool calls, or both. */
export type FakeReply = { text?: string; toolCalls?: FakeToolCall[] };

/** How one request of a batch ended, as the fake decided it. */
export type FakeBatchResult =
  | { customId: string; status: number; body: unknown }
  | { customId: string; ended: 'expired' | 'cancelled' };

/** A batch a fake server received (OpenAI files + batches, Anthropic message batches). */
export type FakeBatchRecord = {
  id: string;
  api: 'openai' | 'anthropic';
  /** The requests' `custom_id`s, in file order. */
  customIds: string[];
  /** Path and body of each request, in file order. */
  items: Array<{ customId: string; path: string; body: unknown }>;
  /** When it was created (`Date.now()`). */
  createdAt: number;
  /** When it completes unless cancelled or released earlier; `Infinity` waits for {@link FakeLmServer.finishBatches}. */
  readyAt: number;
  /** Set by `finishBatches()`: the batch completes at the next look. */
  releasedAt?: number;
  /** When a client asked to cancel it. */
  cancelledAt?: number;
  /** How it ended, once it has. */
  outcome?: 'completed' | 'expired' | 'cancelled' | 'failed';
  /** Why it failed validation (`outcome: failed`). */
  failure?: string;
  endedAt?: number;
  /** Per-request results once it has ended. */
  results?: FakeBatchResult[];
};

/** Behaviour of a fake server's batch endpoints. */
export type FakeBatchOptions = {
  /** How long a batch takes before it completes, in ms (default 0); `Infinity`: until `finishBatches()`. */
  delayMs?: number | ((batch: FakeBatchRecord) => number);
  /** Fails one request of a batch with this status and message (an errored result). */
  failRequest?: (
    item: FakeBatchRecord['items'][number],
    batch: FakeBatchRecord,
  ) => { status: number; message: string } | undefined;
  /**
   * Expires a batch instead of completing it: the number of its requests (the first ones) that
   * finished before it expired; `undefined` completes it normally.
   */
  expire?: (batch: FakeBatchRecord) => number | undefined;
  /** Most requests per batch (default: the provider's, 50 000 OpenAI, 100 000 Anthropic). */
  maxRequests?: number;
  /** Largest batch input in bytes (default: the provider's, 200 MB OpenAI, 256 MB Anthropic). */
  maxBytes?: number;
};

/** Options shared by the fake servers. */
export type FakeServerOptions = {
  /**
   * Produces the reply: a text, or `{ text, toolCalls }`. Defaults to a deterministic reply
   * derived from the request body. A request that forces a tool (`tool_choice` required or
   * naming a tool) gets a call of it with arguments filling its schema, without asking `reply`.
   */
  reply?: (req: FakeRequest) => string | FakeReply | Promise<string | FakeReply>;
  /**
   * `chat` dresses JSON replies the way chat models write when nothing enforces a format: after
   * a sentence, in a fence, or as labelled text (`**Question:**`, `Q:`/`A:`, `### Question`,
   * numbered), in turn by request index (see `chatStyled`). Default `plain`.
   */
  replyStyle?: 'plain' | 'chat';
  /**
   * The vector an embeddings endpoint (`/v1/embeddings`, `/api/embed`, watsonx
   * `text/embeddings`) gives a text; default: a lexical embedding (shared words → similar).
   */
  embed?: (text: string) => number[];
  /** Delay before each accepted request is answered, fixed or per request. */
  latencyMs?: number | ((req: FakeRequest) => number);
  /**
   * Injected failures. List form: the first `times` requests get the first fault, the next
   * `times` the second, and so on; later requests are served normally. Function form: called
   * for every LM request with its arrival index; a returned fault is served instead of a reply.
   */
  faults?: FakeFault[] | ((req: FakeRequest, index: number) => FakeFault | undefined);
  /** A sliding-window limiter: requests beyond the rate get 429 with a `Retry-After` header. */
  rateLimit?: { requestsPerSecond: number; retryAfterSeconds?: number };
  /** Port to listen on (127.0.0.1); default: a free port chosen by the OS. */
  port?: number;
  /** Model ids listed by `GET /v1/models` or `GET /api/tags` (default `['fake-model']`). */
  models?: string[];
  /** Batch endpoints (OpenAI and Anthropic fakes): delay, partial failure, expiry, limits. */
  batch?: FakeBatchOptions;
};

/** Counters of a fake server's LM requests (model listings and version checks are not counted). */
export type FakeServerStats = {
  /** LM requests received. */
  requests: number;
  /** LM requests answered with a reply. */
  completed: number;
  /** LM requests answered with an injected fault or a 429 from the rate limiter. */
  rejected: number;
  /** LM requests being worked on right now. */
  inFlight: number;
  /** The most LM requests that were in flight at once. */
  maxInFlight: number;
  /**
   * When the first LM request arrived and the last reply was sent, in milliseconds on the
   * server's monotonic clock (`performance.now()`): their difference is how long the server was
   * being used, which benchmarks divide request counts by.
   */
  firstRequestMs?: number;
  lastReplyMs?: number;
};

/** A running fake LM server. */
export type FakeLmServer = {
  /** Root URL, e.g. `http://127.0.0.1:53211`. */
  readonly url: string;
  /** What to give the SDK client: `url + '/v1'` for OpenAI, `url` for Ollama. */
  readonly baseURL: string;
  readonly stats: FakeServerStats;
  /** Every LM request received, in arrival order (online requests; batched ones are in `batches`). */
  readonly requests: FakeRequest[];
  /** Every batch created, in creation order. */
  readonly batches: FakeBatchRecord[];
  /** Lets every batch created so far complete at its next status check, whatever its delay. */
  finishBatches(): void;
  /** Clears the counters, the log, the fault and rate-limit state and the body counts. */
  reset(): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
};
