// One configuration: every variable the code reads is in SETTINGS, bad values fail with one
// clear line, and the README's table is the one SETTINGS makes.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, SETTINGS, checkSettings, setting, settingsTable } from './config.js';

const ROOT = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'fixtures' ? [] : sources(p);
    return /\.(ts|tsx|js)$/.test(f) ? [p] : [];
  });
}

describe('settings', () => {
  it('lists every JIESU_ variable the code, tests and benchmarks read', () => {
    const named = new Set<string>();
    for (const f of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'bench')), ...sources(join(ROOT, 'test'))]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bJIESU_[A-Z][A-Z0-9_]*[A-Z0-9]\b/g)) named.add(m[0]);
    }
    const missing = [...named].filter((n) => !(n in SETTINGS));
    expect(missing).toEqual([]);
  });

  it('reads defaults, checks kinds and limits, and says what is wrong in one line', () => {
    expect(setting('JIESU_DB_POOL', {})).toBe(10);
    expect(setting('JIESU_DB_POOL', { JIESU_DB_POOL: ' 25 ' })).toBe(25);
    expect(setting('JIESU_REOPEN_TO_SAME_UNIT', { JIESU_REOPEN_TO_SAME_UNIT: 'false' })).toBe(false);
    expect(setting('JIESU_TRUST_PROXY', { JIESU_TRUST_PROXY: '' })).toBe(false);
    expect(setting('JIESU_SERVER', {})).toBeUndefined();
    expect(() => setting('JIESU_DB_POOL', { JIESU_DB_POOL: 'ten' })).toThrow(ConfigError);
    expect(() => setting('JIESU_DB_POOL', { JIESU_DB_POOL: '0' })).toThrow(/JIESU_DB_POOL.*至少|JIESU_DB_POOL.*at least 1/);
    expect(() => setting('JIESU_TRUST_PROXY', { JIESU_TRUST_PROXY: 'maybe' })).toThrow(/true or false/);
    expect(() => setting('JIESU_SERVER', { JIESU_SERVER: 'localhost:3000' })).toThrow(/full URL/);
    const err = (() => {
      try {
        checkSettings({ JIESU_DB_POOL: '-1', JIESU_SURVEY_MAX_ATTEMPTS: '2.5' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message.split('\n')).toHaveLength(2);
    expect(err!.stack).not.toMatch(/\n\s+at /);
  });

  it('is the table the README shows', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const m = /<!-- settings:start -->\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme);
    expect(m, 'README.md has the settings markers').not.toBeNull();
    expect(m![1]).toBe(settingsTable());
  });

  it('jiesu refuses a bad value before doing anything, in one line', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'jiesu.js'), 'config'], { env: { ...process.env, JIESU_DB_POOL: 'many' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^jiesu: .*JIESU_DB_POOL="many" is not valid: must be a whole number\)$/)]);
    const ok = spawnSync(process.execPath, [join(ROOT, 'bin', 'jiesu.js'), 'config'], {
      env: { ...process.env, JIESU_DB_POOL: '7', JIESU_TOKEN: 'secret-token' },
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/JIESU_DB_POOL\s+7\n/);
    expect(ok.stdout).not.toContain('secret-token');
  });
});
