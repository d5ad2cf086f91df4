import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RULE = '@nx/enforce-module-boundaries';

async function lintErrors(filePath: string, code: string, rule = RULE): Promise<string[]> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: resolve(ROOT, filePath) });
  return result!.messages.filter((message) => message.ruleId === rule).map((message) => message.message);
}

beforeAll(async () => {
  // The rule reads Nx's cached project graph and is skipped without one.
  await createProjectGraphAsync({ exitOnError: false });
}, 120_000);

describe('the library floors (eslint.config.js)', () => {
  it('refuse a sibling import on the ml floor and an import from a higher floor', { timeout: 60_000 }, async () => {
    const sideways = await lintErrors('libs/serving/src/planted.ts', "import { OnlineUpdater } from '@recstream/online';\nexport const planted = OnlineUpdater;\n");
    expect(sideways).toEqual([expect.stringMatching(/layer:ml/)]);
    const upwards = await lintErrors('libs/models/src/planted.ts', "import { modelFeatures } from '@recstream/features';\nexport const planted = modelFeatures;\n");
    expect(upwards).toEqual([expect.stringMatching(/layer:core/)]);
  });

  it('allow imports from lower floors', { timeout: 60_000 }, async () => {
    const code = "import { DeltaChannel } from '@recstream/deltas';\nimport { modelFeatures } from '@recstream/features';\nexport const planted = [DeltaChannel, modelFeatures];\n";
    expect(await lintErrors('libs/serving/src/planted.ts', code)).toEqual([]);
  });
});

describe('test helpers (eslint.config.js)', () => {
  it('may not be imported by production code, only by specs', { timeout: 60_000 }, async () => {
    const code = "import { createTestDatabase } from '@recstream/schemas/test-database';\nexport const planted = createTestDatabase;\n";
    expect(await lintErrors('libs/serving/src/planted.ts', code, 'no-restricted-imports')).toEqual([expect.stringMatching(/test helpers/)]);
    expect(await lintErrors('libs/serving/src/planted.spec.ts', code, 'no-restricted-imports')).toEqual([]);
  });
});
