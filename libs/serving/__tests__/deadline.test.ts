import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { withDeadline } from '../src/deadline.js';
import { REDIS_URL } from './harness.js';

const redis = new Redis(REDIS_URL);
afterAll(() => redis.disconnect());

describe('withDeadline against a real Redis', () => {
  it('rejects, naming what was late, when nothing arrives in time', async () => {
    await expect(withDeadline(new Promise(() => {}), 5, 'reading user features')).rejects.toThrow('reading user features took longer than 5 ms');
  });

  it('lets replies that arrived while the event loop was busy past the deadline win', async () => {
    await redis.ping();
    let late = 0;
    for (let i = 0; i < 20; i++) {
      const reply = withDeadline(redis.ping(), 5, 'ping');
      // Another request's synchronous work (ranking) holding the loop past the deadline.
      const busyUntil = performance.now() + 20;
      while (performance.now() < busyUntil);
      late += await reply.then(() => 0, () => 1);
    }
    expect(late).toBe(0);
  });
});
