import type pg from 'pg';
import { HttpError, type HttpRequest, type HttpServiceOptions } from '@recstream/platform';
import { ApiKeyStore, parseApiKey, secretMatches, type Scope } from './api-keys.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { LruCache } from './lru-cache.js';
import { RateLimiter } from './rate-limiter.js';

export interface AuthenticatorOptions {
  /** Requests per second per key when the key sets no limit of its own. */
  defaultRateLimit: number;
  /** How long a key lookup is reused, so a request does not cost a database query; also bounds how late a revocation bites. */
  cacheTtlMs: number;
  /** Key ids cached at once; past it the least recently used is evicted, so random key ids cannot grow memory. */
  cacheMaxKeys: number;
  /** How long a lookup that found no key is reused: short, so it only absorbs repeats of one id. */
  unknownKeyTtlMs: number;
  /** Failed authentications per client address per `failedAuthWindowMs` before it is answered 429. */
  failedAuthLimit: number;
  failedAuthWindowMs: number;
  /** Client addresses whose failures are counted at once; past it the least recently failing is forgotten. */
  failedAuthMaxAddresses: number;
}

export const DEFAULT_AUTHENTICATOR_OPTIONS: AuthenticatorOptions = {
  defaultRateLimit: 1_000,
  cacheTtlMs: 10_000,
  cacheMaxKeys: 10_000,
  unknownKeyTtlMs: 1_000,
  failedAuthLimit: 20,
  failedAuthWindowMs: 60_000,
  failedAuthMaxAddresses: 10_000,
};

export interface Principal {
  keyId: string;
  name: string;
  scopes: readonly Scope[];
}

type Lookup = Awaited<ReturnType<ApiKeyStore['find']>>;
type ActiveKey = NonNullable<Lookup>;

/**
 * Checks `Authorization: Bearer <key>` (or `x-api-key`) against the key store:
 * 401 without a valid active key, 403 without the route's scope, 429 past the
 * key's rate or past the client address's failed authentications. Logs and
 * errors carry the key id, never the secret.
 */
export class ApiKeyAuthenticator {
  private readonly options: AuthenticatorOptions;
  private readonly cache: LruCache<string, { lookup: Lookup; expires: number }>;
  private readonly limiter = new RateLimiter();
  private readonly failures: FailedAuthLimiter;

  constructor(
    private readonly store: Pick<ApiKeyStore, 'find'>,
    options: Partial<AuthenticatorOptions> = {},
    private readonly now: () => number = () => Date.now(),
  ) {
    this.options = { ...DEFAULT_AUTHENTICATOR_OPTIONS, ...options };
    this.cache = new LruCache(this.options.cacheMaxKeys);
    this.failures = new FailedAuthLimiter(
      { limit: this.options.failedAuthLimit, windowMs: this.options.failedAuthWindowMs, maxAddresses: this.options.failedAuthMaxAddresses },
      now,
    );
  }

  /** Key ids held in the cache, known and unknown; never above `cacheMaxKeys`. */
  get cachedKeyIds(): number {
    return this.cache.size;
  }

  async authorize(request: HttpRequest, scope: string): Promise<Principal> {
    const key = await this.authenticate(request);
    if (!key.scopes.includes(scope as Scope) && !key.scopes.includes('admin')) {
      throw new HttpError(403, `API key ${key.keyId} lacks the '${scope}' scope`);
    }
    const wait = this.limiter.take(key.keyId, key.rateLimit ?? this.options.defaultRateLimit);
    if (wait > 0) {
      throw new HttpError(429, `API key ${key.keyId} is over its rate limit`, {}, { 'retry-after': String(Math.max(1, Math.ceil(wait))) });
    }
    return { keyId: key.keyId, name: key.name, scopes: key.scopes };
  }

  private async authenticate(request: HttpRequest): Promise<ActiveKey> {
    const presented = presentedKey(request);
    const parsed = presented ? parseApiKey(presented) : undefined;
    const blockedFor = this.failures.blockedFor(request.clientAddress);
    // Once blocked, an address reaches Postgres only for key ids known to exist, so guessing costs no queries and real keys still pass.
    const mayLookUp = parsed && (blockedFor === 0 || this.cache.get(parsed.keyId)?.lookup);
    const key = mayLookUp ? await this.lookup(parsed.keyId) : undefined;
    if (parsed && key && !key.revokedAt && secretMatches(parsed.secret, key.secretSha256)) return key;
    if (blockedFor > 0) {
      throw new HttpError(429, `too many failed authentications from ${request.clientAddress}; retry after ${blockedFor} s with a valid API key`, {}, {
        'retry-after': String(blockedFor),
      });
    }
    this.failures.record(request.clientAddress);
    if (!presented) throw unauthorized('missing API key: send Authorization: Bearer <key>');
    throw unauthorized(parsed ? 'unknown or revoked API key' : 'malformed API key');
  }

  private async lookup(keyId: string): Promise<Lookup> {
    const now = this.now();
    const cached = this.cache.get(keyId);
    if (cached && cached.expires > now) return cached.lookup;
    const lookup = await this.store.find(keyId);
    this.cache.set(keyId, { lookup, expires: now + (lookup ? this.options.cacheTtlMs : this.options.unknownKeyTtlMs) });
    return lookup;
  }
}

/** The `authorize` hook for an app's HttpService: API keys from the key store in `pool`. */
export function apiKeyAuthorizer(pool: pg.Pool, options: Partial<AuthenticatorOptions> = {}): NonNullable<HttpServiceOptions['authorize']> {
  const authenticator = new ApiKeyAuthenticator(new ApiKeyStore(pool), options);
  return (request, scope) => authenticator.authorize(request, scope);
}

/** `Bearer <key>`; auth schemes are case-insensitive (RFC 9110 section 11.1). */
const BEARER = /^bearer +(\S+) *$/i;

function presentedKey(request: HttpRequest): string | undefined {
  const bearer = BEARER.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1];
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

const unauthorized = (message: string) => new HttpError(401, message, {}, { 'www-authenticate': 'Bearer' });
