import { describe, expect, it } from 'vitest';
import { newClusterId } from './local-broker.js';

describe('newClusterId', () => {
  it('never begins with "-", which StorageTool would read as an option, and is 22 base64url characters', () => {
    const ids = Array.from({ length: 2000 }, newClusterId);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
