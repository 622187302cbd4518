// ESLint: typescript-eslint's type-checked rules on every TypeScript file; formatting is Prettier's job
// (eslint-config-prettier turns off the rules it would fight). `npm run lint` allows no warning.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'contract/dist/**',
      'node_modules/**',
      'coverage/**',
      'test/e2e/screenshots/**',
      'bench/results/**',
      '**/*.mjs',
      '**/*.js',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Tests hand chai's property assertions (`expect(x).to.be.true`) to the linter as bare expressions.
      '@typescript-eslint/no-unused-expressions': 'off',
      // A method that implements an async port stays `async` without awaiting, so that a throw in it is a
      // rejection like every other implementation's, never a synchronous exception.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The UI's event handlers are async; Preact ignores what a handler returns, and each one catches its own
    // errors to show them next to the form.
    files: ['src/ui/**/*.tsx'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }] },
  },
  {
    // Tests read HTTP answers, which supertest types as `any`, and assert on them: the assertion is the check.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
