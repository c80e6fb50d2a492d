// The CLI contract, on a small synthetic fixture (3 labels, 45 training and 15 evaluation lines).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../db/migrate.js';
import { throwawayDatabase } from '../../test/helpers.js';

const run = promisify(execFile);
const fixtures = join(packageRoot, 'src', 'dispatch', 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'jiesu-dispatch-'));
const modelDir = join(tmp, 'model');
let db: Awaited<ReturnType<typeof throwawayDatabase>> = null;
let dbArgs: string[] = [];

async function jiesu(...args: string[]) {
  try {
    const r = await run('node', [join(packageRoot, 'bin', 'jiesu.js'), ...args], { cwd: tmp, env: { ...process.env, DATABASE_URL: '' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: any) {
    return { code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string };
  }
}

beforeAll(async () => {
  db = await throwawayDatabase();
  dbArgs = db ? ['--database-url', db.url] : ['--data', join(tmp, 'data')];
});
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await db?.drop();
});

describe('jiesu dispatch train / eval', () => {
  it('trains a model folder of plain files and evaluates it with --json', async () => {
    const t = await jiesu('dispatch', 'train', '--input', join(fixtures, 'train.jsonl'), '--out', modelDir, '--user-dict', join(fixtures, 'userdict.txt'));
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/trained on 45 examples, 3 labels/);
    for (const f of ['model.json', 'vocab.json', 'idf.bin', 'weights.bin', 'userdict.txt']) expect(existsSync(join(modelDir, f))).toBe(true);
    const meta = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    expect(meta.labels).toEqual(['噪音扰民', '社会保障', '道路交通']);
    expect(meta.temperature).toBeGreaterThan(0);
    // The user dictionary keeps local place names whole.
    expect(JSON.parse(readFileSync(join(modelDir, 'vocab.json'), 'utf8'))).toContain('w东华门街道');

    const e = await jiesu('dispatch', 'eval', '--model', modelDir, '--input', join(fixtures, 'eval.jsonl'), '--json');
    expect(e.code).toBe(0);
    const r = JSON.parse(e.stdout);
    expect(Object.keys(r)).toEqual(['n', 'accuracy', 'macroF1', 'top3Accuracy', 'msPerMessage']);
    expect(r.n).toBe(15);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.macroF1).toBeGreaterThanOrEqual(0.9);
    expect(r.top3Accuracy).toBe(1);
    expect(r.msPerMessage).toBeGreaterThan(0);
  });

  it('prints a per-class table and a confusion matrix without --json', async () => {
    const e = await jiesu('dispatch', 'eval', '--model', modelDir, '--input', join(fixtures, 'eval.jsonl'));
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/label\s+precision\s+recall\s+f1\s+support/);
    expect(e.stdout).toMatch(/confusion matrix/);
    const table = e.stdout.split('\n').filter((l) => /^(噪音扰民|社会保障|道路交通)\s+[01]\.\d{4}\s/.test(l));
    expect(table).toHaveLength(3);
    // Each confusion row sums to the class support: 15 in all.
    const rows = e.stdout
      .split('confusion matrix')[1]!
      .split('\n')
      .filter((l) => /\[\d\]$/.test(l.trim()) && /^\S/.test(l));
    const total = rows
      .map((l) =>
        l
          .replace(/\[\d\]\s*$/, '')
          .trim()
          .split(/\s+/)
          .slice(1)
          .map(Number),
      )
      .flat()
      .reduce((a, b) => a + b, 0);
    expect(total).toBe(15);
  });

  it('fails with one clear line on bad input', async () => {
    const missing = await jiesu('dispatch', 'train', '--input', join(tmp, 'nope.jsonl'), '--out', join(tmp, 'm2'));
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    writeFileSync(join(tmp, 'bad.jsonl'), '{"text":"a","label":"x"}\nnot json\n');
    const bad = await jiesu('dispatch', 'train', '--input', join(tmp, 'bad.jsonl'), '--out', join(tmp, 'm3'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.jsonl:2/);
    expect(bad.stderr).not.toMatch(/at .*\.js/);
    const noModel = await jiesu('dispatch', 'eval', '--model', tmp, '--input', join(fixtures, 'eval.jsonl'), '--json');
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/model\.json/);
  });
});

describe('jiesu dispatch import-categories / import-rules / train --from-history', () => {
  it('imports categories and rules into the database and stores history models there', async () => {
    writeFileSync(join(tmp, 'cats.csv'), 'level1,level2,level3\n城乡建设,物业管理,物业服务\n环境保护,噪声污染,\n');
    const c = await jiesu('dispatch', 'import-categories', join(tmp, 'cats.csv'), ...dbArgs);
    expect(c.stderr).toBe('');
    expect(c.stdout).toMatch(/5 categories created/);
    const h = await jiesu('dispatch', 'train', '--from-history', ...dbArgs);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/unit: skipped/);
    // The categories were stored: a second import finds them all.
    const again = await jiesu('dispatch', 'import-categories', join(tmp, 'cats.csv'), ...dbArgs);
    expect(again.stdout).toMatch(/0 categories created, 5 already present/);
    // The same rows saved by Excel as GBK (城乡建设,物业管理,物业服务) are read as the same names.
    writeFileSync(join(tmp, 'cats-gbk.csv'), Buffer.from('b3c7cfe7bda8c9e82cceefd2b5b9dcc0ed2cceefd2b5b7fecef10a', 'hex'));
    const gbk = await jiesu('dispatch', 'import-categories', join(tmp, 'cats-gbk.csv'), ...dbArgs);
    expect(gbk.stdout).toMatch(/0 categories created, 3 already present/);
  });
});
