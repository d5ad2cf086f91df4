/**
 * `npm run train -- --dataset VERSION --model mf --role recall [--hp dim=64,sparseLearningRate=0.05] [--seed 1] [--no-register]`:
 * trains a model on a dataset version here, with progress, prints the metric
 * table against popularity, then registers it and applies the promotion gate;
 * the last line is JSON (HR@10, NDCG@10, AUC, test_cases_seen_in_training, ...).
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { selectBackend } from '@recstream/models';
import { ProgressBar, formatTable } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import { isModelKind, MODEL_KINDS, MODEL_ROLES } from '@recstream/schemas';
import { registerAndPromote, trainOnDataset } from '@recstream/training';
import { trainerConfig } from '../env.js';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    model: { type: 'string', default: 'mf' },
    role: { type: 'string', default: 'recall' },
    hp: { type: 'string', default: '' },
    seed: { type: 'string', default: '1' },
    'no-register': { type: 'boolean', default: false },
  },
});

function hyperparameters(list: string): Record<string, number | string> {
  return Object.fromEntries(
    list
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [key, value = ''] = pair.split('=');
        return [key!, Number.isNaN(Number(value)) ? value : Number(value)];
      }),
  );
}

async function main(): Promise<void> {
  if (!values.dataset) throw new Error('--dataset is required (see bi_dataset_manifests for ready versions)');
  if (!isModelKind(values.model)) throw new Error(`--model must be one of ${MODEL_KINDS.join(', ')}`);
  if (values.role !== 'recall' && values.role !== 'ranking') throw new Error(`--role must be one of ${MODEL_ROLES.join(', ')}`);
  const config = trainerConfig();
  const backend = await selectBackend({ required: config.backend });
  console.log(`training ${values.model} (${values.role}) on ${values.dataset} with the ${backend} backend`);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
  try {
    let bar: ProgressBar | undefined;
    const result = await trainOnDataset(pool, {
      datasetVersion: values.dataset,
      modelType: values.model,
      role: values.role,
      hyperparameters: hyperparameters(values.hp),
      seed: Number(values.seed),
      onProgress: (p) => {
        if (p.phase === 'train') {
          bar ??= new ProgressBar(`epoch ${p.epoch + 1}`, p.total, 'samples');
          bar.tick(p.samples - bar.done);
        } else if (p.phase === 'validate') {
          bar?.finish();
          bar = undefined;
          console.log(Number.isNaN(p.validationAuc) ? '  no validation split: every epoch is kept as the latest' : `  validation AUC ${p.validationAuc?.toFixed(4)}`);
        } else console.log(`evaluating the best epoch (${p.epoch + 1}) on the test split and the leave-latest-out holdout…`);
      },
    });
    const m = result.metrics;
    console.log(
      formatTable(
        ['metric', values.model!, 'popularity'],
        [
          ['HR@10', m.hr_at_10.toFixed(4), m.popularity_hr_at_10.toFixed(4)],
          ['NDCG@10', m.ndcg_at_10.toFixed(4), m.popularity_ndcg_at_10.toFixed(4)],
          ['Recall@10', m.recall_at_10.toFixed(4), ''],
          ['AUC (test split)', m.auc.toFixed(4), ''],
          ['group AUC', m.gauc.toFixed(4), ''],
          ['log loss', m.logloss.toFixed(4), ''],
          ['coverage@10', m.coverage_at_10.toFixed(4), ''],
          ['held-out cases trained on', m.test_cases_seen_in_training, ''],
          ['epochs (best)', `${m.epochs} (${m.best_epoch + 1})`, ''],
          ['train samples/s', m.train_samples_per_s, ''],
        ],
      ),
    );
    let registered: { version: number; promoted: boolean } | undefined;
    if (!values['no-register']) {
      const outcome = await registerAndPromote(new ModelRegistry(pool), pool, result, {
        role: values.role,
        modelType: values.model!,
        datasetVersion: values.dataset,
        codeVersion: config.codeVersion,
        config: { seed: Number(values.seed), ...hyperparameters(values.hp) },
      });
      console.log(`registered version ${outcome.version.versionId}; ${outcome.promotion.promoted ? 'promoted' : 'not promoted'}: ${outcome.promotion.reason}`);
      registered = { version: outcome.version.versionId, promoted: outcome.promotion.promoted };
    }
    // The last line, for scripts: the headline metrics and the leak check beside them.
    console.log(
      JSON.stringify({
        dataset: values.dataset,
        model: values.model,
        role: values.role,
        backend: result.backend,
        hr_at_10: m.hr_at_10,
        ndcg_at_10: m.ndcg_at_10,
        auc: m.auc,
        test_cases_seen_in_training: m.test_cases_seen_in_training,
        ncf_users: m.ncf_users,
        test_samples: m.test_samples,
        popularity_hr_at_10: m.popularity_hr_at_10,
        popularity_ndcg_at_10: m.popularity_ndcg_at_10,
        epochs: m.epochs,
        ...registered,
      }),
    );
    result.model.dispose();
  } finally {
    await pool.end();
  }
}

main().catch((error: Error) => {
  console.error(`train failed: ${error.message}`);
  process.exit(1);
});
