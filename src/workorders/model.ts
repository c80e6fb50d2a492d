// The work order as the API shows it, and its mapping from the `workorders` row.
import { decrypt, sealCitizen } from '../privacy/index.js';
export * from './vocabulary.js';
import type { WorkOrder } from './vocabulary.js';

const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : (v as string));

export function fromRow(r: Record<string, any>): WorkOrder {
  const hasLocation = r.address != null || r.district_unit_id != null || r.lat != null || r.lng != null;
  // Personal data is stored encrypted (src/privacy); plaintext columns only hold rows of older versions.
  const name = r.citizen_name_enc != null ? decrypt(r.citizen_name_enc) : (r.citizen_name ?? null);
  const phone = r.citizen_phone_enc != null ? decrypt(r.citizen_phone_enc) : (r.citizen_phone ?? null);
  const hasCitizen = name != null || phone != null;
  return {
    id: r.id,
    number: r.number,
    type: r.type,
    title: r.title,
    content: r.content,
    categoryCode: r.category_code,
    urgency: r.urgency,
    status: r.status,
    location: hasLocation ? { address: r.address, districtUnitId: r.district_unit_id, lat: r.lat, lng: r.lng } : null,
    citizen: hasCitizen ? { name, phone } : null,
    contactId: r.contact_id,
    mainUnitId: r.main_unit_id,
    coUnitIds: r.co_unit_ids ?? [],
    // Requests stored before manager review had no `endorsed`: they were with the center already.
    pendingExtension: r.extension && { endorsed: true, ...r.extension },
    pendingReply: r.pending_reply ?? null,
    extensionDays: r.extension_days,
    reply: r.reply,
    survey: r.survey,
    surveyAttempts: r.survey_attempts,
    lastSurveyAttemptAt: iso(r.last_survey_attempt_at),
    closeReason: r.close_reason,
    duplicateOf: r.duplicate_of,
    dispatchCount: r.dispatch_count,
    returnCount: r.return_count,
    reopenCount: r.reopen_count,
    supervisionCount: r.supervision_count,
    version: r.version,
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    dispatchedAt: iso(r.dispatched_at),
    signedAt: iso(r.signed_at),
    repliedAt: iso(r.replied_at),
    closedAt: iso(r.closed_at),
  };
}

/** Column values of an order, in the order of `ROW_COLUMNS`. */
export const ROW_COLUMNS = [
  'number',
  'type',
  'title',
  'content',
  'category_code',
  'urgency',
  'status',
  'address',
  'district_unit_id',
  'lat',
  'lng',
  'citizen_name_enc',
  'citizen_phone_enc',
  'citizen_phone_bidx',
  'contact_id',
  'main_unit_id',
  'co_unit_ids',
  'extension',
  'extension_days',
  'reply',
  'survey',
  'close_reason',
  'duplicate_of',
  'dispatch_count',
  'return_count',
  'reopen_count',
  'supervision_count',
  'version',
  'created_by',
  'created_at',
  'updated_at',
  'dispatched_at',
  'signed_at',
  'replied_at',
  'closed_at',
  'survey_attempts',
  'last_survey_attempt_at',
  'pending_reply',
] as const;

export function toRowValues(o: WorkOrder): unknown[] {
  const json = (v: unknown) => (v == null ? null : JSON.stringify(v));
  const citizen = sealCitizen(o.citizen);
  return [
    o.number,
    o.type,
    o.title,
    o.content,
    o.categoryCode,
    o.urgency,
    o.status,
    o.location?.address ?? null,
    o.location?.districtUnitId ?? null,
    o.location?.lat ?? null,
    o.location?.lng ?? null,
    citizen.name_enc,
    citizen.phone_enc,
    citizen.phone_bidx,
    o.contactId,
    o.mainUnitId,
    o.coUnitIds,
    json(o.pendingExtension),
    o.extensionDays,
    json(o.reply),
    json(o.survey),
    o.closeReason,
    o.duplicateOf,
    o.dispatchCount,
    o.returnCount,
    o.reopenCount,
    o.supervisionCount,
    o.version,
    o.createdBy,
    o.createdAt,
    o.updatedAt,
    o.dispatchedAt,
    o.signedAt,
    o.repliedAt,
    o.closedAt,
    o.surveyAttempts,
    o.lastSurveyAttemptAt,
    json(o.pendingReply),
  ];
}
