import { describe, expect, it } from 'vitest';
import { CoalescedRun } from './coalesced-run.js';

describe('CoalescedRun', () => {
  it('answers calls during a run with one more run, not one each, and stops rerunning once stopped', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    let stopped = false;
    const coalesced = new CoalescedRun(async () => {
      runs++;
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
    }, () => stopped);
    const first = coalesced.run();
    const during = [coalesced.run(), coalesced.run(), coalesced.run()];
    release();
    await Promise.all([first, ...during]);
    expect(runs).toBe(2);

    runs = 0;
    const again = coalesced.run();
    void coalesced.run();
    stopped = true;
    release();
    await again;
    await coalesced.settled();
    expect(runs).toBe(1);
  });
});
