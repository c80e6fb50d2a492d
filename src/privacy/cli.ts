// `jiesu privacy …`: make a key, see which rows are not under the newest key, rotate.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { progressBar } from '../cli/progress.js';
import { dbOptions, withDb, type DbOptions } from '../cli/shared.js';
import { newKeySpec, primaryKeyId } from './pii.js';
import { countStale, encryptLegacy, rotate, verifyKeys } from './store.js';

const keyId = (v: string) => {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(v)) throw new InvalidArgumentError('key id: 1-32 letters, digits, _ or -');
  return v;
};

export function commands(program: Command) {
  const p = program.command('privacy').description('citizen personal data encrypted at rest: keys and rotation (JIESU_PII_KEYS)');
  p.command('new-key')
    .description('print a new random key as id:base64 (put it FIRST in JIESU_PII_KEYS, keep the old ones after it)')
    .option('--id <id>', 'key id', keyId, `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`)
    .action((o: { id: string }) => console.log(newKeySpec(o.id)));

  dbOptions(p.command('status').description('the newest key and how many rows still need re-encryption')).action((o: DbOptions) =>
    withDb(o, async (db) => {
      await verifyKeys(db);
      console.log(`newest key: ${primaryKeyId()}; rows not under it: ${await countStale(db)}`);
    }),
  );

  dbOptions(p.command('rotate').description('re-encrypt every row of personal data under the newest key of JIESU_PII_KEYS')).action((o: DbOptions) =>
    withDb(o, async (db) => {
      await verifyKeys(db);
      await encryptLegacy(db);
      const t0 = Date.now();
      const bar = progressBar('重新加密 re-encrypt');
      const r = await rotate(db, (d, t) => bar.update(d, t));
      bar.stop();
      console.log(
        `已用密钥 ${primaryKeyId()} 重新加密 (re-encrypted) ${r.rows} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s` +
          (r.retired.length ? `; retired keys (may now be removed from JIESU_PII_KEYS): ${r.retired.join(', ')}` : ''),
      );
    }),
  );
}
