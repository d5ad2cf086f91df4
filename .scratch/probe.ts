// Served lists vs references under the world's truth, without sending clicks.
import { Redis } from 'ioredis';
import { SyntheticWorld } from '@recstream/synth';
const key = process.argv[2]!;
const days = 4;
const start = Math.floor(Date.now() / 86_400_000 - days) * 86_400_000;
const world = new SyntheticWorld({ users: 500, items: 800, days, seed: 42, start });
const redis = new Redis();
const now = Date.now();
const hour = new Date(now).getUTCHours();
const items = world.items.filter((i) => i.createdTime <= now);
const byId = new Map(world.items.map((i) => [i.id, i]));
let served = 0, best = 0, random = 0, n = 0, nonRanked = 0;
for (const user of world.users.slice(0, 150)) {
  const seq = await redis.get(`fs:v2:user:${user.id}`);
  let prev: number | undefined;
  if (seq) { const m = [...seq.matchAll(/"category":"c(\d+)"/g)]; if (m.length) prev = Number(m.at(-1)![1]); }
  const ctx = { device: user.device, hour };
  const p = (item: typeof items[number], pos: number) => world.clickProbability(user, item, ctx, prev, now, pos);
  const res = await fetch('http://127.0.0.1:8081/v1/recommendations', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ user_id: user.id, k: 10, context: { surface: 'home', device: user.device } }) });
  const body = await res.json() as { items: { item_id: string }[]; degraded: boolean };
  if (body.degraded) nonRanked++;
  served += body.items.reduce((s, it, pos) => s + p(byId.get(it.item_id)!, pos), 0) / 10;
  const sorted = [...items].sort((a, b) => p(b, 0) - p(a, 0));
  best += sorted.slice(0, 10).reduce((s, it, pos) => s + p(it, pos), 0) / 10;
  random += items.reduce((s, it) => s + p(it, 4.5), 0) / items.length;
  n++;
}
console.log({ served: served / n, best: best / n, random: random / n, lift: (served - random) / (best - random), degraded: nonRanked });
redis.disconnect();
