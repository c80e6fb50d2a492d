// The center's switches for the departments' side (co-units' parts before the lead's reply,
// return review), one row in `workorder_settings`, as the KPI and dispatch settings are kept.
import type { Queryable } from '../db/database.js';
import { DEFAULT_WORKORDER_SETTINGS, type WorkorderSettings } from './lifecycle.js';

export async function loadWorkorderSettings(q: Queryable): Promise<WorkorderSettings> {
  const { rows } = await q.query<{ settings: Partial<WorkorderSettings> }>('SELECT settings FROM workorder_settings WHERE id = 1');
  const s = rows[0]?.settings ?? {};
  return {
    requireCoReplies: s.requireCoReplies ?? DEFAULT_WORKORDER_SETTINGS.requireCoReplies,
    returnReview: s.returnReview ?? DEFAULT_WORKORDER_SETTINGS.returnReview,
  };
}

/** Sets the given switches, leaving the others (one statement: two saves at once lose neither). */
export async function saveWorkorderSettings(q: Queryable, patch: Partial<WorkorderSettings>): Promise<WorkorderSettings> {
  await q.query('UPDATE workorder_settings SET settings = settings || $1::jsonb, updated_at = now() WHERE id = 1', [JSON.stringify(patch)]);
  return loadWorkorderSettings(q);
}
