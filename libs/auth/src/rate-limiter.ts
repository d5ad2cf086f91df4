/**
 * Token buckets per key: `rate` requests per second with bursts up to one
 * second's worth. Per process: each replica enforces its own share.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
  take(key: string, rate: number): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: rate, updated: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.updated) / 1000) * rate);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / rate;
  }
}
