// allowedActions, which the web app draws its buttons from, says yes exactly where decide()
// gets past its permission and state checks: for every role, state and order shape.
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.js';
import type { Actor, Role } from '../core/context.js';
import { ROLES } from '../core/context.js';
import { ACTIONS, allowedActions, applyEvent, decide, type ActionContext } from './lifecycle.js';
import { STATUSES, type WorkOrder } from './model.js';

const MAIN = 10;
const OTHER = 20;

function baseOrder(): WorkOrder {
  return applyEvent(
    null,
    {
      type: 'created',
      at: '2026-12-01T02:00:00.000Z',
      actorId: 1,
      data: {
        number: '2026120100001',
        type: 'complaint',
        title: 't',
        content: 'c',
        categoryCode: null,
        urgency: 'normal',
        location: null,
        citizen: null,
        contactId: null,
      },
    },
    1,
  );
}

/** The shapes an order can take in each state: what is pending on it changes what may be done. */
function shapes(): WorkOrder[] {
  const out: WorkOrder[] = [];
  const pendingExtensions = [
    null,
    { days: 2, reason: 'r', requestedBy: 2, requestedAt: '2026-12-01T03:00:00.000Z', endorsed: false },
    { days: 2, reason: 'r', requestedBy: 2, requestedAt: '2026-12-01T03:00:00.000Z', endorsed: true },
  ];
  const pendingReplies = [null, { content: 'draft', resolved: true, by: 2, at: '2026-12-01T03:00:00.000Z' }];
  for (const status of STATUSES) {
    for (const pendingExtension of pendingExtensions) {
      for (const pendingReply of pendingReplies) {
        for (const supervisionCount of [0, 1]) {
          for (const closeReason of status === 'closed' ? (['answered', 'duplicate'] as const) : ([null] as const)) {
            out.push({
              ...baseOrder(),
              status,
              mainUnitId: status === 'new' ? null : MAIN,
              pendingExtension,
              pendingReply: pendingReply,
              supervisionCount,
              closeReason,
              duplicateOf: closeReason === 'duplicate' ? 99 : null,
              version: 5,
            });
          }
        }
      }
    }
  }
  return out;
}

/** Every single role, in the main unit and in another one. */
function actors(): Actor[] {
  return (ROLES as readonly Role[]).flatMap((role, i) => [MAIN, OTHER].map((unitId) => ({ id: 100 + i, username: role, unitId, roles: [role] })));
}

/** A body that satisfies every action's own rules, so only permission and state can refuse. */
const body = { version: 5, unitId: OTHER, days: 1, reason: 'r', content: 'c', resolved: true, satisfaction: 'satisfied', note: 'n' };

function context(actor: Actor, order: WorkOrder, managerReviews: boolean): ActionContext {
  return {
    actor,
    now: new Date('2026-12-02T02:00:00.000Z'),
    survey: { maxAttempts: 3, retryAfterMinutes: 120 },
    isMainUnit: actor.unitId != null && actor.unitId === order.mainUnitId,
    unitExists: () => Promise.resolve(true),
    orderExists: () => Promise.resolve(true),
    managerReviews: () => Promise.resolve(managerReviews),
  };
}

/** Whether decide() got past role, unit, state and precondition: a 403 or 409 means no. */
async function decidePermits(order: WorkOrder, action: string, actor: Actor, managerReviews: boolean): Promise<boolean> {
  try {
    await decide(order, action, body, context(actor, order, managerReviews));
    return true;
  } catch (err) {
    if (err instanceof AppError && (err.status === 403 || err.status === 409)) return false;
    if (err instanceof AppError && err.status === 400) return true; // the body's rules, not the permission
    throw err;
  }
}

describe('allowedActions', () => {
  it('matches decide() for every role × state × order shape', async () => {
    const mismatches: string[] = [];
    let cells = 0;
    for (const order of shapes()) {
      for (const actor of actors()) {
        const allowed = allowedActions(order, actor);
        for (const [name, def] of Object.entries(ACTIONS)) {
          if (def.internal) continue;
          for (const managerReviews of [false, true]) {
            cells++;
            const permitted = await decidePermits(order, name, actor, managerReviews);
            if (permitted !== allowed.includes(name)) {
              mismatches.push(
                `${name} by ${actor.roles[0]}@${actor.unitId} on ${order.status} ext=${JSON.stringify(order.pendingExtension?.endorsed ?? null)} reply=${!!order.pendingReply} sup=${order.supervisionCount}: decide ${permitted}`,
              );
            }
          }
        }
      }
    }
    expect(cells).toBeGreaterThan(10_000);
    expect(mismatches.slice(0, 20)).toEqual([]);
  });

  it('offers a handler of the main unit what it does, and nothing to another unit', () => {
    const order: WorkOrder = { ...baseOrder(), status: 'accepted', mainUnitId: MAIN, version: 3 };
    const handler = (unitId: number): Actor => ({ id: 5, username: 'h', unitId, roles: ['handler'] });
    expect(allowedActions(order, handler(MAIN))).toEqual(['return', 'request-extension', 'reply', 'transfer-down', 'request-suspension']);
    expect(allowedActions(order, handler(OTHER))).toEqual([]);
    expect(allowedActions({ ...order, status: 'dispatched' }, { id: 6, username: 'd', unitId: 1, roles: ['dispatcher'] })).toEqual([]);
    expect(allowedActions({ ...order, status: 'new', mainUnitId: null }, { id: 6, username: 'd', unitId: 1, roles: ['dispatcher'] })).toEqual([
      'dispatch',
      'close',
    ]);
  });
});
