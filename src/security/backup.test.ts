// Backups and the personal-data key, through the CLI: the key stays out of the backup unless
// asked for (and `jiesu backup` says where it must be kept), a key that comes back is readable by
// its owner only, and a folder restored without its key waits for it instead of making a new one.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../db/migrate.js';
import { configurePii, KEY_FILE } from '../privacy/index.js';
import { startPlatform } from '../server.js';
import { ADMIN_PASSWORD, loginAs, seedCity, throwawayDatabase } from '../../test/helpers.js';
import { backupEntries } from './backup.js';

const exec = promisify(execFile);
const bin = join(packageRoot, 'bin', 'jiesu.js');
const tmp = mkdtempSync(join(tmpdir(), 'jiesu-backup-'));
const testKeys = process.env.JIESU_PII_KEYS!;
const PHONE = '13620000001';

/** The CLI without JIESU_PII_KEYS (the folder's own key file), unless `keys` is given. */
async function jiesu(args: string[], keys?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '' };
  if (keys) env.JIESU_PII_KEYS = keys;
  else delete env.JIESU_PII_KEYS;
  try {
    const r = await exec('node', [bin, ...args], { cwd: tmp, env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: any) {
    return { code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string };
  }
}

/** Opens a folder with its own key file (no JIESU_PII_KEYS), as `jiesu serve --data` does. */
async function openFolder(dataDir: string) {
  delete process.env.JIESU_PII_KEYS;
  try {
    return await startPlatform({ dataDir, adminPassword: ADMIN_PASSWORD });
  } finally {
    process.env.JIESU_PII_KEYS = testKeys;
  }
}

async function callerOf(dataDir: string, contactId: number) {
  const p = await openFolder(dataDir);
  try {
    const agent = await loginAs(p, 'agent1', 'password-123');
    return (await agent.get(`/api/v1/contacts/${contactId}`)).body.caller.phone as string;
  } finally {
    await p.close();
  }
}

const source = join(tmp, 'source');
let contactId = 0;
let keySpec = '';

beforeAll(async () => {
  const p = await openFolder(source);
  try {
    const { users } = await seedCity(p);
    const c = await users.agent.post('/api/v1/contacts', {
      channel: 'phone',
      startedAt: new Date(Date.now() - 60_000).toISOString(),
      caller: { phone: PHONE, name: '钱七' },
      summary: '咨询',
      outcome: 'answered',
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    contactId = c.body.id;
  } finally {
    await p.close();
  }
  keySpec = readFileSync(join(source, KEY_FILE), 'utf8').trim();
}, 120_000);
afterAll(() => {
  configurePii({});
  rmSync(tmp, { recursive: true, force: true });
});

describe('jiesu backup and the personal-data key (embedded folder)', () => {
  const plain = join(tmp, 'plain.tgz');
  const withKey = join(tmp, 'with-key.tgz');

  it('leaves the key out and says where it must be kept', async () => {
    const b = await jiesu(['backup', '--out', plain, '--data', source]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain(`NOT in this backup): keep ${join(source, KEY_FILE)} (key k1) safe and apart from it`);
    expect(b.stdout).toMatch(/without the key this backup's names and phones cannot be read/);
    const names = backupEntries(plain);
    expect(names).toContain('/PG_VERSION');
    expect(names.some((n) => n.endsWith(KEY_FILE))).toBe(false);
    expect(statSync(plain).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('does not open a folder a running process holds, and leaves its lock out of the backup', async () => {
    const p = await openFolder(source);
    try {
      const b = await jiesu(['backup', '--out', join(tmp, 'busy.tgz'), '--data', source]);
      expect(b.code).toBe(1);
      expect(b.stderr).toMatch(/正由进程 \d+/);
      expect(existsSync(join(tmp, 'busy.tgz'))).toBe(false);
    } finally {
      await p.close();
    }
    expect(backupEntries(plain).some((n) => n.endsWith('jiesu.lock'))).toBe(false);
  }, 120_000);

  it('puts the key in with --include-key, and says so', async () => {
    const b = await jiesu(['backup', '--include-key', '--out', withKey, '--data', source]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/IS inside this backup/);
    expect(backupEntries(withKey)).toContain(`/${KEY_FILE}`);
  }, 120_000);

  it('restores a key that came with the backup readable by its owner only, in a folder only its owner enters', async () => {
    const dir = join(tmp, 'restored-with-key');
    const r = await jiesu(['restore', '--in', withKey, '--data', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/the personal-data key came with the backup/);
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dir, KEY_FILE), 'utf8').trim()).toBe(keySpec);
    expect(await callerOf(dir, contactId)).toBe(PHONE);
  }, 120_000);

  it('restores without the key: says to put it back, and the folder waits for it instead of making a new one', async () => {
    const dir = join(tmp, 'restored-plain');
    const r = await jiesu(['restore', '--in', plain, '--data', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`put the key file back as ${join(dir, KEY_FILE)} (chmod 600) or set JIESU_PII_KEYS with key k1`);
    // Any command, not only serve, refuses the folder with one clear line and generates no key.
    const m = await jiesu(['migrate', '--data', dir]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/restored without its personal-data key k1: put the key file back/);
    expect(m.stderr).not.toMatch(/\n\s+at /);
    await expect(openFolder(dir)).rejects.toThrow(/restored without its personal-data key/);
    expect(existsSync(join(dir, KEY_FILE))).toBe(false);
    // The key put back: everything reads again.
    writeFileSync(join(dir, KEY_FILE), keySpec + '\n', { mode: 0o600 });
    expect(await callerOf(dir, contactId)).toBe(PHONE);
  }, 120_000);

  it('accepts JIESU_PII_KEYS at restore, and says when it lacks the key', async () => {
    const good = await jiesu(['restore', '--in', plain, '--data', join(tmp, 'restored-env')], keySpec);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/JIESU_PII_KEYS holds the key k1 this backup needs/);
    const other = `k1:${Buffer.alloc(32, 9).toString('base64')}`;
    const bad = await jiesu(['restore', '--in', plain, '--data', join(tmp, 'restored-wrong')], other);
    expect(bad.code).toBe(0);
    expect(bad.stderr).toMatch(/JIESU_PII_KEYS lacks key k1/);
  }, 120_000);

  it('a folder whose key file went missing refuses to start and keeps no generated key', async () => {
    const dir = join(tmp, 'restored-with-key');
    rmSync(join(dir, KEY_FILE));
    await expect(openFolder(dir)).rejects.toThrow(/has no personal-data key, but its names and phones are encrypted with key k1/);
    expect(existsSync(join(dir, KEY_FILE))).toBe(false);
  }, 120_000);
});

describe.runIf(process.env.DATABASE_URL)('jiesu backup and the personal-data key (PostgreSQL server)', () => {
  it('says the key is JIESU_PII_KEYS and not in the dump; --include-key is for folders', async () => {
    const src = (await throwawayDatabase())!;
    const dst = (await throwawayDatabase())!;
    try {
      const p = await startPlatform({ databaseUrl: src.url, adminPassword: ADMIN_PASSWORD });
      await p.close();
      const file = join(tmp, 'server.dump');
      const b = await jiesu(['backup', '--out', file, '--database-url', src.url], testKeys);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout).toMatch(/NOT in this backup\): keep JIESU_PII_KEYS \(key test\) safe and apart from it/);
      const k = await jiesu(['backup', '--include-key', '--out', join(tmp, 'x.dump'), '--database-url', src.url], testKeys);
      expect(k.code).toBe(1);
      expect(k.stderr).toMatch(/only for an embedded folder/);
      const r = await jiesu(['restore', '--in', file, '--database-url', dst.url], testKeys);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/JIESU_PII_KEYS holds the key test this backup needs/);
    } finally {
      await src.drop();
      await dst.drop();
    }
  }, 120_000);
});
