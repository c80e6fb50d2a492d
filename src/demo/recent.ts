// The last days' orders, indexed for the assistant and the duplicate check as they are
// generated (the older ones are left out of the demo's search indexes).
import type { CopyWriter } from '../db/bulk.js';
import type { Database } from '../db/database.js';
import { indexOrders } from '../kb/index.js';
import { insertSignatures, type SignedOrder } from '../duplicates/index.js';

/** Days of recent orders the assistant and the duplicate check look through in the demo city. */
export const RECENT_DAYS = 14;

/**
 * Indexes the recent orders for the assistant (kb_order_index) and the duplicate check
 * (dup_signatures) as they are generated, from the text at hand rather than read back. A
 * batch is written while the next one is generated; `drain` waits for the one before.
 */
export class RecentOrderIndex {
  private batch: SignedOrder[] = [];
  private pending: Promise<void> = Promise.resolve();

  /** `orders`: the writer of the orders these reference (a batch waits for their rows). */
  constructor(
    private readonly db: Database,
    private readonly orders: CopyWriter,
  ) {}

  add(o: SignedOrder) {
    this.batch.push(o);
  }

  /** Starts writing what was added, once the batch before it is in. */
  async drain(): Promise<void> {
    await this.pending;
    const rows = this.batch;
    if (!rows.length) return;
    this.batch = [];
    this.pending = this.orders.written().then(async () => void (await Promise.all([indexOrders(this.db, rows), insertSignatures(this.db, rows)])));
    this.pending.catch(() => undefined); // awaited by the next drain or close
  }

  async close(): Promise<void> {
    await this.drain();
    await this.pending;
  }
}
