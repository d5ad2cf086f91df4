import pg from 'pg';
import { auc } from '@recstream/models';
import { readSamples } from '@recstream/samples';
import { toRow } from '@recstream/training';
const dataset = process.argv[2]!;
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/recstream' });
const cols: Record<string, number[]> = {}; const labels: number[] = [];
let n = 0, withLast = 0;
for await (const batch of readSamples(pool, dataset, { splits: ['test'] })) {
  for (const s of batch) {
    const f = toRow(s).features!;
    n++; if (f.last_category) withLast++;
    const nextCat = f.last_category ? `c${(Number(f.last_category.slice(1)) + 1) % 20}` : undefined;
    const vals: Record<string, number> = {
      seq: nextCat === f.item_category ? 1 : 0,
      share: f.user_category_share_7d ?? -1, cat7d: f.user_category_7d ?? -1, ctr: f.item_ctr_7d ?? -1, clicks: f.item_clicks_7d ?? -1, imps: f.item_impressions_7d ?? -1,
      pos: -Number(s.context.position ?? 0),
    };
    for (const [k, v] of Object.entries(vals)) (cols[k] ??= []).push(v);
    labels.push(s.label > 0 ? 1 : 0);
  }
}
console.log('n', n, 'withLast', withLast);
for (const [k, v] of Object.entries(cols)) console.log(k, auc(v, labels).toFixed(4), 'mean', (v.reduce((a, b) => a + b, 0) / v.length).toFixed(4));
await pool.end();
