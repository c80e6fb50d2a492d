// Group commit for contacts with an Idempotency-Key. Requests that arrive while earlier
// inserts are on their way to the database are written together by ONE multi-row INSERT
// (one statement, one transaction, one WAL flush) and each request is answered only after
// that statement has committed — so a 2xx still means durable, but a busy intake gateway
// costs a commit per batch instead of a commit per contact.
//
// Only the common case is batched: a key not yet used. A row whose key already exists
// (a retry) is answered from the stored row (replay or 422); a second request with the same key in the same batch, or a batch that fails
// as a whole (an unknown agent or order id: a foreign key) goes back to the one-by-one
// path, which answers the replay, the 422 or the 400 exactly as before.
import type { Queryable } from '../db/database.js';

export interface PendingContact {
  values: unknown[]; // the 16 columns, in COLUMNS order (the caller sealed: src/privacy sealCitizen)
  createdBy: number;
  key: string;
  /** The new row; 'exists': the key was already used (a committed row has it); null: take the one-by-one path. */
  resolve: (row: Record<string, any> | 'exists' | null) => void;
  reject: (err: unknown) => void;
}

const COLUMNS = [
  ['channel', 'text'],
  ['started_at', 'timestamptz'],
  ['ended_at', 'timestamptz'],
  ['caller_phone_enc', 'text'],
  ['caller_name_enc', 'text'],
  ['agent_id', 'int'],
  ['summary', 'text'],
  ['outcome', 'text'],
  ['workorder_id', 'int'],
  ['transfer_to', 'text'],
  ['invalid_reason', 'text'],
  ['call_id', 'text'],
  ['created_by', 'int'],
  ['idempotency_key', 'text'],
  ['request_hash', 'text'],
  ['caller_phone_bidx', 'text'],
] as const;

const SQL = `INSERT INTO contacts (${COLUMNS.map((c) => c[0]).join(', ')})
  SELECT * FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${c[1]}[]`).join(', ')})
  ON CONFLICT (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING *`;

const MAX_BATCH = 256;
/** Batches written at the same time (each holds one pooled connection for one statement). */
const MAX_IN_FLIGHT = 4;

export class ContactBatcher {
  private queue: PendingContact[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly db: Queryable) {}

  submit(p: Omit<PendingContact, 'resolve' | 'reject'>): Promise<Record<string, any> | 'exists' | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...p, resolve, reject });
      this.kick();
    });
  }

  private kick() {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    // Let the requests parsed in this turn of the event loop join the batch.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        this.inFlight++;
        void this.flush(batch).finally(() => {
          this.inFlight--;
          this.kick();
        });
        // With work already in flight, later arrivals wait to form a bigger batch.
        if (this.inFlight > 1) break;
      }
    });
  }

  private async flush(batch: PendingContact[]) {
    const seen = new Set<string>();
    const first: PendingContact[] = [];
    const later: PendingContact[] = [];
    for (const p of batch) {
      const k = `${p.createdBy}\u0000${p.key}`;
      if (seen.has(k)) later.push(p);
      else {
        seen.add(k);
        first.push(p);
      }
    }
    let rows: Record<string, any>[];
    try {
      const cols = COLUMNS.map((_, i) => first.map((p) => p.values[i]));
      rows = (await this.db.query(SQL, cols)).rows;
    } catch {
      // One bad row fails the statement: let every request find out on its own.
      for (const p of batch) p.resolve(null);
      return;
    }
    const byKey = new Map(rows.map((r) => [`${r.created_by}\u0000${r.idempotency_key}`, r]));
    // No row back for a key: ON CONFLICT found it taken by a committed row (it waits for an
    // inserting transaction to end, and proceeds if that one rolls back).
    for (const p of first) p.resolve(byKey.get(`${p.createdBy}\u0000${p.key}`) ?? 'exists');
    for (const p of later) p.resolve(null);
  }
}

const batchers = new WeakMap<Queryable, ContactBatcher>();
export function batcherFor(db: Queryable): ContactBatcher {
  let b = batchers.get(db);
  if (!b) batchers.set(db, (b = new ContactBatcher(db)));
  return b;
}
