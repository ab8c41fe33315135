// `npm run lint`: ESLint with typescript-eslint's recommended rules over the sources, tests,
// examples and benchmarks. Formatting is Prettier's job (.prettierrc), not ESLint's.
// The few rules adjusted below are adjusted for the house style, each with its reason; none of
// them hides a bug found in today's tree.
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'coverage/**', 'reports/**', '.stryker-tmp/**', 'node_modules/**', 'temp/**'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      // Interface methods keep their parameters, named with a leading underscore when unused
      // (`onStart(_span, _parentContext) {}`): the signature documents the contract.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // A variable initialized to its fallback and then reassigned in a `try` (the exporter
      // wrapper's `let out = spans`) reads clearly and is not a bug.
      'no-useless-assignment': 'off',
    },
  },
  {
    // Tests walk JSON payloads of other tools (OTLP, Prometheus, Collector configs) untyped.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
