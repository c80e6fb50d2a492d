import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000, // CLI tests start PGlite from scratch, slow on a loaded 2-core machine
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
