import pg from 'pg';
import { auc } from '@recstream/models';
import { readSamples } from '@recstream/samples';
import { SyntheticWorld } from '@recstream/synth';
import { trainOnDataset } from '@recstream/training';

const dataset = process.argv[2]!;
const kinds = (process.argv[3] ?? 'deepfm').split(',');
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/recstream' });
const days = 4;
const start = Math.floor(Date.now() / 86_400_000 - days) * 86_400_000;
const world = new SyntheticWorld({ users: 500, items: 800, days, seed: 42, start });
const users = new Map(world.users.map((u) => [u.id, u]));
const items = new Map(world.items.map((i) => [i.id, i]));
const scores: number[] = [];
const labels: number[] = [];
for await (const batch of readSamples(pool, dataset, { splits: ['test'] })) {
  for (const s of batch) {
    const u = users.get(s.userId); const i = items.get(s.itemId);
    if (!u || !i) continue;
    const last = s.features.user_sequence.items.at(-1)?.category;
    const prev = last === undefined ? undefined : Number(last.slice(1));
    const ctx = { device: (s.context.device ?? u.device) as 'mobile', hour: new Date(s.labelTime).getUTCHours() };
    scores.push(world.clickProbability(u, i, ctx, prev, s.labelTime, Number(s.context.position ?? 0)));
    labels.push(s.label > 0 ? 1 : 0);
  }
}
console.log('truth test AUC', auc(scores, labels).toFixed(4), 'n', scores.length);
for (const kind of kinds) {
  const [modelType, hp] = kind.split(':');
  const hyperparameters = hp ? Object.fromEntries(hp.split(';').map((kv) => { const [k, v] = kv.split('='); return [k!, Number(v)]; })) : {};
  const t = performance.now();
  const r = await trainOnDataset(pool, { datasetVersion: dataset, modelType: modelType as 'deepfm', role: 'ranking', maxEpochs: Number(process.env.EPOCHS ?? 3), hyperparameters });
  console.log(kind, 'val', r.metrics.validation_auc.toFixed(4), 'test auc', r.metrics.auc.toFixed(4), 'epochs', r.metrics.epochs, 'best', r.metrics.best_epoch, ((performance.now() - t) / 1000).toFixed(0), 's');
}
await pool.end();
