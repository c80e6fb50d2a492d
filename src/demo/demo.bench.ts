// How long the demo city takes to seed on embedded PGlite: a Nanning-scale year
// (406,174 contacts) must take under 60 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { round, type Benchmark } from '../../bench/harness.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { seedDemo } from './seed.js';

export const demoBench: Benchmark = {
  module: 'demo',
  title: 'seed the demo city on embedded PGlite (a data folder on disk)',
  async run({ quick }) {
    const contacts = quick ? 60_000 : 406_174;
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-demo-bench-'));
    const db = await openDatabase({ dataDir: join(dir, 'data') });
    try {
      await migrate(db);
      const s = await seedDemo(db, { contacts, days: 365, seed: 1 });
      const seconds = s.ms / 1000;
      const rows = s.contacts + s.calls + s.orders + s.events;
      return [
        {
          name: `seed ${contacts.toLocaleString('en')} contacts over 365 days`,
          value: round(seconds, 1),
          unit: 's',
          ...(quick ? {} : { target: '< 60 s', pass: seconds < 60 }),
          notes: `${s.orders} orders, ${s.events} events, ${s.calls} calls, ${s.contacts} contacts`,
        },
        { name: 'rows written per second', value: round(rows / seconds, 0), unit: 'rows/s' },
      ];
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
