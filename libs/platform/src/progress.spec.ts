import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProgressBar } from './progress.js';

describe('ProgressBar', () => {
  afterEach(() => vi.useRealTimers());

  it('prints a line per tenth on a non-TTY, with a rate only once it has had time to mean something', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const lines: string[] = [];
    const tty = process.stderr.isTTY;
    process.stderr.isTTY = false;
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    try {
      const bar = new ProgressBar('epoch 1', 1_000, 'samples');
      bar.tick(45);
      vi.advanceTimersByTime(2_000);
      bar.tick(55);
      bar.tick(850);
      bar.tick(50);
    } finally {
      write.mockRestore();
      process.stderr.isTTY = tty;
    }
    expect(lines).toEqual(['epoch 1 5% 45/1,000 samples\n', 'epoch 1 10% 100/1,000 samples (50/s)\n', 'epoch 1 95% 950/1,000 samples (475/s)\n', 'epoch 1 100% 1,000/1,000 samples (500/s)\n']);
  });
});
