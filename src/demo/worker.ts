// The worker threads of the demo: on PGlite, the whole history (seedHistory) against a
// Database that forwards every statement and COPY to the main thread (see pipeline.ts); on a
// server, one part of the orders (seedOrders) through connections of the thread's own.
import { parentPort, workerData } from 'node:worker_threads';
import { markPipelined } from '../db/bulk.js';
import type { Database, QueryResult } from '../db/database.js';
import { configurePii } from '../privacy/index.js';
import type { DbReply, DbRequest, OrdersWorkerInput, WorkerEvent, WorkerInput } from './pipeline.js';
import { Rng } from '../core/random.js';
import { seedHistory } from './history.js';
import { seedOrders } from './orders.js';
import { openPostgres } from '../db/database.js';
import { KpiAccumulator } from '../kpi/index.js';
import { defaultConfig } from '../core/context.js';

type Request = DbRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

const port = parentPort!;
const input = workerData as WorkerInput | OrdersWorkerInput;
const waiting = new Map<number, { resolve: (r: QueryResult<any>) => void; reject: (e: Error) => void }>();
let nextId = 0;

port.on('message', (m: DbReply) => {
  const w = waiting.get(m.id)!;
  waiting.delete(m.id);
  if (m.error) w.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
  else w.resolve(m.result ?? { rows: [], rowCount: 0 });
});

function call(req: Request, transfer: ArrayBuffer[] = []): Promise<QueryResult<any>> {
  return new Promise((resolve, reject) => {
    const id = ++nextId;
    waiting.set(id, { resolve, reject });
    port.postMessage({ ...req, id }, transfer);
  });
}

const db: Database = {
  kind: 'pglite',
  query: (sql, params) => call({ op: 'query', sql, params }),
  exec: async (sql) => void (await call({ op: 'exec', sql })),
  // A chunk's memory moves to the main thread (CopyWriter never touches it again; small
  // buffers may share Node's pool, so they are copied).
  copyCsv: async (table, columns, csv, opts = {}) =>
    void (await call(
      { op: 'copy', table, columns, csv, options: opts },
      typeof csv === 'string' || csv.buffer.byteLength <= Buffer.poolSize ? [] : [csv.buffer as ArrayBuffer],
    )),
  tx: (fn) => fn(db),
  close: () => Promise.resolve(),
};
markPipelined(db);

const send = (e: WorkerEvent) => port.postMessage(e);
async function main() {
  configurePii({}, { JIESU_PII_KEYS: input.piiKeys });
  if ('databaseUrl' in input) return ordersPart(input);
  const summary = await seedHistory(db, input.city, Rng.resume(input.rngState), input.opts, {
    stage: (name) => send({ op: 'stage', name }),
    onProgress: (stage, done, total) => send({ op: 'progress', stage, done, total }),
  });
  send({ op: 'done', summary });
}
/** One part of the orders, written through connections of this thread's own. */
async function ordersPart(input: OrdersWorkerInput) {
  const own = await openPostgres(input.databaseUrl);
  try {
    const kpi = await KpiAccumulator.create(own, { db: own, config: { ...defaultConfig, timeZone: input.opts.timeZone }, orderListeners: [] });
    const result = await seedOrders(own, input.city, input.part, input.opts, kpi, (done) =>
      send({ op: 'progress', stage: 'orders', done, total: input.part.times.length }),
    );
    send({ op: 'orders-done', result, kpi: kpi.exportFacts() });
  } finally {
    await own.close();
  }
}

// No top-level await: from source this file is loaded as CommonJS (see pipeline.ts).
main().catch((err: Error) => send({ op: 'failed', message: err.message, stack: err.stack }));
