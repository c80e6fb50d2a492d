// `npm run bench [-- module …] [--quick]`: runs every module's benchmark (src/*/*.bench.ts)
// and writes bench/RESULTS.md and bench/results.json with the machine and the date.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../src/db/database.js';
import type { Benchmark, BenchResult } from './harness.js';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));

async function discover(): Promise<Benchmark[]> {
  const found: Benchmark[] = [];
  for (const mod of readdirSync(join(root, 'src'), { withFileTypes: true })) {
    if (!mod.isDirectory()) continue;
    const dir = join(root, 'src', mod.name);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.bench.ts'))) {
      const m = await import(pathToFileURL(join(dir, f)).href);
      found.push(...(Object.values(m).filter((v: any) => v && typeof v.run === 'function') as Benchmark[]));
    }
  }
  return found.filter((b) => only.length === 0 || only.includes(b.module));
}

async function postgresVersion(url?: string): Promise<string> {
  const db = await openDatabase({ databaseUrl: url });
  try {
    return String((await db.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v).split(' on ')[0]!;
  } finally {
    await db.close();
  }
}

const benches = await discover();
const databaseUrl = process.env.DATABASE_URL;
const machine = {
  date: new Date().toISOString(),
  cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()}`,
  node: process.version,
  database: databaseUrl ? `server: ${await postgresVersion(databaseUrl)}` : `embedded: ${await postgresVersion()}`,
  commit: (() => {
    try {
      return execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim();
    } catch {
      return 'unknown';
    }
  })(),
};
const results: { module: string; title: string; results: BenchResult[] }[] = [];
for (const b of benches) {
  process.stdout.write(`bench ${b.module}: ${b.title} …\n`);
  const r = await b.run({ databaseUrl, quick });
  for (const x of r) console.log(`  ${x.name}: ${x.value} ${x.unit}${x.target ? `  (target ${x.target}: ${x.pass === false ? 'MISSED' : 'met'})` : ''}`);
  results.push({ module: b.module, title: b.title, results: r });
}

// Keep earlier results of modules not run this time.
const jsonPath = join(root, 'bench', 'results.json');
const previous = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as { runs?: any[] }) : {};
const runs = [...(previous.runs ?? []).filter((r) => !results.some((x) => x.module === r.module)), ...results.map((r) => ({ ...r, machine }))];
runs.sort((a, b) => a.module.localeCompare(b.module));
writeFileSync(jsonPath, JSON.stringify({ runs }, null, 2) + '\n');

const md = [
  '# Benchmark results',
  '',
  'Written by `npm run bench` (each module alone: `npm run bench -- <module>`). Every figure names the machine it was measured on.',
  '',
];
for (const r of runs) {
  const m = r.machine;
  md.push(
    `## ${r.module}: ${r.title}`,
    '',
    `${m.date.slice(0, 10)} · ${m.cpu} · ${m.memoryGiB} GiB · ${m.os} · Node ${m.node} · ${m.database} · commit ${m.commit}`,
    '',
  );
  md.push('| measure | value | target | met |', '|---|---|---|---|');
  for (const x of r.results as BenchResult[]) {
    md.push(`| ${x.name} | ${x.value} ${x.unit} | ${x.target ?? ''} | ${x.pass === undefined ? '' : x.pass ? 'yes' : '**no**'} |`);
  }
  const notes = (r.results as BenchResult[]).filter((x) => x.notes).map((x) => `- ${x.name}: ${x.notes}`);
  if (notes.length) md.push('', ...notes);
  md.push('');
}
writeFileSync(join(root, 'bench', 'RESULTS.md'), md.join('\n'));
console.log(`wrote bench/RESULTS.md and bench/results.json (${results.length} benchmark(s))`);
