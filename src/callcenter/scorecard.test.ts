// The operator's monthly scorecard against the contract: measures, quality score, targets, deductions.
import { describe, expect, it } from 'vitest';
import { useCity } from '../../test/fixtures.js';
import { monthOf } from '../kpi/index.js';

const month = monthOf(new Date(), 'Asia/Shanghai');

const t = useCity();

describe('GET /api/v1/callcenter/scorecard', () => {
  it('scores the month against the contract with its deductions', async () => {
    const { admin, agent, supervisor } = t.city.users;
    const year = Number(month.slice(0, 4));
    const put = await admin.put('/api/v1/callcenter/contract', {
      periodFrom: `${year}-01-01`,
      periodTo: `${year}-12-31`,
      value: 3_650_000,
      targets: { answerRate: 0.9, serviceLevel15: 0.8, qualityScore: 90 },
      deductions: [
        { measure: 'answerRate', threshold: 0.9, percent: 5, note: '接通率未达标扣5%' },
        { measure: 'qualityScore', threshold: 80, amount: 1000 },
      ],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // Ten calls: eight answered within 10 s, two abandoned.
    const t0 = Date.now() - 3600_000;
    const events = [];
    for (let i = 0; i < 10; i++) {
      const at = (ms: number) => new Date(t0 + i * 60_000 + ms).toISOString();
      events.push({ callId: `sc-${i}`, type: 'offered', at: at(0), queue: '12345' });
      if (i < 8)
        events.push(
          { callId: `sc-${i}`, type: 'answered', at: at(10_000), agentId: (await agent.get('/api/v1/auth/me')).body.id },
          { callId: `sc-${i}`, type: 'ended', at: at(200_000) },
        );
      else events.push({ callId: `sc-${i}`, type: 'abandoned', at: at(30_000) });
    }
    expect((await agent.post('/api/v1/callcenter/events', { events })).status).toBe(200);
    // Eight phone contacts, one of them invalid: seven effective calls.
    let firstContact = 0;
    for (let i = 0; i < 8; i++) {
      const c = await agent.post('/api/v1/contacts', {
        channel: 'phone',
        startedAt: new Date(t0 + i * 60_000).toISOString(),
        summary: '咨询',
        outcome: i === 7 ? 'invalid' : 'answered',
        ...(i === 7 ? { invalidReason: 'silent' } : {}),
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      firstContact ||= c.body.id;
    }
    for (const score of [80, 90]) {
      expect((await supervisor.post('/api/v1/callcenter/quality', { contactId: firstContact, score, note: '服务用语规范' })).status).toBe(201);
    }
    expect((await agent.post('/api/v1/callcenter/quality', { contactId: firstContact, score: 100 })).status).toBe(403);
    expect((await supervisor.post('/api/v1/callcenter/quality', { score: 50 })).body.error.field).toBe('agentId');

    const r = await supervisor.get(`/api/v1/callcenter/scorecard?month=${month}`);
    expect(r.status).toBe(200);
    expect(r.body.measures).toMatchObject({
      offered: 10,
      answered: 8,
      answerRate: 0.8,
      serviceLevel15: 1,
      effectiveCalls: 7,
      qualityScore: 85,
      qualityInspections: 2,
    });
    const c = r.body.contract;
    expect(c.targets).toEqual(
      expect.arrayContaining([
        { measure: 'answerRate', target: 0.9, actual: 0.8, met: false },
        { measure: 'serviceLevel15', target: 0.8, actual: 1, met: true },
        { measure: 'qualityScore', target: 90, actual: 85, met: false },
      ]),
    );
    const prorated = c.proratedValue;
    expect(prorated).toBeGreaterThan(250_000); // about a twelfth of the year's value
    expect(c.deductions[0].deducted).toBeCloseTo(prorated * 0.05, 1);
    expect(c.deductions[1].deducted).toBe(0); // 85 is above the 80 threshold
    expect(r.body.measures.costPerEffectiveCall).toBeCloseTo(prorated / 7, 1);
    expect((await t.city.users.handlerA.get(`/api/v1/callcenter/scorecard?month=${month}`)).status).toBe(403);
  });
});
