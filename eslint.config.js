// ESLint (flat config): the ecosystem's recommended rules for JavaScript and typescript-eslint's
// type-aware set for every TypeScript file (it catches floating and misused promises, awaits of
// non-promises and `[object Object]` in strings). `npm run lint`; formatting is Prettier's job
// (.prettierrc), so no stylistic rules here.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'build/', 'prebuilds/', '.cache/', 'test/fixtures/']),
  {
    files: ['**/*.{ts,mjs,js}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      // We match control characters on purpose: names a container controls are escaped before they are printed.
      'no-control-regex': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A rejected promise returned from inside try/catch must be awaited there, or the catch never sees it.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // Off: it calls casts to a wider type unnecessary (`err as NodeJS.ErrnoException`, a test's
      // deliberately wrong `'netns' as NamespaceType`), and its --fix removed casts tsc needs.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tests, benchmarks and examples read JSON from runtimes and servers (docker inspect, /metrics):
    // `any` flows from JSON.parse into the assertion that checks it; and their helpers are objects of
    // closures, destructured freely (no `this` to lose).
    files: ['test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // A compile-only test of the public types: its variables exist to be type-checked, not used.
    files: ['test/child-process-types.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
);
