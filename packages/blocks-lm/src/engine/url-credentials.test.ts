import { describe, expect, it } from 'vitest';
import { refuseUrlCredentials, splitUrlCredentials } from './url-credentials.js';

describe('splitUrlCredentials', () => {
  it('takes user:password out of a URL into a Basic Authorization header', () => {
    expect(splitUrlCredentials('http://alice:pa%24%24@host:8000/v1')).toEqual({
      url: 'http://host:8000/v1',
      authorization: `Basic ${Buffer.from('alice:pa$$').toString('base64')}`,
    });
  });

  it('leaves URLs without credentials, and non-URLs, as they are', () => {
    expect(splitUrlCredentials('http://host/v1')).toEqual({ url: 'http://host/v1' });
    expect(splitUrlCredentials('not a url')).toEqual({ url: 'not a url' });
  });
});

describe('refuseUrlCredentials', () => {
  it('refuses credentials a provider cannot use, without printing them', () => {
    const refuse = () =>
      refuseUrlCredentials('https://bob:s3cret@api.example/v1', { name: 'g', type: 'anthropic' });
    expect(refuse).toThrow(/https:\/\/\*\*\*@api\.example\/v1/);
    expect(refuse).not.toThrow(/s3cret/);
  });
});
