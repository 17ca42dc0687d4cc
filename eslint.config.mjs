// Lint rules that guard Temporal's determinism and async correctness (docs/conventions.md "Workflows", "Lint").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import prettierConfig from 'eslint-config-prettier';

/**
 * The layering the README states, as per-folder allowed imports: imports only go down. Each entry
 * names the folders a folder may import from (itself always). `emulators/` imports no product code
 * (the product reaches it over HTTP only); `main/` (entry points, composition root) sits on top.
 */
const layers = {
  domain: [],
  config: ['domain'],
  workflows: ['domain'],
  db: ['domain', 'config'],
  integrations: ['domain', 'config'],
  temporal: ['domain', 'config', 'workflows'],
  activities: ['domain', 'config', 'workflows', 'db', 'integrations'],
  worker: ['domain', 'config', 'workflows', 'temporal', 'activities'],
  services: ['domain', 'config', 'workflows', 'db', 'integrations', 'temporal'],
  api: ['domain', 'config', 'workflows', 'db', 'integrations', 'services'],
  // The web console: pages over the same services, views and access rules as the API.
  console: ['domain', 'config', 'workflows', 'db', 'integrations', 'services', 'api'],
  emulators: [],
  demo: ['domain', 'config', 'integrations', 'emulators'],
  main: [
    'domain',
    'config',
    'workflows',
    'db',
    'integrations',
    'temporal',
    'activities',
    'worker',
    'services',
    'api',
    'console',
    'emulators',
    'demo',
  ],
  scripts: null, // tools and benchmarks: anything, tests' support included
  test: null,
};

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', '.cache/**', 'db/migrations/**', '**/*.mjs', '**/*.mts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The console's one browser script (console/static/progress.js).
    files: ['console/static/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { document: 'readonly', fetch: 'readonly', setTimeout: 'readonly' } },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { boundaries, 'import-x': importX },
    settings: {
      'import/resolver': { typescript: { alwaysTryTypes: true, project: './tsconfig.json' } },
      'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true, project: './tsconfig.json' })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'boundaries/elements': Object.keys(layers).map((type) => ({ type, pattern: `${type}/**`, partialMatch: false })),
      // api/app.ts composes the app: the API's routes, and the console (which sits on the API) under /console.
      'boundaries/files': [{ category: 'composition', pattern: 'api/app.ts' }],
      'boundaries/ignore': ['*.ts'],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message:
            'Layering: {{from.type}}/ may not import {{to.type}}/ (imports only go down; see eslint.config.mjs `layers` and the README).',
          policies: [
            ...Object.entries(layers).map(([type, allowed]) => ({
              from: { element: { type } },
              allow: { to: { element: { types: { anyOf: allowed === null ? Object.keys(layers) : [type, ...allowed] } } } },
            })),
            { from: { file: { categories: 'composition' } }, allow: { to: { element: { type: 'console' } } } },
          ],
        },
      ],
      // No import cycles anywhere (a cycle hides which layer depends on which).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, and activities are
    // reached only through proxyActivities, so only their *types* may be imported.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins
            .flatMap((m) => [m, `node:${m}`])
            .map((name) => ({ name, message: 'Node built-ins are not allowed in workflow code (Temporal sandbox).' })),
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '../activities*'],
              allowTypeImports: true,
              message: 'Import only activity types into workflows; call them through proxyActivities.',
            },
            {
              group: ['**/integrations/**', '**/db/**', '**/api/**', '**/services/**', '**/main/**'],
              message: 'Workflows may not import I/O layers.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'require', '__dirname', '__filename', 'Buffer', 'setImmediate'],
    },
  },
  // Formatting is Prettier's (npm run format); no lint rule may fight it.
  prettierConfig,
);
