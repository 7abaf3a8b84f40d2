import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Why a request was refused: 401 without a valid token, 403 from a foreign page or host. */
export type Refusal = { status: 401 | 403; message: string };

/** The token of a request: `Authorization: Bearer …`, `X-DGT-Token`, or `?token=` (EventSource). */
export function tokenOf(request: IncomingMessage, url: URL): string | undefined {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  const header = request.headers['x-dgt-token'];
  if (typeof header === 'string') return header;
  return url.searchParams.get('token') ?? undefined;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a request to the API. Every API call needs the session token (the data is private even
 * on loopback); on loopback the Host header must name this machine (a DNS-rebinding page cannot
 * pass), and a
 * state-changing request must come from this server's own pages: its `Origin` (sent by browsers
 * on every POST) must be this server's origin. Requests without `Origin` (curl, scripts) pass
 * on the token alone.
 */
export function checkRequest(
  request: IncomingMessage,
  url: URL,
  options: { token: string; allowedHosts?: ReadonlySet<string> },
): Refusal | undefined {
  const host = request.headers.host;
  if (!host || (options.allowedHosts && !options.allowedHosts.has(host.toLowerCase())))
    return { status: 403, message: `host ${host ?? '(none)'} is not this viewer` };
  const changes = request.method !== 'GET' && request.method !== 'HEAD';
  const origin = request.headers.origin;
  if (changes && origin !== undefined && origin !== `http://${host}`)
    return { status: 403, message: `requests from ${origin} are not allowed` };
  if (!sameToken(tokenOf(request, url), options.token))
    return {
      status: 401,
      message: 'missing or wrong session token: open the URL dgt view printed',
    };
  return undefined;
}
