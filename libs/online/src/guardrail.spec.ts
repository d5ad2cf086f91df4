import { describe, expect, it } from 'vitest';
import { auc, createRandom } from '@recstream/models';
import { Guardrail } from './guardrail.js';

describe('Guardrail', () => {
  const random = createRandom(5);
  const labels = Array.from({ length: 400 }, (_, i) => i % 2);
  const good = labels.map((y) => y + random.normal());
  const worse = labels.map((y) => 0.3 * y + random.normal());

  it('reports the AUC of the latest window of holdout examples for both models', () => {
    const guardrail = new Guardrail({ window: 200, minExamples: 50, margin: 0.02 });
    guardrail.record(worse, good, labels);
    const status = guardrail.status();
    expect(status.examples).toBe(200);
    expect(status.onlineAuc).toBeCloseTo(auc(worse.slice(200), labels.slice(200)), 10);
    expect(status.parentAuc).toBeCloseTo(auc(good.slice(200), labels.slice(200)), 10);
    expect(status.healthy).toBe(false);
  });

  it('stays healthy within the margin and before it has enough examples', () => {
    const guardrail = new Guardrail({ window: 400, minExamples: 300, margin: 0.02 });
    guardrail.record(worse.slice(0, 200), good.slice(0, 200), labels.slice(0, 200));
    expect(guardrail.status().healthy).toBe(true);
    // The window rolls past the worse scores: only equal ones are left.
    guardrail.record(good, good, labels);
    expect(guardrail.status()).toMatchObject({ healthy: true, examples: 400 });
    guardrail.record(worse, good, labels);
    expect(guardrail.status().healthy).toBe(false);
  });
});
