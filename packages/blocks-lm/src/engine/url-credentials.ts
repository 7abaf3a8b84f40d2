import { DgtError } from '@dgt/core';

/** A server URL with any `user:password@` taken out, and the credentials as an HTTP header. */
export type SplitUrl = {
  /** The URL without user info (what is connected to, logged and hashed). */
  url: string;
  /** `Basic …` for the user info the URL carried, if it carried any. */
  authorization?: string;
};

/**
 * Takes credentials out of a server URL (`http://alice:secret@host/v1`): HTTP clients refuse to
 * send such URLs (fetch: "cannot be constructed from a URL that includes credentials"), and a
 * URL is printed and stored in many places. The credentials go into an `Authorization: Basic`
 * header instead, which is what a URL's user info means in HTTP. A string that is not a URL is
 * returned as it is (the caller reports it).
 */
export function splitUrlCredentials(raw: string): SplitUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { url: raw };
  }
  if (!url.username && !url.password) return { url: raw };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  // Keep the caller's spelling otherwise (URL adds a trailing slash to a bare host).
  const clean = raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  return {
    url: clean,
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  };
}

/**
 * Refuses a server URL with credentials in it, for providers that authenticate with their own
 * key header (Anthropic, Azure, watsonx), where a user:password has no meaning. The message
 * shows the URL with the credentials hidden.
 */
export function refuseUrlCredentials(url: string, block: { name: string; type: string }): void {
  if (splitUrlCredentials(url).authorization === undefined) return;
  throw new DgtError(
    'INVALID_BLOCK_CONFIG',
    `Block "${block.name}" (type ${block.type}): the server URL ${url.replace(/\/\/[^/?#]*@/, '//***@')} has a user name and password in it, which ${block.type} does not use. Remove them from the URL and give the key with "api_key" (or its environment variable).`,
  );
}
