import type pg from 'pg';
import { HttpError, type HttpRequest, type HttpServiceOptions } from '@recstream/platform';
import { ApiKeyStore, parseApiKey, secretMatches, type Scope } from './api-keys.js';
import { RateLimiter } from './rate-limiter.js';

export interface AuthenticatorOptions {
  /** Requests per second per key when the key sets no limit of its own. */
  defaultRateLimit: number;
  /** How long a key lookup is reused, so a request does not cost a database query; also bounds how late a revocation bites. */
  cacheTtlMs: number;
}

export const DEFAULT_AUTHENTICATOR_OPTIONS: AuthenticatorOptions = { defaultRateLimit: 1_000, cacheTtlMs: 10_000 };

export interface Principal {
  keyId: string;
  name: string;
  scopes: readonly Scope[];
}

type Lookup = Awaited<ReturnType<ApiKeyStore['find']>>;

/**
 * Checks `Authorization: Bearer <key>` (or `x-api-key`) against the key store:
 * 401 without a valid active key, 403 without the route's scope, 429 past the
 * key's rate. Logs and errors carry the key id, never the secret.
 */
export class ApiKeyAuthenticator {
  private readonly options: AuthenticatorOptions;
  private readonly cache = new Map<string, { lookup: Lookup; expires: number }>();
  private readonly limiter = new RateLimiter();

  constructor(
    private readonly store: ApiKeyStore,
    options: Partial<AuthenticatorOptions> = {},
  ) {
    this.options = { ...DEFAULT_AUTHENTICATOR_OPTIONS, ...options };
  }

  async authorize(request: HttpRequest, scope: string): Promise<Principal> {
    const presented = presentedKey(request);
    if (!presented) throw unauthorized('missing API key: send Authorization: Bearer <key>');
    const parsed = parseApiKey(presented);
    if (!parsed) throw unauthorized('malformed API key');
    const key = await this.lookup(parsed.keyId);
    if (!key || key.revokedAt || !secretMatches(parsed.secret, key.secretSha256)) throw unauthorized('unknown or revoked API key');
    if (!key.scopes.includes(scope as Scope) && !key.scopes.includes('admin')) {
      throw new HttpError(403, `API key ${key.keyId} lacks the '${scope}' scope`);
    }
    const wait = this.limiter.take(key.keyId, key.rateLimit ?? this.options.defaultRateLimit);
    if (wait > 0) {
      throw new HttpError(429, `API key ${key.keyId} is over its rate limit`, {}, { 'retry-after': String(Math.max(1, Math.ceil(wait))) });
    }
    return { keyId: key.keyId, name: key.name, scopes: key.scopes };
  }

  private async lookup(keyId: string): Promise<Lookup> {
    const now = Date.now();
    const cached = this.cache.get(keyId);
    if (cached && cached.expires > now) return cached.lookup;
    const lookup = await this.store.find(keyId);
    this.cache.set(keyId, { lookup, expires: now + this.options.cacheTtlMs });
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
