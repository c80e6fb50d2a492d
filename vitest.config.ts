import { defineConfig } from 'vitest/config';

// The browser tests always serve from embedded PGlite (test/browser.ts), so a second pass on the
// PostgreSQL server would run them again unchanged: CI's server pass sets BROWSER_TESTS=off.
const browserTests = process.env.BROWSER_TESTS !== 'off';
if (!browserTests) console.warn('browser tests (test/*.e2e.test.ts): not run in this pass, BROWSER_TESTS=off; they run on PGlite');

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: browserTests ? ['**/node_modules/**'] : ['**/node_modules/**', 'test/**/*.e2e.test.ts'],
    testTimeout: 120_000, // CLI tests start PGlite from scratch, slow on a loaded 2-core machine
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
