// What a first visit downloads, page by page, from the built web app (dist/web): the entry, the
// chunks the page's code loads (the Vite manifest's imports, followed), its CSS and index.html,
// counted as sent with brotli. `npm run check:bundle` fails when the citizen portal or the login
// page is over budget; `npm run bench -- http` records every page.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

export const WEB_DIST = fileURLToPath(new URL('../../dist/web', import.meta.url));
export const BUDGET_KB = 350;

/** A page and the lazy modules (manifest keys, or their prefix) its first render loads. */
export const PAGES: { name: string; path: string; loads: string[]; budget?: boolean; staff?: boolean }[] = [
  { name: 'portal', path: '/portal', loads: ['src/pages/public/Portal.tsx'], budget: true },
  { name: 'login', path: '/', loads: ['_StaffShell'], budget: true },
  { name: 'open data', path: '/open-data', loads: ['src/pages/public/OpenData.tsx'] },
  { name: 'agent console', path: '/agent', loads: ['_StaffShell', 'src/pages/AgentConsole.tsx'], staff: true },
  { name: 'dispatch queue', path: '/dispatch', loads: ['_StaffShell', 'src/pages/DispatchQueue.tsx'], staff: true },
  { name: 'unit inbox', path: '/inbox', loads: ['_StaffShell', 'src/pages/UnitInbox.tsx'], staff: true },
  { name: 'follow-up', path: '/followup', loads: ['_StaffShell', 'src/pages/FollowUp.tsx'], staff: true },
  { name: 'dashboard', path: '/dashboard', loads: ['_StaffShell', 'src/pages/Dashboard.tsx'], staff: true },
  { name: 'order list', path: '/orders', loads: ['_StaffShell', 'src/pages/OrderList.tsx'], staff: true },
  { name: 'admin', path: '/admin/categories', loads: ['_StaffShell', 'src/pages/AdminCatalog.tsx'], staff: true },
];

export interface PageBytes {
  name: string;
  path: string;
  files: number;
  rawKB: number;
  brotliKB: number;
  budgetKB?: number;
}

interface ManifestChunk {
  file: string;
  css?: string[];
  imports?: string[];
}

export function firstLoadBytes(dist = WEB_DIST): PageBytes[] {
  const file = join(dist, '.vite', 'manifest.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build:web first`);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ManifestChunk>;
  const keyOf = (k: string) => {
    const found = manifest[k] ? k : Object.keys(manifest).find((m) => m.startsWith(`${k}-`));
    if (!found) throw new Error(`the web build has no chunk for ${k}`);
    return found;
  };
  const sizes = new Map<string, { raw: number; br: number }>();
  const sizeOf = (f: string) => {
    let s = sizes.get(f);
    if (!s) {
      const buf = readFileSync(join(dist, f));
      s = { raw: buf.length, br: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
      sizes.set(f, s);
    }
    return s;
  };
  return PAGES.map((page) => {
    const files = new Set<string>(['index.html']);
    const walk = (k: string) => {
      const m = manifest[k];
      if (!m || files.has(m.file)) return;
      files.add(m.file);
      for (const css of m.css ?? []) files.add(css);
      for (const i of m.imports ?? []) walk(i);
    };
    for (const k of ['index.html', ...page.loads]) walk(keyOf(k));
    let raw = 0;
    let br = 0;
    for (const f of files) {
      const s = sizeOf(f);
      raw += s.raw;
      br += s.br;
    }
    return {
      name: page.name,
      path: page.path,
      files: files.size,
      rawKB: Math.round(raw / 1024),
      brotliKB: Math.round(br / 1024),
      budgetKB: page.budget ? BUDGET_KB : undefined,
    };
  });
}

// `tsx src/http/bundle.ts`: the table, and exit 1 over budget.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const pages = firstLoadBytes();
    for (const p of pages) {
      console.log(
        `${p.name.padEnd(15)} ${String(p.brotliKB).padStart(5)} KB brotli  (${p.rawKB} KB raw, ${p.files} files)${p.budgetKB ? `  budget ${p.budgetKB} KB` : ''}`,
      );
    }
    const over = pages.filter((p) => p.budgetKB && p.brotliKB > p.budgetKB);
    for (const p of over) console.error(`bundle: the ${p.name} page's first visit is ${p.brotliKB} KB, over its budget of ${p.budgetKB} KB`);
    process.exit(over.length ? 1 : 0);
  } catch (e) {
    console.error(`bundle: ${(e as Error).message}`);
    process.exit(1);
  }
}
