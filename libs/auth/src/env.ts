import { envInt } from '@recstream/platform';
import { DEFAULT_AUTHENTICATOR_OPTIONS as D, type AuthenticatorOptions } from './authenticator.js';

/** The authenticator's environment settings, the same in every app that checks API keys. */
export const authenticatorEnv = {
  AUTH_CACHE_MAX_KEYS: envInt(D.cacheMaxKeys),
  AUTH_UNKNOWN_KEY_TTL_MS: envInt(D.unknownKeyTtlMs, 0),
  AUTH_FAILED_LIMIT: envInt(D.failedAuthLimit),
  AUTH_FAILED_WINDOW_MS: envInt(D.failedAuthWindowMs),
};

export function authenticatorOptionsFromEnv(e: { [K in keyof typeof authenticatorEnv]: number }): Partial<AuthenticatorOptions> {
  return {
    cacheMaxKeys: e.AUTH_CACHE_MAX_KEYS,
    unknownKeyTtlMs: e.AUTH_UNKNOWN_KEY_TTL_MS,
    failedAuthLimit: e.AUTH_FAILED_LIMIT,
    failedAuthWindowMs: e.AUTH_FAILED_WINDOW_MS,
  };
}
