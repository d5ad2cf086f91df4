import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import { evaluateRanking } from '../eval/ncf-protocol.js';
import { PopularityScorer } from '../eval/popularity.js';
import { QUALITY_SPEC, qualitySplit, trainAndRank } from '../../testing/quality-setup.js';

const popularity = evaluateRanking(new PopularityScorer(qualitySplit.train), qualitySplit.cases, QUALITY_SPEC);

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

// Thresholds sit below the measured values in docs/decisions/quality-test-thresholds.md.
describe.each([
  ['mf', 0.4],
  ['neumf', 0.4],
  ['twotower', 0.4],
  ['deepfm', 0.4],
] as const)('%s on planted sequences', (kind, margin) => {
  it(`beats popularity on HR@10 by at least ${margin}`, { timeout: 120_000 }, async () => {
    const report = await trainAndRank(kind);
    expect(report.hitRate).toBeGreaterThan(popularity.hitRate + margin);
    expect(report.ndcg).toBeGreaterThan(popularity.ndcg);
  });
});
