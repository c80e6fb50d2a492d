// Import of Asterisk call detail records (cdr_csv's Master.csv, no header line):
//   accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata,
//   start, answer, end, duration, billsec, disposition, amaflags, uniqueid, userfield
// Times are local wall-clock "YYYY-MM-DD HH:MM:SS" (Asterisk's default), read with a
// fixed UTC offset (+08:00 for China, which has no daylight saving time).
// Each row becomes events of the call whose id is the uniqueid (offered at start,
// answered at answer, abandoned at end when not answered, ended at end), so a CTI feed
// that uses the same uniqueid merges with it. A re-import skips uniqueids already there.
import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import type { Database } from '../db/database.js';
import { encrypt, sealCitizen } from '../privacy/index.js';
import { ingestEvents, type CallEvent } from './service.js';

export const CDR_COLUMNS = [
  'accountcode',
  'src',
  'dst',
  'dcontext',
  'clid',
  'channel',
  'dstchannel',
  'lastapp',
  'lastdata',
  'start',
  'answer',
  'end',
  'duration',
  'billsec',
  'disposition',
  'amaflags',
  'uniqueid',
  'userfield',
] as const;

export interface CdrRow {
  uniqueid: string;
  fields: string[];
  start: Date;
  answer: Date | null;
  end: Date;
  duration: number;
  billsec: number;
  disposition: string;
}

export interface ImportReport {
  rows: number;
  imported: number;
  skipped: number;
  bad: { line: number; reason: string }[];
}

function parseTime(v: string, offset: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(v.trim());
  if (!m) return null;
  const d = new Date(`${m[1]}T${m[2]}${m[3] ?? ''}${m[4] ?? offset}`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Checks one record; returns the row or the reason it is bad. */
export function readCdr(fields: string[], offset: string): CdrRow | string {
  if (fields.length < 17 || fields.length > 18) return `应有 18 列，实有 ${fields.length} 列 (expected 18 columns, got ${fields.length})`;
  const f = (name: (typeof CDR_COLUMNS)[number]) => (fields[CDR_COLUMNS.indexOf(name)] ?? '').trim();
  const uniqueid = f('uniqueid');
  if (!uniqueid || uniqueid.length > 150) return 'uniqueid 为空或过长 (empty or too long uniqueid)';
  const start = parseTime(f('start'), offset);
  if (!start) return `start 时间无效 (bad start time "${f('start')}")`;
  const end = parseTime(f('end'), offset);
  if (!end) return `end 时间无效 (bad end time "${f('end')}")`;
  if (end < start) return 'end 早于 start (end before start)';
  const answer = f('answer') ? parseTime(f('answer'), offset) : null;
  if (f('answer') && !answer) return `answer 时间无效 (bad answer time "${f('answer')}")`;
  if (answer && (answer < start || answer > end)) return 'answer 不在 start 与 end 之间 (answer outside start..end)';
  const duration = Number(f('duration'));
  const billsec = Number(f('billsec'));
  if (!/^\d+$/.test(f('duration')) || !/^\d+$/.test(f('billsec'))) return 'duration/billsec 应为非负整数 (must be whole seconds)';
  const disposition = f('disposition').toUpperCase();
  if (!disposition) return 'disposition 为空 (empty disposition)';
  return { uniqueid, fields: fields.map((x) => x.trim()), start, answer, end, duration, billsec, disposition };
}

function eventsOf(r: CdrRow): CallEvent[] {
  const lastapp = r.fields[7] ?? '';
  const queue = lastapp.toLowerCase() === 'queue' ? (r.fields[8] ?? '').split(',')[0] || null : r.fields[3] || null;
  const ev: CallEvent[] = [{ callId: r.uniqueid, type: 'offered', at: r.start.toISOString(), queue }];
  const answered = r.disposition === 'ANSWERED' && r.answer;
  if (answered) ev.push({ callId: r.uniqueid, type: 'answered', at: r.answer!.toISOString(), queue });
  else ev.push({ callId: r.uniqueid, type: 'abandoned', at: r.end.toISOString(), queue });
  ev.push({ callId: r.uniqueid, type: 'ended', at: r.end.toISOString(), queue });
  return ev;
}

async function storeBatch(db: Database, rows: CdrRow[]): Promise<number> {
  return db.tx(async (q) => {
    const col = (i: number) => rows.map((r) => r.fields[i] || null);
    // The caller's number and caller id are personal data, sealed like a citizen's phone and name;
    // on a call-back the destination and the dial string (lastdata) hold the citizen's number.
    const callers = rows.map((r) => sealCitizen({ phone: r.fields[1] || null, name: r.fields[4] || null }));
    const ins = await q.query<{ uniqueid: string }>(
      `INSERT INTO cc_cdr (uniqueid, accountcode, src_enc, dst_enc, dcontext, clid_enc, channel, dstchannel, lastapp, lastdata_enc,
         start_at, answer_at, end_at, duration, billsec, disposition, amaflags, userfield, src_bidx)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
         $10::text[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::int[], $15::int[], $16::text[], $17::text[], $18::text[], $19::text[])
       ON CONFLICT (uniqueid) DO NOTHING RETURNING uniqueid`,
      [
        rows.map((r) => r.uniqueid),
        col(0),
        callers.map((c) => c.phone_enc),
        col(2).map(encrypt),
        col(3),
        callers.map((c) => c.name_enc),
        col(5),
        col(6),
        col(7),
        col(8).map(encrypt),
        rows.map((r) => r.start),
        rows.map((r) => r.answer),
        rows.map((r) => r.end),
        rows.map((r) => r.duration),
        rows.map((r) => r.billsec),
        rows.map((r) => r.disposition),
        col(15),
        col(17),
        callers.map((c) => c.phone_bidx),
      ],
    );
    const fresh = new Set(ins.rows.map((r) => r.uniqueid));
    await ingestEvents(q, rows.filter((r) => fresh.has(r.uniqueid)).flatMap(eventsOf), 'cdr');
    return fresh.size;
  });
}

/** Streams the file in batches of `batchSize` rows, each batch one transaction. */
export async function importCdrFile(
  db: Database,
  file: string,
  opts: { utcOffset?: string; batchSize?: number; onProgress?: (bytesRead: number, totalBytes: number) => void } = {},
): Promise<ImportReport> {
  const total = statSync(file).size;
  const offset = opts.utcOffset ?? '+08:00';
  const batchSize = opts.batchSize ?? 500;
  const report: ImportReport = { rows: 0, imported: 0, skipped: 0, bad: [] };
  const stream = createReadStream(file);
  const parser = stream.pipe(parse({ relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true, bom: true }));
  let batch: CdrRow[] = [];
  let inBatch = new Set<string>();
  const flush = async () => {
    if (batch.length === 0) return;
    const n = await storeBatch(db, batch);
    report.imported += n;
    report.skipped += batch.length - n;
    batch = [];
    inBatch = new Set();
    opts.onProgress?.(stream.bytesRead, total);
  };
  for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    report.rows++;
    const row = readCdr(rec.record, offset);
    if (typeof row === 'string') {
      report.bad.push({ line: rec.info.lines, reason: row });
      continue;
    }
    if (inBatch.has(row.uniqueid)) {
      report.skipped++; // the same uniqueid twice in one file: the first one counts
      continue;
    }
    inBatch.add(row.uniqueid);
    batch.push(row);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  opts.onProgress?.(total, total);
  return report;
}
