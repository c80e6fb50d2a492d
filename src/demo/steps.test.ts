// The demo's live departments' steps (#24): transfers, a suspension and appeals, taken through
// the actions, show in the orders, their history and the appeals list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, testPlatform, type TestPlatform } from '../../test/helpers.js';
import { DEMO_PASSWORD, seedDemo } from './seed.js';
import { seedDepartmentSteps } from './steps.js';

let platform: TestPlatform;
let taken: number;

beforeAll(async () => {
  platform = await testPlatform();
  await seedDemo(platform.db, { contacts: 3000, days: 10, seed: 5 });
  taken = await seedDepartmentSteps(platform.ctx);
}, 120_000);
afterAll(async () => platform?.close());

describe('the demo city’s departments’ side', () => {
  it('has orders passed down, waiting for the upper review, suspended, and appealed', async () => {
    expect(taken).toBeGreaterThanOrEqual(9);
    const supervisor = await loginAs(platform, 'supervisor1', DEMO_PASSWORD);
    const items: any[] = [];
    for (const status of ['dispatched', 'accepted']) {
      let cursor: string | null = '';
      while (cursor !== null) {
        const page: any = (await supervisor.get(`/api/v1/workorders?status=${status}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
        items.push(...page.items);
        cursor = page.nextCursor ?? null;
      }
    }
    const transferred = items.filter((o) => o.transferChain.length === 1);
    expect(transferred).toHaveLength(3);
    expect(items.filter((o) => o.pendingReply?.stage === 'upper')).toHaveLength(1);
    expect(items.filter((o) => o.suspended)).toHaveLength(1);
    expect(items.filter((o) => o.pendingSuspension)).toHaveLength(1);
    const events = (await supervisor.get(`/api/v1/workorders/${transferred[0].id}/events`)).body.items.map((e: any) => e.type);
    expect(events).toContain('transferred_down');
    // Each went to the street its address names.
    const streets = await platform.db.query<{ address: string; name: string }>(
      `SELECT w.address, u.name FROM workorders w JOIN units u ON u.id = (w.transfer_chain->0->>'unitId')::int WHERE w.transfer_chain <> '[]'::jsonb`,
    );
    expect(streets.rows).toHaveLength(3);
    for (const r of streets.rows) expect(r.address).toContain(r.name);

    const appeals = (await supervisor.get('/api/v1/appeals')).body.items.map((a: any) => a.status).sort();
    expect(appeals).toEqual(expect.arrayContaining(['rejected', 'upheld']));
  });
});
