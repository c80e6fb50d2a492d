// On embedded PGlite the database runs on the main thread, so the demo history is generated
// on a worker thread: the worker builds the rows (CSV chunks, encryption, the assessment
// figures) while the main thread COPYs the previous chunk. The worker reaches the database
// through a small message protocol; its writes are a bulk load, so they need no transaction.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CopyOptions, Database, QueryResult } from '../db/database.js';
import { keyringSpec } from '../privacy/index.js';
import type { Rng } from '../core/random.js';
import type { SummedFact } from '../kpi/index.js';
import type { DemoCity, HistoryHooks, HistoryOptions, HistorySummary, OrderPart, OrdersResult } from './types.js';
import { setting } from '../core/config.js';

/** Requests from the worker to the main thread. */
export type DbRequest =
  | { id: number; op: 'query'; sql: string; params?: unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'copy'; table: string; columns: string[]; csv: string | Uint8Array; options: CopyOptions };
/** Everything else the worker says. */
export type WorkerEvent =
  | { op: 'stage'; name: string }
  | { op: 'progress'; stage: string; done: number; total: number }
  | { op: 'done'; summary: HistorySummary }
  | { op: 'orders-done'; result: OrdersResult; kpi: { facts: SummedFact[]; orders: number } }
  | { op: 'failed'; message: string; stack?: string };
export type DbReply = { id: number; result?: QueryResult<unknown> | null; error?: { message: string; code?: string } };

export interface WorkerInput {
  city: DemoCity;
  rngState: number;
  opts: HistoryOptions;
  piiKeys: string;
}
/** A part of the orders, generated on a thread with its own connections to the server. */
export interface OrdersWorkerInput {
  databaseUrl: string;
  city: DemoCity;
  part: OrderPart;
  opts: HistoryOptions;
  piiKeys: string;
}

/** The source files run through tsx (tests, benchmarks): the worker then needs it too. */
const fromSource = import.meta.url.endsWith('.ts');

/** The worker is used on PGlite (a server overlaps COPYs on its own connections); JIESU_DEMO_WORKER=0 turns it off. */
export function useWorker(db: Database): boolean {
  if (db.kind !== 'pglite' || !setting('JIESU_DEMO_WORKER')) return false;
  if (!fromSource) return true;
  try {
    createRequire(import.meta.url).resolve('tsx/cjs/api');
    return true;
  } catch {
    return false;
  }
}

/** worker.js; from source, worker.ts through tsx's require hook (Node 20 has no loader hooks in workers). */
function startWorker(input: WorkerInput | OrdersWorkerInput): Worker {
  // The process's Node options, except those that only make sense for its own entry point.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type') && a !== '-e' && a !== '--eval');
  if (!fromSource) return new Worker(new URL('./worker.js', import.meta.url), { workerData: input, execArgv });
  const api = JSON.stringify(createRequire(import.meta.url).resolve('tsx/cjs/api'));
  const file = JSON.stringify(fileURLToPath(new URL('./worker.ts', import.meta.url)));
  const boot = `const r = process.getBuiltinModule('node:module').createRequire(${api}); r(${api}).register(); r(${file});`;
  return new Worker(boot, { eval: true, workerData: input, execArgv });
}

export async function seedHistoryInWorker(db: Database, city: DemoCity, rng: Rng, opts: HistoryOptions, hooks: HistoryHooks): Promise<HistorySummary> {
  const input: WorkerInput = { city, rngState: rng.state, opts, piiKeys: keyringSpec() };
  const worker = startWorker(input);
  const serve = async (m: DbRequest): Promise<QueryResult<unknown> | null> => {
    if (m.op === 'query') return db.query(m.sql, m.params);
    if (m.op === 'exec') await db.exec(m.sql);
    else await db.copyCsv(m.table, m.columns, m.csv, m.options);
    return null;
  };
  let queue = Promise.resolve();
  return untilDone<HistorySummary, DbRequest | WorkerEvent>(worker, (m, resolve, reject) => {
    if (m.op === 'stage') return hooks.stage(m.name);
    if (m.op === 'progress') return hooks.onProgress?.(m.stage, m.done, m.total);
    if (m.op === 'done') return resolve(m.summary);
    if (m.op === 'failed') return reject(Object.assign(new Error(m.message), { stack: m.stack }));
    if (m.op === 'orders-done') return reject(new Error('unexpected message from the demo worker'));
    // One request at a time, in the order sent (PGlite is one connection anyway).
    queue = queue.then(async () => {
      try {
        worker.postMessage({ id: m.id, result: await serve(m) } satisfies DbReply);
      } catch (err) {
        const e = err as { message?: string; code?: string };
        worker.postMessage({ id: m.id, error: { message: e.message ?? String(err), code: e.code } } satisfies DbReply);
      }
    });
  });
}

/** Resolves with what `onMessage` resolves; a thread that errs or stops first, or an abort, rejects. The thread is ended either way. */
async function untilDone<T, M>(
  worker: Worker,
  onMessage: (m: M, resolve: (v: T) => void, reject: (e: Error) => void) => void,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await new Promise<T>((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new Error('stopped: another part of the demo load failed')), { once: true });
      worker.on('message', (m: M) => onMessage(m, resolve, reject));
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`a demo thread stopped (exit code ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}

/** Generates one part of the orders on a thread of its own (a server: it opens its own connections). */
export async function seedOrdersInWorker(
  databaseUrl: string,
  input: Omit<OrdersWorkerInput, 'databaseUrl' | 'piiKeys'>,
  onProgress: (done: number) => void,
  signal?: AbortSignal,
): Promise<{ result: OrdersResult; kpi: { facts: SummedFact[]; orders: number } }> {
  const worker = startWorker({ ...input, databaseUrl, piiKeys: keyringSpec() });
  // If another part fails (signal), this one stops too.
  return untilDone(
    worker,
    (m: WorkerEvent, resolve, reject) => {
      if (m.op === 'progress') onProgress(m.done);
      else if (m.op === 'orders-done') resolve({ result: m.result, kpi: m.kpi });
      else if (m.op === 'failed') reject(Object.assign(new Error(m.message), { stack: m.stack }));
    },
    signal,
  );
}
