// Areas (#26) in a real browser, with no tile server (the boundaries alone, as offline): the agent
// picks a point on the console's map and sees the sub-district filled in, the order is made with
// that point; the supervisor's dashboard shades the districts by their orders (the heat map).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium, shot, signIn, startServer, toast, type TestServer } from './browser.js';

const ADMIN_PASSWORD = 'admin-pass-e2e-1';
const PASSWORD = 'password-123';
if (!hasChromium) console.warn(`areas e2e: skipped, ${CHROMIUM} is missing`);

let server: TestServer;
const units: Record<string, number> = {};
let agentToken = '';
const rect = (x0: number, y0: number, x1: number, y1: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ],
  ],
});

beforeAll(async () => {
  server = await startServer({ env: { JIESU_ADMIN_PASSWORD: ADMIN_PASSWORD, JIESU_MAP_TILE_URL: undefined } });
  const call = <T = any>(method: string, path: string, token?: string, body?: unknown) => server.call<T>(method, path, token, body);
  const admin = await server.tokenOf('admin', ADMIN_PASSWORD);
  const unit = async (key: string, name: string, kind: string, parentId?: number) =>
    (units[key] = (await call('POST', '/units', admin, { name, kind, parentId })).body.id as number);
  const city = await unit('city', '示范市', 'city');
  const center = await unit('center', '12345热线中心', 'bureau', city);
  await unit('east', '东城区', 'district', city);
  await unit('west', '西城区', 'district', city);
  await unit('street1', '东华门街道', 'subdistrict', units.east);
  await unit('street2', '景山街道', 'subdistrict', units.east);
  const imported = await call('POST', '/areas/import', admin, {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { unitId: units.east }, geometry: rect(116.0, 39.9, 116.2, 40.0) },
      { type: 'Feature', properties: { unitId: units.west }, geometry: rect(115.8, 39.9, 116.0, 40.0) },
      { type: 'Feature', properties: { unitId: units.street1 }, geometry: rect(116.0, 39.9, 116.1, 40.0) },
      { type: 'Feature', properties: { unitId: units.street2 }, geometry: rect(116.1, 39.9, 116.2, 40.0) },
    ],
  });
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  const user = async (username: string, unitId: number, roles: string[]) => {
    const r = await call('POST', '/users', admin, { username, password: PASSWORD, displayName: `${username}姓名`, unitId, roles });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return server.tokenOf(username, PASSWORD);
  };
  agentToken = await user('agent1', center, ['agent']);
  await user('supervisor1', center, ['supervisor']);
  // Three orders by their points alone in 东城区, one in 西城区.
  for (const [lat, lng] of [
    [39.95, 116.05],
    [39.96, 116.15],
    [39.94, 116.12],
    [39.95, 115.9],
  ]) {
    const r = await call('POST', '/workorders', agentToken, { type: 'complaint', title: '道路积水', content: '雨后路面积水严重', location: { lat, lng } });
    expect(r.status).toBe(201);
  }
}, 90_000);
afterAll(async () => server?.stop());

describe.skipIf(!hasChromium)('areas in the web app', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => browser?.close());

  it('picks a point on the agent console’s map and fills in the area, which the order keeps', async () => {
    const agent = await signIn(browser, server.base, 'agent1', PASSWORD);
    const map = agent.getByRole('region', { name: '地图：点击选择问题发生的位置' });
    // Drawn from the boundaries alone: no tile server is configured.
    await map.locator(`path.area-unit-${units.street2}`).waitFor();
    expect(await map.locator('img.leaflet-tile').count()).toBe(0);
    // The middle of 景山街道.
    await map.scrollIntoViewIfNeeded();
    // Once the map has stopped moving (its first fit to the city is animated).
    const jingshan = map.locator(`path.area-unit-${units.street2}`);
    let box = (await jingshan.boundingBox())!;
    await expect
      .poll(async () => {
        const before = JSON.stringify(box);
        await agent.waitForTimeout(300);
        box = (await jingshan.boundingBox())!;
        return JSON.stringify(box) === before;
      })
      .toBe(true);
    await agent.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => agent.getByTestId('resolved-areas').textContent()).toMatch(/东城区 \/ 景山街道/);
    // The area field shows it, for the agent to keep or correct.
    const areaField = agent.locator('.ant-form-item').filter({ has: agent.getByLabel('所属区域') });
    await expect.poll(() => areaField.textContent()).toContain('景山街道');
    await map.locator('path.map-point').waitFor();
    await shot(agent, 'areas-agent-pick');

    await agent.getByLabel('来电号码').fill('13800138000');
    await agent.getByLabel('标题').fill('井盖缺失');
    await agent.getByLabel('诉求内容').fill('路口井盖缺失，夜间很危险。');
    await agent.keyboard.press('Control+Enter');
    await toast(agent, /已创建工单 \d{13}/);
    const list = await server.call('GET', '/workorders?q=井盖缺失', agentToken);
    const order = list.body.items[0];
    expect(order.location.districtUnitId).toBe(units.street2);
    expect(order.location.lat).toBeGreaterThan(39.9);
    expect(order.location.lng).toBeGreaterThan(116.1);
    expect(order.location.lng).toBeLessThan(116.2);

    // The order's page shows its point and its areas.
    await agent.goto(`${server.base}/orders/${order.id}`);
    await agent.getByTestId('order-map').locator('path.map-point').waitFor();
    expect(await agent.getByTestId('resolved-areas').textContent()).toContain('东城区 / 景山街道');
    await agent.context().close();
  });

  it('shades the districts by their orders on the supervisor’s heat map', async () => {
    const supervisor = await signIn(browser, server.base, 'supervisor1', PASSWORD);
    await supervisor.goto(`${server.base}/dashboard`);
    const heat = supervisor.getByTestId('heat-map');
    await heat.locator('path.area-heat').nth(1).waitFor();
    await expect.poll(() => heat.locator('path.map-order').count()).toBe(5);
    const fill = (id: number) => heat.locator(`path.area-heat.area-unit-${id}`).getAttribute('fill');
    // 东城区 (4 orders) is the darkest; 西城区 (1) lighter, and neither is the empty colour.
    expect(await heat.locator('path.area-heat').count()).toBe(2);
    expect(await fill(units.east!)).toBe('#a63603');
    expect(await fill(units.west!)).toBe('#fdd0a2');
    expect(await heat.getByRole('region').getAttribute('aria-label')).toContain('东城区 4');
    await shot(supervisor, 'areas-heat-map', true);
    // By sub-district: the sub-districts are shaded (西城区 has none drawn).
    await heat.getByText('按街道').click();
    await expect.poll(() => heat.locator('path.area-heat').count()).toBe(2);
    await supervisor.context().close();
  });
});
