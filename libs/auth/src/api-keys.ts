import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { NonRetriableError } from '@recstream/platform';

export const SCOPES = ['ingest', 'serve', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
/** Longest key name: names are labels for people, shown in `keys list`. */
export const MAX_KEY_NAME_LENGTH = 100;

export interface ApiKeyRecord {
  keyId: string;
  name: string;
  scopes: Scope[];
  rateLimit: number | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A presented key: `rs_<keyId>_<secret>`, both parts URL-safe base64. */
const KEY_PATTERN = /^rs_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/;

export function parseApiKey(presented: string): { keyId: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(presented);
  return match ? { keyId: match[1]!, secret: match[2]! } : undefined;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/** Compares a presented secret with the stored digest in constant time. */
export function secretMatches(secret: string, storedSha256: Buffer): boolean {
  const presented = digest(secret);
  return presented.length === storedSha256.length && timingSafeEqual(presented, storedSha256);
}

/** API keys in Postgres: created (the plaintext is returned once), listed, revoked. */
export class ApiKeyStore {
  constructor(private readonly pool: pg.Pool) {}

  async create(name: string, scopes: Scope[], rateLimit?: number): Promise<{ key: string; record: ApiKeyRecord }> {
    if (name.trim().length === 0 || name.length > MAX_KEY_NAME_LENGTH) {
      throw new NonRetriableError(`name must be 1 to ${MAX_KEY_NAME_LENGTH} characters and not blank; got ${name.length}`);
    }
    if (rateLimit !== undefined && !(Number.isInteger(rateLimit) && rateLimit > 0)) {
      throw new NonRetriableError(`rate limit must be a positive whole number of requests per second; got ${rateLimit}`);
    }
    const unknown = scopes.filter((scope) => !SCOPES.includes(scope));
    if (scopes.length === 0 || unknown.length > 0) {
      throw new NonRetriableError(`scopes must be a non-empty subset of ${SCOPES.join(', ')}; got ${scopes.join(', ') || 'none'}`);
    }
    const keyId = randomBytes(9).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const { rows } = await this.pool.query(
      'INSERT INTO api_keys (key_id, name, scopes, secret_sha256, rate_limit) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [keyId, name, scopes, digest(secret), rateLimit ?? null],
    );
    return { key: `rs_${keyId}_${secret}`, record: toRecord(rows[0]) };
  }

  /** The key's record and digest, or undefined when it does not exist. */
  async find(keyId: string): Promise<(ApiKeyRecord & { secretSha256: Buffer }) | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM api_keys WHERE key_id = $1', [keyId]);
    return rows[0] ? { ...toRecord(rows[0]), secretSha256: rows[0].secret_sha256 } : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query('SELECT * FROM api_keys ORDER BY created_at');
    return rows.map(toRecord);
  }

  /** Returns false when no active key has that id. */
  async revoke(keyId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL', [keyId]);
    return rowCount === 1;
  }
}

function toRecord(row: { key_id: string; name: string; scopes: Scope[]; rate_limit: number | null; created_at: Date; revoked_at: Date | null }): ApiKeyRecord {
  return { keyId: row.key_id, name: row.name, scopes: row.scopes, rateLimit: row.rate_limit, createdAt: row.created_at, revokedAt: row.revoked_at };
}
