import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'tools/kafka/target/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    rules: {
      // The library floors (docs/architecture.md): a library imports only from floors below its own, never from a sibling on its floor above core.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'layer:base', onlyDependOnLibsWithTags: ['layer:base'] },
            { sourceTag: 'layer:core', onlyDependOnLibsWithTags: ['layer:base', 'layer:core'] },
            { sourceTag: 'layer:data', onlyDependOnLibsWithTags: ['layer:base', 'layer:core', 'layer:data'] },
            { sourceTag: 'layer:ml', onlyDependOnLibsWithTags: ['layer:base', 'layer:core', 'layer:data'] },
            { sourceTag: 'layer:ui', onlyDependOnLibsWithTags: ['layer:base', 'layer:core', 'layer:data', 'layer:ml'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['layer:base', 'layer:core', 'layer:data', 'layer:ml', 'layer:ui'] },
            { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['layer:base', 'layer:core', 'layer:data', 'layer:ml', 'layer:ui', 'type:app'] },
          ],
        },
      ],
      'no-console': ['error', { allow: ['error'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Scripts served to browsers (the console's page).
    files: ['libs/*/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Test helpers live in each library's testing/ folder, outside what ships: production code never imports them.
    files: ['libs/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@recstream/*/testing', '@recstream/schemas/test-database', '@recstream/schemas/hostile-input', '**/testing/*'], message: 'test helpers are for specs, __tests__ and tools only' },
          ],
        },
      ],
    },
  },
  {
    // Command-line tools talk to people through stdout.
    files: ['tools/**/*.ts', 'apps/*/src/cli/**/*.ts', '**/*.bench.ts'],
    rules: { 'no-console': 'off' },
  },
);
