import { selectBackend } from '../libs/models/src/backend.js';
import { plantedSequences } from '../libs/models/src/testing/planted-data.js';
import { leaveLatestOut, evaluateRanking } from '../libs/models/src/eval/ncf-protocol.js';
import { PopularityScorer } from '../libs/models/src/eval/popularity.js';
import { fit } from '../libs/models/src/training/fit.js';
import { createModel } from '../libs/models/src/models/registry.js';
import type { ModelKind } from '../libs/models/src/model.js';

await selectBackend({ preference: ['wasm'] });
const data = plantedSequences(JSON.parse(process.env.GEN ?? '{}'));
const split = leaveLatestOut(data);
const spec = { contextFields: [], historyLength: Number(process.env.HL ?? 8) };
console.log('data', data.length, 'pop', evaluateRanking(new PopularityScorer(split.train), split.cases, spec).hitRate);
for (const arg of process.argv.slice(2)) {
  const [kind, epochs, bs, cfg] = arg.split('|');
  const t = performance.now();
  const model = createModel(kind as ModelKind, spec, JSON.parse(cfg ?? '{}'));
  const hr: string[] = [];
  fit(model, split.train, spec, { epochs: Number(epochs), batchSize: Number(bs ?? 512), onEpoch: () => hr.push(evaluateRanking(model, split.cases, spec).hitRate.toFixed(3)) });
  console.log(kind, hr.join(' '), ((performance.now() - t) / 1000).toFixed(1) + 's');
}
