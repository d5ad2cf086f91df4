import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpService, createLogger, createMetricsRegistry } from '@recstream/platform';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { ApiKeyAuthenticator, ApiKeyStore, parseApiKey } from '../src/index.js';

let database: TestDatabase;
let pool: pg.Pool;
let http: HttpService;
let base = '';
let store: ApiKeyStore;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url });
  store = new ApiKeyStore(pool);
  const authenticator = new ApiKeyAuthenticator(store, { cacheTtlMs: 0, failedAuthLimit: 10 });
  http = new HttpService({
    port: 0,
    host: '127.0.0.1',
    maxBodyBytes: 1024,
    logger: createLogger('auth-test', 'silent'),
    metricsRegistry: createMetricsRegistry('auth-test'),
    ready: () => true,
    authorize: (request, scope) => authenticator.authorize(request, scope),
  });
  http.route('GET', '/ingest-only', async () => ({ status: 200, body: { ok: true } }), 'ingest');
  http.route('GET', '/serve-only', async () => ({ status: 200, body: { ok: true } }), 'serve');
  base = `http://127.0.0.1:${(await http.listen()).port}`;
});
afterAll(async () => {
  await http.close();
  await pool.end();
  await database.drop();
});

const call = (path: string, key?: string) => fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

it('refuses missing, malformed, unknown and revoked keys with 401', async () => {
  const { key, record } = await store.create('writer', ['ingest']);
  expect((await call('/ingest-only')).status).toBe(401);
  expect((await call('/ingest-only', 'not-a-key')).status).toBe(401);
  expect((await call('/ingest-only', key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).status).toBe(401);
  expect((await call('/ingest-only', key)).status).toBe(200);
  await store.revoke(record.keyId);
  const revoked = await call('/ingest-only', key);
  expect(revoked.status).toBe(401);
  expect(await revoked.json()).toEqual({ error: 'unknown or revoked API key' });
});

it('takes the Bearer scheme in any case, as HTTP auth schemes are case-insensitive', async () => {
  const { key } = await store.create('any-case', ['ingest']);
  for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
    const response = await fetch(`${base}/ingest-only`, { headers: { authorization: `${scheme} ${key}` } });
    expect(response.status, scheme).toBe(200);
  }
});

it('refuses a key without the route scope with 403; admin keys pass everywhere', async () => {
  const { key } = await store.create('writer', ['ingest']);
  expect((await call('/serve-only', key)).status).toBe(403);
  const admin = await store.create('ops', ['admin']);
  expect((await call('/serve-only', admin.key)).status).toBe(200);
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
});

it('answers 429 with Retry-After past the key rate, without affecting other keys', async () => {
  const slow = await store.create('slow', ['serve'], 3);
  const other = await store.create('other', ['serve'], 3);
  const responses = [];
  for (let i = 0; i < 5; i++) responses.push(await call('/serve-only', slow.key));
  expect(responses.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
  const limited = responses.slice(3).filter((r) => r.status === 429);
  expect(limited.length).toBeGreaterThanOrEqual(1);
  expect(limited[0]!.headers.get('retry-after')).toBe('1');
  expect((await call('/serve-only', other.key)).status).toBe(200);
});

it('stores only a digest of the secret', async () => {
  const { key, record } = await store.create('audit', ['ingest']);
  const { rows } = await pool.query('SELECT * FROM api_keys WHERE key_id = $1', [record.keyId]);
  // The secret is base64url, which has '_' of its own: take it as the key's parser does.
  const { secret } = parseApiKey(key)!;
  expect(secret).toHaveLength(43);
  expect(JSON.stringify(rows[0])).not.toContain(secret);
});

it('answers 429 with Retry-After once an address fails too often, while a key it already used still passes', async () => {
  const { key } = await store.create('neighbour', ['serve']);
  expect((await call('/serve-only', key)).status).toBe(200);
  const statuses = [];
  for (let i = 0; i < 12; i++) statuses.push((await call('/serve-only', `rs_${String(i).padStart(12, 'x')}_${'A'.repeat(43)}`)).status);
  expect(statuses.at(-1)).toBe(429);
  const limited = await call('/serve-only', 'not-a-key');
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await call('/serve-only', key)).status).toBe(200);
});
