import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import type { HttpRequest } from '@recstream/platform';
import { ApiKeyAuthenticator, type AuthenticatorOptions } from './authenticator.js';
import type { ApiKeyStore } from './api-keys.js';

const SECRET = 'S'.repeat(43);
const KNOWN_ID = 'knownkey0000';

/** A key store holding one active key, counting the lookups that reach it. */
function fakeStore() {
  const store = {
    lookups: 0,
    async find(keyId: string) {
      store.lookups += 1;
      if (keyId !== KNOWN_ID) return undefined;
      const secretSha256 = createHash('sha256').update(SECRET).digest();
      return { keyId, name: 'known', scopes: ['serve' as const], rateLimit: null, createdAt: new Date(0), revokedAt: null, secretSha256 };
    },
  };
  return store satisfies Pick<ApiKeyStore, 'find'>;
}

function setup(options: Partial<AuthenticatorOptions> = {}) {
  const clock = { now: 0 };
  const store = fakeStore();
  const authenticator = new ApiKeyAuthenticator(store, options, () => clock.now);
  const authorize = (keyId: string, clientAddress = '10.0.0.1') => authenticator.authorize(request(`rs_${keyId}_${SECRET}`, clientAddress), 'serve');
  return { clock, store, authenticator, authorize };
}

const request = (key: string, clientAddress: string): HttpRequest => ({
  method: 'GET',
  path: '/',
  query: new URLSearchParams(),
  headers: { authorization: `Bearer ${key}` },
  clientAddress,
  body: () => Promise.resolve(Buffer.alloc(0)),
});

const randomKeyId = () => randomBytes(9).toString('base64url');

it('keeps the key cache at its cap under many random key ids', async () => {
  const { authenticator, authorize } = setup({ cacheMaxKeys: 100, failedAuthLimit: Number.MAX_SAFE_INTEGER });
  await authorize(KNOWN_ID);
  for (let i = 0; i < 1_000; i++) await expect(authorize(randomKeyId(), `10.0.${i >> 8}.${i & 255}`)).rejects.toMatchObject({ status: 401 });
  expect(authenticator.cachedKeyIds).toBe(100);
});

it('caches an unknown key id only for the negative TTL, a known one for the cache TTL', async () => {
  const { clock, store, authorize } = setup({ cacheTtlMs: 10_000, unknownKeyTtlMs: 1_000 });
  const unknown = randomKeyId();
  await expect(authorize(unknown)).rejects.toMatchObject({ status: 401 });
  await expect(authorize(unknown)).rejects.toMatchObject({ status: 401 });
  expect(store.lookups).toBe(1);
  clock.now += 1_001;
  await expect(authorize(unknown)).rejects.toMatchObject({ status: 401 });
  expect(store.lookups).toBe(2);

  await authorize(KNOWN_ID);
  clock.now += 9_999;
  await authorize(KNOWN_ID);
  expect(store.lookups).toBe(3);
  clock.now += 2;
  await authorize(KNOWN_ID);
  expect(store.lookups).toBe(4);
});

it('answers 429 with Retry-After after N failed authentications from one address, leaving other addresses and valid keys alone', async () => {
  const { clock, store, authorize } = setup({ failedAuthLimit: 3, failedAuthWindowMs: 60_000 });
  await authorize(KNOWN_ID, '10.0.0.1');
  for (let i = 0; i < 3; i++) await expect(authorize(randomKeyId(), '10.0.0.1')).rejects.toMatchObject({ status: 401 });
  const lookups = store.lookups;
  const limited = authorize(randomKeyId(), '10.0.0.1');
  await expect(limited).rejects.toMatchObject({ status: 429, headers: { 'retry-after': '60' } });
  // Blocked guesses cost no query.
  expect(store.lookups).toBe(lookups);
  await expect(authorize(randomKeyId(), '10.0.0.2')).rejects.toMatchObject({ status: 401 });
  await expect(authorize(KNOWN_ID, '10.0.0.1')).resolves.toMatchObject({ keyId: KNOWN_ID });
  clock.now += 60_000;
  await expect(authorize(randomKeyId(), '10.0.0.1')).rejects.toMatchObject({ status: 401 });
});

it('counts missing and malformed keys as failures too', async () => {
  const { authenticator } = setup({ failedAuthLimit: 2 });
  await expect(authenticator.authorize(request('not-a-key', '10.0.0.3'), 'serve')).rejects.toMatchObject({ status: 401 });
  await expect(authenticator.authorize({ ...request('', '10.0.0.3'), headers: {} }, 'serve')).rejects.toMatchObject({ status: 401 });
  await expect(authenticator.authorize(request('not-a-key', '10.0.0.3'), 'serve')).rejects.toMatchObject({ status: 429 });
});
