import { LruCache } from './lru-cache.js';

export interface FailedAuthLimits {
  /** Failed authentications an address may make per window before it is answered 429. */
  limit: number;
  /** Length of the fixed window, which starts at the address's first failure. */
  windowMs: number;
  /** Addresses tracked at once; past it the least recently failing is forgotten. */
  maxAddresses: number;
}

/**
 * Counts failed authentications per client address in fixed windows. Per
 * process: each replica enforces its own share.
 */
export class FailedAuthLimiter {
  private readonly windows: LruCache<string, { failures: number; ends: number }>;

  constructor(
    private readonly limits: FailedAuthLimits,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.windows = new LruCache(limits.maxAddresses);
  }

  /** Seconds until `address` may fail again; 0 when it is under its limit. */
  blockedFor(address: string): number {
    const window = this.windows.get(address);
    const now = this.now();
    if (!window || window.ends <= now || window.failures < this.limits.limit) return 0;
    return Math.max(1, Math.ceil((window.ends - now) / 1000));
  }

  record(address: string): void {
    const now = this.now();
    const window = this.windows.get(address);
    if (window && window.ends > now) window.failures += 1;
    else this.windows.set(address, { failures: 1, ends: now + this.limits.windowMs });
  }
}
