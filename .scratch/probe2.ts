// The production ranker alone: score every live item with online features, top 10 under the truth.
import { Redis } from 'ioredis';
import pg from 'pg';
import { OnlineFeatureReader, modelFeatures } from '@recstream/features';
import { deserializeModel, encodeRows, selectBackend } from '@recstream/models';
await selectBackend();
import { ModelRegistry } from '@recstream/registry';
import { SyntheticWorld } from '@recstream/synth';
const days = 4;
const start = Math.floor(Date.now() / 86_400_000 - days) * 86_400_000;
const world = new SyntheticWorld({ users: 500, items: 800, days, seed: 42, start });
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/recstream' });
const registry = new ModelRegistry(pool);
const version = Number(process.argv[2] ?? 0) || (await registry.production('ranking'))!.versionId;
const model = deserializeModel(new Uint8Array(await registry.loadArtifact(version)));
console.log('ranking version', version, model.kind, model.spec.contextFields.length, 'fields');
const reader = new OnlineFeatureReader(new Redis());
const now = Date.now();
const hour = new Date(now).getUTCHours();
const live = world.items.filter((i) => i.createdTime <= now);
const itemViews = await reader.readItems(live.map((i) => i.id));
const byVariant: Record<string, number[]> = {};
let ranked = 0, best = 0, random = 0, n = 0, servedTop = 0, candCount = 0;
for (const user of world.users.slice(0, 150)) {
  const u = await reader.readUser(user.id);
  const prevCat = u.user_sequence.items.at(-1)?.category;
  const prev = prevCat === undefined ? undefined : Number(prevCat.slice(1));
  const ctx = { device: user.device, hour };
  const p = (item: typeof live[number], pos: number) => world.clickProbability(user, item, ctx, prev, now, pos);
  const rows = live.map((item, i) => ({ userId: user.id, itemId: item.id, time: now, context: { surface: 'home', device: user.device, position: 0 }, sequence: u.user_sequence.items, features: modelFeatures(u, itemViews[i]!, now) }));
  const scores = model.score(encodeRows(model.spec, rows));
  let order = live.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  if (process.env.KEY) {
    const res = await fetch('http://127.0.0.1:8081/v1/recommendations', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.KEY}` }, body: JSON.stringify({ user_id: user.id, k: 150, context: { surface: 'home', device: user.device } }) });
    const body = await res.json() as { items: { item_id: string }[]; experiment: { variant: string } | null };
    const cands = new Set(body.items.map((i) => i.item_id));
    order = order.filter((i) => cands.has(live[i]!.id));
    servedTop += body.items.slice(0, 10).reduce((s, it, pos) => s + p(world.items.find((x) => x.id === it.item_id)!, pos), 0) / 10;
    candCount += cands.size;
    const v = body.experiment?.variant ?? 'none';
    const top = body.items.slice(0, 10).reduce((s, it, pos) => s + p(world.items.find((x) => x.id === it.item_id)!, pos), 0) / 10;
    (byVariant[v] ??= []).push(top);
  }
  ranked += order.slice(0, 10).reduce((s, i, pos) => s + p(live[i]!, pos), 0) / 10;
  const sorted = [...live].sort((a, b) => p(b, 0) - p(a, 0));
  best += sorted.slice(0, 10).reduce((s, it, pos) => s + p(it, pos), 0) / 10;
  random += live.reduce((s, it) => s + p(it, 4.5), 0) / live.length;
  n++;
}
console.log(Object.fromEntries(Object.entries(byVariant).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length])));
console.log({ ranked: ranked / n, best: best / n, random: random / n, lift: (ranked - random) / (best - random), servedTop: servedTop / n, cands: candCount / n });
await pool.end(); process.exit(0);
