import { Type } from 'typebox';
import type { App } from '../http/app.js';
import { requireActor } from '../http/app.js';
import type { AppContext } from '../core/context.js';
import { IdParams, StringEnum } from '../http/schemas.js';
import { recordQuality, scorecard } from './scorecard.js';
import { TARGET_MEASURES, checkContract, getContract, putContract, requireContract, type Contract } from './contract.js';
import {
  AGENT_STATES,
  EVENT_TYPES,
  GROUP_BY,
  agentStateHistory,
  callStats,
  currentAgentStates,
  postEvents,
  setAgentState,
  wallboard,
  type GroupBy,
} from './service.js';

const DateTime = Type.String({ format: 'date-time' });

const EventsBody = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          callId: Type.String({ minLength: 1, maxLength: 150 }),
          type: StringEnum(EVENT_TYPES),
          at: DateTime,
          agentId: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 2147483647 }), Type.Null()])),
          queue: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

// `wrap-up` (as CTI vendors write it) is accepted and stored as `wrap_up`.
const StateBody = Type.Object({ state: StringEnum([...AGENT_STATES, 'wrap-up'] as const), at: Type.Optional(DateTime) }, { additionalProperties: false });

const StatsQuery = Type.Object({
  from: DateTime,
  to: DateTime,
  groupBy: Type.Optional(StringEnum(GROUP_BY)),
  /** Alias of groupBy for the time intervals. */
  interval: Type.Optional(StringEnum(['hour', 'day', 'month'] as const)),
  sl: Type.Array(Type.Integer({ minimum: 1, maximum: 600 }), { maxItems: 4, default: [15, 20] }),
  contractValue: Type.Optional(Type.Number({ minimum: 0 })),
});

const SUPERVISION = ['supervisor', 'admin'] as const;

const DateOnly = Type.String({ format: 'date' });
const ContractBody = Type.Object(
  {
    periodFrom: DateOnly,
    periodTo: DateOnly,
    value: Type.Number({ minimum: 0, maximum: 1e12 }),
    targets: Type.Object(
      Object.fromEntries(
        TARGET_MEASURES.map((m) => [m, Type.Optional(Type.Number({ minimum: 0, maximum: m === 'asaSeconds' ? 3600 : m === 'qualityScore' ? 100 : 1 }))]),
      ),
      { additionalProperties: false, default: {} },
    ),
    deductions: Type.Array(
      Type.Object(
        {
          measure: StringEnum(TARGET_MEASURES),
          threshold: Type.Number({ minimum: 0 }),
          percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
          amount: Type.Optional(Type.Number({ minimum: 0 })),
          note: Type.Optional(Type.String({ maxLength: 500 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 50, default: [] },
    ),
  },
  { additionalProperties: false },
);

export function routes(app: App, ctx: AppContext) {
  const { db, config } = ctx;

  app.post('/api/v1/callcenter/events', { schema: { tags: ['callcenter'], body: EventsBody } }, async (req) => {
    requireActor(req, 'agent', 'supervisor', 'admin');
    return postEvents(db, req.body.events);
  });

  app.post('/api/v1/callcenter/agents/:id/state', { schema: { tags: ['callcenter'], params: IdParams, body: StateBody } }, async (req) => {
    const state = req.body.state === 'wrap-up' ? 'wrap_up' : req.body.state;
    return setAgentState(db, requireActor(req), req.params.id, state, req.body.at);
  });
  app.get(
    '/api/v1/callcenter/agents/:id/states',
    { schema: { tags: ['callcenter'], params: IdParams, querystring: Type.Object({ from: Type.Optional(DateTime), to: Type.Optional(DateTime) }) } },
    async (req) => {
      const actor = requireActor(req);
      if (actor.id !== req.params.id) requireActor(req, ...SUPERVISION);
      return { items: await agentStateHistory(db, req.params.id, req.query.from, req.query.to) };
    },
  );
  app.get('/api/v1/callcenter/agents', { schema: { tags: ['callcenter'] } }, async (req) => {
    requireActor(req, 'agent', ...SUPERVISION);
    return { items: await currentAgentStates(db) };
  });

  app.get('/api/v1/callcenter/stats', { schema: { tags: ['callcenter'], querystring: StatsQuery } }, async (req) => {
    requireActor(req, ...SUPERVISION);
    const q = req.query;
    const groupBy: GroupBy = q.groupBy ?? q.interval ?? 'day';
    const sl = [...new Set(q.sl)].sort((a, b) => a - b);
    const r = await callStats(db, { from: q.from, to: q.to, groupBy, slSeconds: sl, contractValue: q.contractValue, timeZone: config.timeZone });
    // Without ?contractValue the stored contract is used: its value prorated to the period covered.
    const stored = q.contractValue == null ? await getContract(db) : null;
    const contract = stored ? await checkContract(db, stored, q.from, q.to, config.timeZone, r.totals) : null;
    if (contract && contract.share > 0) {
      r.totals.costPerEffectiveCall = r.totals.effectiveCalls > 0 ? Math.round((contract.proratedValue / r.totals.effectiveCalls) * 100) / 100 : null;
    }
    return { from: q.from, to: q.to, groupBy, timeZone: config.timeZone, serviceLevelSeconds: sl, ...r, ...(contract ? { contract } : {}) };
  });

  app.get('/api/v1/callcenter/contract', { schema: { tags: ['callcenter'] } }, async (req) => {
    requireActor(req, ...SUPERVISION);
    return requireContract(db);
  });
  app.put('/api/v1/callcenter/contract', { schema: { tags: ['callcenter'], body: ContractBody } }, async (req) =>
    putContract(db, requireActor(req, 'admin'), req.body as Contract),
  );

  // Quality inspection (质检) and the operator's monthly scorecard against the contract.
  app.post(
    '/api/v1/callcenter/quality',
    {
      schema: {
        tags: ['callcenter'],
        body: Type.Object(
          {
            contactId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
            agentId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
            score: Type.Number({ minimum: 0, maximum: 100 }),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await recordQuality(db, requireActor(req, ...SUPERVISION), req.body)),
  );
  app.get(
    '/api/v1/callcenter/scorecard',
    { schema: { tags: ['callcenter'], querystring: Type.Object({ month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }) }) } },
    async (req) => {
      requireActor(req, ...SUPERVISION);
      return scorecard(db, req.query.month, config.timeZone);
    },
  );

  // The wallboard: a JSON snapshot, or a server-sent-event stream of snapshots every few seconds.
  app.get('/api/v1/callcenter/wallboard', { schema: { tags: ['callcenter'] } }, async (req) => {
    requireActor(req, 'agent', ...SUPERVISION);
    return wallboard(db, config.timeZone);
  });
  app.get(
    '/api/v1/callcenter/wallboard/stream',
    {
      schema: {
        tags: ['callcenter'],
        querystring: Type.Object({ every: Type.Integer({ minimum: 1, maximum: 60, default: 5 }), count: Type.Optional(Type.Integer({ minimum: 1 })) }),
      },
    },
    async (req, reply) => {
      requireActor(req, 'agent', ...SUPERVISION);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let sent = 0;
      let closed = false;
      req.raw.on('close', () => (closed = true));
      while (!closed) {
        const snap = await wallboard(db, config.timeZone).catch(() => null);
        if (snap) res.write(`event: wallboard\ndata: ${JSON.stringify(snap)}\n\n`);
        if (req.query.count && ++sent >= req.query.count) break;
        await new Promise((r) => setTimeout(r, req.query.every * 1000));
      }
      res.end();
    },
  );
}
