/**
 * The class of an LM error message, with what to do about it, for summaries: "HTTP 401: check
 * the API key" says more in a table cell than the stall it caused. `undefined` when the message
 * fits no known class. Core knows no provider: it reads the status codes and phrases that every
 * provider block puts in its error messages.
 */
export function lmErrorCause(message: string | undefined): string | undefined {
  if (!message) return undefined;
  for (const [pattern, cause] of CAUSES) if (pattern.test(message)) return cause;
  return undefined;
}

const CAUSES: readonly (readonly [RegExp, string])[] = [
  [/cannot reach|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|fetch failed/i, 'LM server unreachable'],
  [
    /\b401\b|unauthori[sz]ed|invalid.{0,20}api.?key|incorrect api key/i,
    'HTTP 401: check the API key',
  ],
  [/\b403\b|forbidden/i, 'HTTP 403: check the API key and its permissions'],
  [/\b404\b|model.{0,40}not found/i, 'HTTP 404: check the model name and URL'],
  [/\b429\b|rate.?limit/i, 'HTTP 429: rate limited'],
  [/timed? ?out|timeout/i, 'LM requests time out'],
  [/\bHTTP 5\d\d\b|\b5\d\d\b.{0,30}(error|unavailable|gateway)/i, 'LM server errors (HTTP 5xx)'],
];
