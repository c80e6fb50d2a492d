// SQL migrations live with their module: src/<module>/migrations/NNNN_name.sql.
// They run in global filename order, each once, at start-up, on both engines.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

// src/db/migrate.ts and dist/db/migrate.js sit at the same depth below the package root.
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Migration {
  name: string; // e.g. 0002_workorders
  module: string;
  sql: string;
}

export function listMigrations(root = packageRoot): Migration[] {
  const src = join(root, 'src');
  const found: Migration[] = [];
  for (const mod of readdirSync(src, { withFileTypes: true })) {
    if (!mod.isDirectory()) continue;
    const dir = join(src, mod.name, 'migrations');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.sql')) continue;
      found.push({ name: file.replace(/\.sql$/, ''), module: mod.name, sql: readFileSync(join(dir, file), 'utf8') });
    }
  }
  found.sort((a, b) => a.name.localeCompare(b.name));
  const seen = new Set<string>();
  for (const m of found) {
    const prefix = m.name.split('_')[0]!;
    if (seen.has(prefix)) throw new Error(`two migrations share the number ${prefix}`);
    seen.add(prefix);
  }
  return found;
}

/** Applies pending migrations; returns the names applied. Safe when several nodes start at once. */
export async function migrate(db: Database): Promise<string[]> {
  const migrations = listMigrations();
  return db.tx(async (q) => {
    // One node migrates at a time; the others wait here and then find nothing to do.
    await q.query('SELECT pg_advisory_xact_lock(1245012345)');
    await q.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await q.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await q.exec(m.sql);
      await q.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
      applied.push(m.name);
    }
    return applied;
  });
}
