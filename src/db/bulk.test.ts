import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throwawayDatabase } from '../../test/helpers.js';
import { CopyWriter, withIndexesDeferred, type BulkColumn } from './bulk.js';
import { openDatabase, type Database } from './database.js';

let db: Database;
let drop: (() => Promise<void>) | undefined;
beforeAll(async () => {
  const tmp = await throwawayDatabase();
  drop = tmp?.drop;
  db = await openDatabase({ databaseUrl: tmp?.url });
  await db.exec('CREATE TABLE bulk_t (id int, note text, tags int[], doc jsonb, at timestamptz)');
});
afterAll(async () => {
  await db?.close();
  await drop?.();
});

const COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'int' },
  { name: 'note', type: 'text' },
  { name: 'tags', type: 'int[]' },
  { name: 'doc', type: 'jsonb' },
  { name: 'at', type: 'timestamptz' },
];
// Values that need escaping in one format or the other: quotes, commas, tabs, line ends, backslashes, NULL, "\.".
const ROWS: unknown[][] = [
  [1, 'plain 文本', [1, 2], { a: 1 }, new Date('2026-01-02T03:04:05.678Z')],
  [2, 'tab\there, comma, "quotes"', [], { text: 'line\nbreak "q" back\\slash\ttab' }, null],
  [3, '\\.', null, null, new Date('2026-06-30T23:59:59.999Z')],
  [4, 'cr\r\nlf\\n literal', [3], { list: ['x', '\\'] }, null],
  [5, '', null, { empty: '' }, null],
];

describe('CopyWriter', () => {
  for (const format of ['csv', 'text'] as const) {
    it(`loads awkward values unchanged in COPY's ${format} format`, async () => {
      await db.exec('TRUNCATE bulk_t');
      const w = new CopyWriter(db, 'bulk_t', COLUMNS, { format, chunkRows: 2 });
      for (const r of ROWS) await w.add(r);
      await w.close();
      const { rows } = await db.query<{ id: number; note: string | null; tags: number[] | null; doc: unknown; at: Date | null }>(
        'SELECT * FROM bulk_t ORDER BY id',
      );
      expect(rows.map((r) => [r.id, r.note, r.tags, r.doc, r.at ? new Date(r.at).toISOString() : null])).toEqual(
        ROWS.map((r) => [r[0], r[1], r[2], r[3], r[4] ? (r[4] as Date).toISOString() : null]),
      );
    });
  }
});

describe('withIndexesDeferred', () => {
  const shape = async () =>
    (
      await db.query<{ name: string; def: string }>(
        `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = 'deferred_t'::regclass
          UNION ALL SELECT conname, concat_ws(' ', contype, condeferrable, condeferred) FROM pg_constraint WHERE conrelid = 'deferred_t'::regclass AND contype IN ('p', 'u') ORDER BY 1, 2`,
      )
    ).rows;

  it('builds the keys and indexes again after the load, as they were', async () => {
    await db.exec(`DROP TABLE IF EXISTS deferred_t;
      CREATE TABLE deferred_t (id int PRIMARY KEY, code text UNIQUE DEFERRABLE INITIALLY DEFERRED, n int, tags int[]);
      CREATE INDEX deferred_t_n_idx ON deferred_t (n) WHERE n > 0;
      CREATE INDEX deferred_t_tags_idx ON deferred_t USING gin (tags);`);
    const before = await shape();
    const loaded = await withIndexesDeferred(
      db,
      ['deferred_t'],
      async () => {
        expect(await shape()).toEqual([]); // nothing to maintain row by row during the load
        await db.exec(`INSERT INTO deferred_t SELECT i, 'c' || i, i % 7, ARRAY[i % 5] FROM generate_series(1, 2000) i`);
        return 'done';
      },
      { parallel: 2 },
    );
    expect(loaded).toBe('done');
    expect(await shape()).toEqual(before);
    await expect(db.query(`INSERT INTO deferred_t VALUES (1, 'other', 0, '{}')`)).rejects.toThrow(/duplicate key/);
  });

  it('fails when the load broke a key', async () => {
    await db.exec(`DROP TABLE IF EXISTS deferred_t; CREATE TABLE deferred_t (id int PRIMARY KEY, code text UNIQUE, n int, tags int[]);`);
    await expect(withIndexesDeferred(db, ['deferred_t'], () => db.exec(`INSERT INTO deferred_t VALUES (1, 'a', 0, '{}'), (2, 'a', 0, '{}')`))).rejects.toThrow(
      /duplicate|unique/i,
    );
  });
});
