import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@recstream/models';
import { measureInstances, type InstancesReport } from '../testing/instances.js';

let report: InstancesReport;

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
  report = await measureInstances({ instances: 2 });
}, 180_000);

// The gaps these seeds measured and why these bounds: docs/decisions/online-updater-instances.md.
const TOLERANCE = { hitRate: 0.03, auc: 0.03 };

describe('two online updater instances splitting the stream by partition', () => {
  it(`serve models within ${TOLERANCE.hitRate} HR@10 and ${TOLERANCE.auc} AUC of one instance's, on events not trained on`, () => {
    // Online learning is worth measuring here: one instance is well above chance on the ranking.
    expect(report.single.auc).toBeGreaterThan(0.7);
    expect(report.served.hitRate).toBeGreaterThanOrEqual(report.single.hitRate - TOLERANCE.hitRate);
    expect(report.served.auc).toBeGreaterThanOrEqual(report.single.auc - TOLERANCE.auc);
  });

  it('fall outside that tolerance when one copy stands for both (a promoted snapshot, or a partition resumed on another copy)', () => {
    expect(report.oneCopy.hitRate).toBeLessThan(report.single.hitRate - TOLERANCE.hitRate);
    expect(report.oneCopy.auc).toBeLessThan(report.single.auc - TOLERANCE.auc);
  });
});
