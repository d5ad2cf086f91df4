import pg from 'pg';
import { deserializeModel, selectBackend } from '@recstream/models';
import { ModelRegistry } from '@recstream/registry';
await selectBackend();
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/recstream' });
const reg = new ModelRegistry(pool);
const [a, b] = [Number(process.argv[2]), Number(process.argv[3])];
const A = deserializeModel(new Uint8Array(await reg.loadArtifact(a))).toArtifact();
const B = deserializeModel(new Uint8Array(await reg.loadArtifact(b))).toArtifact();
for (const [name, t] of Object.entries(A.tables)) {
  const u = B.tables[name]!;
  const dim = t.weights.length / t.ids.length;
  const idx = new Map(Array.from(t.ids, (id, i) => [id, i]));
  let changed = 0, sum = 0, norm = 0;
  u.ids.forEach((id, j) => { const i = idx.get(id); if (i === undefined) { changed++; return; } let d = 0; for (let k = 0; k < dim; k++) { d += Math.abs(u.weights[j * dim + k]! - t.weights[i * dim + k]!); norm += Math.abs(t.weights[i * dim + k]!); } if (d > 1e-7) changed++; sum += d; });
  console.log(name.padEnd(40), 'rows', t.ids.length, '->', u.ids.length, 'changed', changed, 'meanAbsDelta', (sum / Math.max(1, u.ids.length * dim)).toFixed(4), 'meanAbs', (norm / Math.max(1, t.ids.length * dim)).toFixed(4));
}
for (const [name, d] of Object.entries(A.dense)) { const e = B.dense[name]!; let s = 0, n = 0; d.values.forEach((v, i) => { s += Math.abs(v - e.values[i]!); n += Math.abs(v); }); console.log('dense', name, (s / d.values.length).toFixed(5), (n / d.values.length).toFixed(5)); }
console.log(JSON.stringify(A.spec) === JSON.stringify(B.spec) ? 'same spec' : 'SPEC DIFFERS');
await pool.end();
