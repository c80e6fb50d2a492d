import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, testPlatform, type TestPlatform } from '../../test/helpers.js';
import { DEMO_PASSWORD, seedDemo } from './seed.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await testPlatform();
  await seedDemo(platform.db, { contacts: 200, days: 3, seed: 3, end: new Date('2026-11-20T10:00:00Z') });
});
afterAll(async () => platform?.close());

describe('the demo city’s reply templates', () => {
  it('has the center’s for every box and its first district’s own, which render for that district’s orders', async () => {
    const handler = await loginAs(platform, 'unit1_handler', DEMO_PASSWORD);
    const items = (await handler.get('/api/v1/reply-templates')).body.items as { id: number; scope: string; kinds: string[]; unitName: string | null }[];
    const kinds = new Set(items.filter((t) => t.scope === 'center').flatMap((t) => t.kinds));
    expect([...kinds].sort()).toEqual(['co-reply', 'followup', 'reply', 'return']);
    const own = items.filter((t) => t.scope === 'unit');
    expect(own.length).toBeGreaterThan(0);
    const agent = await loginAs(platform, 'agent1', DEMO_PASSWORD);
    expect(((await agent.get('/api/v1/reply-templates')).body.items as { scope: string }[]).every((t) => t.scope === 'center')).toBe(true);
    const order = (await handler.get('/api/v1/workorders?limit=1')).body.items[0];
    expect(order).toBeTruthy();
    const r = await handler.get(
      `/api/v1/reply-templates/${items.find((t) => t.kinds.includes('reply') && t.scope === 'center')!.id}/render?workorderId=${order.id}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.text).toContain(order.number);
    expect(r.body.text).not.toMatch(/\{\{/);
  });
});
