import { describe, expect, it } from 'vitest';
import type { FeatureSpec } from '../batch.js';
import type { Interaction } from '../data/interactions.js';
import { evaluateRanking, leaveLatestOut } from '../eval/ncf-protocol.js';
import { createModel } from '../models/factory.js';
import { plantedSequences } from '../../testing/planted-data.js';
import { fit } from '../training/fit.js';
import { splitSettings, type Settings } from './search-space.js';
import { tuneNcf, tuneTrainAndTest } from './ncf-tuning.js';
import type { TuningResult } from './study.js';

const SPEC: FeatureSpec = { contextFields: [], historyLength: 0 };
const interactions = plantedSequences();
const split = leaveLatestOut(interactions);
/** Deliberately bad MF settings: tiny factors, a crawling learning rate, heavy L2, few epochs. */
const BAD: Settings = { dim: 4, sparseLearningRate: 0.002, l2: 0.01, negatives: 1, batchSize: 2048, epochs: 3 };
const OPTIONS = { trials: 6, seed: 3 };

async function testHitRate(settings: Settings): Promise<number> {
  const { config, fit: fitOptions } = splitSettings(settings);
  const model = createModel('mf', SPEC, { ...config, seed: 1 });
  await fit(model, split.train, SPEC, { ...fitOptions, seed: 1 });
  return evaluateRanking(model, split.cases, SPEC).hitRate;
}

const withoutSeconds = (result: TuningResult) => result.trials.map(({ seconds: _seconds, ...rest }) => rest);

describe('tuneNcf', () => {
  it('finds MF settings clearly better than a bad default, on validation and on test', { timeout: 120_000 }, async () => {
    const result = await tuneNcf('mf', split.train, SPEC, BAD, OPTIONS);
    const base = result.trials[0]!;
    expect(base.settings).toEqual({ dim: 4, sparseLearningRate: 0.002, l2: 0.01, negatives: 1, batchSize: 2048 });
    expect(result.best.score).toBeGreaterThan(base.score + 0.3);
    expect(result.chosen.epochs).toBe(result.best.bestEpochs);
    expect(await testHitRate(result.chosen)).toBeGreaterThan((await testHitRate(BAD)) + 0.3);
  });

  it('never reads the test split: poisoning it leaves every trial and the choice unchanged', { timeout: 120_000 }, async () => {
    // Each user's latest interaction (the test case) now points at items nobody else has.
    const latest = new Map<number, Interaction>();
    for (const i of interactions) if ((latest.get(i.userId)?.timestamp ?? -1) < i.timestamp) latest.set(i.userId, i);
    const poisoned = interactions.map((i) => (latest.get(i.userId) === i ? { ...i, itemId: 1_000_000 + i.userId } : i));
    const poisonedSplit = leaveLatestOut(poisoned);
    expect(poisonedSplit.cases.map((c) => c.heldOut.itemId)).not.toEqual(split.cases.map((c) => c.heldOut.itemId));

    const clean = await tuneTrainAndTest('mf', split, SPEC, BAD, OPTIONS);
    const dirty = await tuneTrainAndTest('mf', poisonedSplit, SPEC, BAD, OPTIONS);
    clean.model.dispose();
    dirty.model.dispose();
    // The poison reached the test figures...
    expect(dirty.report.hitRate).toBeLessThan(clean.report.hitRate - 0.3);
    // ...and nothing the search saw or chose.
    expect(dirty.tuning.chosen).toEqual(clean.tuning.chosen);
    expect(withoutSeconds(dirty.tuning)).toEqual(withoutSeconds(clean.tuning));
  });
});
