import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SERVING_V8_FLAGS } from './node-options.js';

describe('SERVING_V8_FLAGS', () => {
  it('names flags this V8 knows: setFlagsFromString would ignore a misspelt one, the command line refuses it', () => {
    expect(() => execFileSync(process.execPath, [...SERVING_V8_FLAGS, '-e', ''], { stdio: 'pipe' })).not.toThrow();
    expect(() => execFileSync(process.execPath, ['--heap-growing-percentage=100', '-e', ''], { stdio: 'pipe' })).toThrow();
  });
});
