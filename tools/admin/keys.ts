/**
 * `npm run keys -- create --name NAME --scopes ingest,serve [--rate N]`,
 * `npm run keys -- list`, `npm run keys -- revoke KEY_ID`: manages API keys.
 * The key is printed once at creation; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ApiKeyStore, SCOPES, type Scope } from '@recstream/auth';
import { infraSettings } from '../infra/settings.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, scopes: { type: 'string' }, rate: { type: 'string' } },
});
const [command, keyId] = positionals;
const pool = new pg.Pool({ connectionString: infraSettings().DATABASE_URL, max: 1 });
const store = new ApiKeyStore(pool);

try {
  if (command === 'create') {
    if (!values.name || !values.scopes) throw new Error(`create needs --name and --scopes (from ${SCOPES.join(', ')})`);
    const rate = values.rate === undefined ? undefined : Number(values.rate);
    const { key, record } = await store.create(values.name, values.scopes.split(',') as Scope[], rate);
    console.error(`created key ${record.keyId} (${record.name}; scopes ${record.scopes.join(', ')}); store it now, it is not shown again:`);
    console.log(key);
  } else if (command === 'list') {
    for (const key of await store.list()) {
      const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
      console.log(`${key.keyId}  ${key.name.padEnd(20)} ${key.scopes.join(',').padEnd(18)} rate=${key.rateLimit ?? 'default'}  ${state}`);
    }
  } else if (command === 'revoke' && keyId) {
    if (!(await store.revoke(keyId))) throw new Error(`no active key ${keyId}`);
    console.log(`revoked ${keyId}; servers stop accepting it within their cache time (10 s by default)`);
  } else {
    throw new Error('usage: npm run keys -- create --name NAME --scopes ingest,serve[,admin] [--rate N] | list | revoke KEY_ID');
  }
} catch (error) {
  console.error(`keys: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
