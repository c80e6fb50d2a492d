// The set-up most API test files share, as vitest hooks. Kept apart from helpers.ts, which the
// benchmarks (run by tsx, outside vitest) import as well.
import { afterAll, beforeAll } from 'vitest';
import { seedCity, testPlatform, type TestPlatform } from './helpers.js';

export type City = Awaited<ReturnType<typeof seedCity>>;

export interface CityFixture {
  platform: TestPlatform;
  city: City;
  /** city.users: one logged-in client per role. */
  u: City['users'];
}

/**
 * For a test file (or a describe block): a fresh test platform seeded with the small city before
 * its tests (beforeAll), closed after them (afterAll). The fields are filled once beforeAll has run.
 */
export function useCity(): CityFixture {
  const t = {} as CityFixture;
  beforeAll(async () => {
    t.platform = await testPlatform();
    t.city = await seedCity(t.platform);
    t.u = t.city.users;
  });
  afterAll(async () => t.platform?.close());
  return t;
}
