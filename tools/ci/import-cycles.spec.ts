import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findImportCycles, projectSources } from './import-cycles.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('findImportCycles', () => {
  it('finds a cycle through type-only, re-export and dynamic imports, and nothing in a chain', () => {
    const files = new Map([
      ['/p/a.ts', "import type { B } from './b.js';\nexport const a = 1;"],
      ['/p/b.ts', "export { c } from './sub/c.js';\nexport type B = number;"],
      ['/p/sub/c.ts', "export const c = () => import('../a.js');"],
      ['/p/d.ts', "import { a } from './a.js';\nimport { e } from './e';"],
      ['/p/e.ts', 'export const e = 1;'],
      ['/p/self.ts', "import './self.js';"],
    ]);
    expect(findImportCycles(files)).toEqual([['/p/a.ts', '/p/b.ts', '/p/sub/c.ts'], ['/p/self.ts']]);
  });

  it('finds none in this repository', () => {
    expect(findImportCycles(projectSources(ROOT))).toEqual([]);
  });
});
