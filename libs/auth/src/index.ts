export { ApiKeyStore, parseApiKey, secretMatches, SCOPES, MAX_KEY_NAME_LENGTH, type Scope, type ApiKeyRecord } from './api-keys.js';
export { ApiKeyAuthenticator, apiKeyAuthorizer, DEFAULT_AUTHENTICATOR_OPTIONS, type AuthenticatorOptions, type Principal } from './authenticator.js';
export { RateLimiter } from './rate-limiter.js';
export { authenticatorEnv, authenticatorOptionsFromEnv } from './env.js';
