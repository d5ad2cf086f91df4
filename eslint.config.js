import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'tools/kafka/target/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
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
    // Command-line tools talk to people through stdout.
    files: ['tools/**/*.ts', 'apps/*/src/cli/**/*.ts', '**/*.bench.ts'],
    rules: { 'no-console': 'off' },
  },
);
