// Files on a work order through the API: who may add and read them, what is accepted.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../test/helpers.js';
import { useCity } from '../../test/fixtures.js';
import type { WorkOrder } from './model.js';

const t = useCity();
let u: typeof t.u;
let order: WorkOrder;

beforeAll(async () => {
  u = t.u;
  const r = await u.agent.post('/api/v1/workorders', {
    type: 'report',
    title: '路面塌陷',
    content: '东华门街道路口路面塌陷，市民拍了照片。',
    location: { districtUnitId: t.city.units.districtA },
  });
  order = r.body;
  const d = await u.dispatcher.post(`/api/v1/workorders/${order.id}/actions/dispatch`, { version: order.version, unitId: t.city.units.districtA });
  expect(d.status, JSON.stringify(d.body)).toBe(200);
});

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('现场照片的字节'.repeat(100))]);
const PDF = Buffer.from('%PDF-1.4\n%…\n');

async function upload(client: Client, id: number, name: string, type: string, body: Buffer) {
  const r = await t.platform.app.inject({
    method: 'POST',
    url: `/api/v1/workorders/${id}/attachments?name=${encodeURIComponent(name)}`,
    payload: body,
    headers: { authorization: `Bearer ${client.token}`, 'content-type': type },
  });
  return { status: r.statusCode, body: r.json() };
}
const download = (client: Client, id: number, attachmentId: number) =>
  t.platform.app.inject({ method: 'GET', url: `/api/v1/workorders/${id}/attachments/${attachmentId}`, headers: { authorization: `Bearer ${client.token}` } });

describe('attachments', () => {
  it("the agent adds the citizen's photo; the unit handling the order reads it back byte for byte", async () => {
    const r = await upload(u.agent, order.id, 'C:\\photos\\塌陷 现场.jpg', 'image/jpeg', JPEG);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      workorderId: order.id,
      name: '塌陷 现场.jpg',
      contentType: 'image/jpeg',
      size: JPEG.length,
      uploadedBy: expect.any(Number),
    });
    expect(r.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const list = await u.handlerA.get(`/api/v1/workorders/${order.id}/attachments`);
    expect(list.body.items.map((a: any) => a.name)).toEqual(['塌陷 现场.jpg']);
    const file = await download(u.handlerA, order.id, r.body.id);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-disposition']).toBe(`inline; filename*=UTF-8''${encodeURIComponent('塌陷 现场.jpg')}`);
    expect(file.rawPayload.equals(JPEG)).toBe(true);
  });

  it('the handler adds a PDF of the work done', async () => {
    const r = await upload(u.handlerA, order.id, '整改报告.pdf', 'application/pdf', PDF);
    expect(r.status).toBe(201);
    expect((await u.agent.get(`/api/v1/workorders/${order.id}/attachments`)).body.items).toHaveLength(2);
  });

  it('keeps other units out', async () => {
    expect((await upload(u.handlerB, order.id, 'x.jpg', 'image/jpeg', JPEG)).status).toBe(404);
    expect((await u.handlerB.get(`/api/v1/workorders/${order.id}/attachments`)).status).toBe(404);
    const first = (await u.agent.get(`/api/v1/workorders/${order.id}/attachments`)).body.items[0];
    expect((await download(u.handlerB, order.id, first.id)).statusCode).toBe(404);
    expect((await download(u.agent, order.id, 999999)).statusCode).toBe(404);
    expect((await t.platform.app.inject({ method: 'GET', url: `/api/v1/workorders/${order.id}/attachments/${first.id}` })).statusCode).toBe(401);
  });

  it('refuses files that are not what they claim, types it does not take, empty and oversized files, with clear errors', async () => {
    const fake = await upload(u.agent, order.id, 'virus.jpg', 'image/jpeg', Buffer.from('MZ\x90\x00 not a jpeg'));
    expect(fake.status).toBe(400);
    expect(fake.body.error.message).toMatch(/image\/jpeg/);
    const html = await upload(u.agent, order.id, 'page.html', 'text/html', Buffer.from('<script>alert(1)</script>'));
    expect(html.status).toBe(415);
    expect((await upload(u.agent, order.id, 'e.png', 'image/png', Buffer.alloc(0))).status).toBe(400);
    const big = await upload(u.agent, order.id, 'big.pdf', 'application/pdf', Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]));
    expect(big.status).toBe(413);
    expect((await upload(u.agent, order.id, '', 'application/pdf', PDF)).status).toBe(400);
    expect((await u.agent.get(`/api/v1/workorders/${order.id}/attachments`)).body.items).toHaveLength(2);
  });

  it('takes no more files once the order is closed', async () => {
    const n = (await u.agent.post('/api/v1/workorders', { type: 'consultation', title: '咨询', content: '已直接答复' })).body;
    expect((await u.agent.post(`/api/v1/workorders/${n.id}/actions/close`, { version: n.version, reason: 'answered' })).status).toBe(200);
    const r = await upload(u.agent, n.id, 'late.pdf', 'application/pdf', PDF);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('invalid_transition');
  });
});
