import { Redis } from 'ioredis';
import { withDeadline } from '../libs/serving/src/deadline.js';
const redis = new Redis('redis://127.0.0.1:6379');
await redis.ping();
let ok = 0, late = 0;
for (let i = 0; i < 50; i++) {
  const result = withDeadline(redis.ping(), 5, 'ping');
  const until = performance.now() + 20; while (performance.now() < until);
  try { await result; ok++; } catch { late++; }
}
console.log({ ok, late });
redis.disconnect();
