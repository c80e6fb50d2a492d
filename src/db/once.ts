// What a batch of order listeners reads alike (the calendar and its policies) is read once for the
// batch: within `readingOnce(q, fn)`, `once(q, key, load)` answers every caller from the first load.
// The memo lives only as long as the batch, so a change later in the same transaction is seen.
import type { Queryable } from './database.js';

const batches = new WeakMap<Queryable, Map<string, Promise<unknown>>>();

/** Runs fn with a memo on q for its duration; nested calls share the outermost memo. */
export async function readingOnce<T>(q: Queryable, fn: () => Promise<T>): Promise<T> {
  if (batches.has(q)) return fn();
  batches.set(q, new Map());
  try {
    return await fn();
  } finally {
    batches.delete(q);
  }
}

/** load(), or the value it gave earlier in the same batch on q. */
export function once<T>(q: Queryable, key: string, load: () => Promise<T>): Promise<T> {
  const memo = batches.get(q);
  if (!memo) return load();
  let p = memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    memo.set(key, p);
    // A failed load is not remembered: the next caller tries again.
    p.catch(() => memo.delete(key));
  }
  return p;
}
