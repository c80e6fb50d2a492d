// Lint: typescript-eslint with type information, React hooks for the web app, and import
// rules that keep the layers pointing one way (no cycles, no reaching into another module).
// Formatting is Prettier's (`npm run format`); eslint-config-prettier turns off what it owns.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

// The domain modules (src/<module>/); core, db, http and cli are the layers they stand on.
const MODULES = [
  'callcenter',
  'demo',
  'dispatch',
  'duplicates',
  'intake',
  'kb',
  'kpi',
  'notifications',
  'open311',
  'org',
  'portal',
  'privacy',
  'security',
  'sla',
  'survey',
  'workorders',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data*/**', 'bench/out/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'web/tsconfig.json'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // SQL rows and JSON bodies arrive untyped (`any`) and are typed where they enter a module
      // (fromRow, the route schemas); flagging every read of them would bury the findings above.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // A module is used through its entry file (src/<module>/index.ts); its other files are its own.
    // Vocabularies (import-free type files the web app shares) and benchmark kits are the exceptions.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(src/)?(${MODULES.join('|')})/(?!index\\.js$|vocabulary\\.js$|[\\w-]+\\.bench\\.js$|testkit)`,
              message: 'Import another module through its entry file, ../<module>/index.js.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  prettier,
);
