// Domain modules are discovered by convention, so adding one touches no shared file:
//   src/<module>/routes.ts  exports `routes(app, ctx)`            (HTTP routes, order listeners)
//   src/<module>/cli.ts     exports `commands(program)`           (CLI sub-commands)
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// This file runs as src/http/modules.ts (tests, tsx) or dist/http/modules.js (built).
const here = fileURLToPath(import.meta.url);
const ext = here.endsWith('.ts') ? '.ts' : '.js';
const srcDir = join(here, '..', '..');

/** Modules in a fixed order: org and workorders first (others build on them), then by name. */
export async function loadModuleExports<T>(file: 'routes' | 'cli', exportName: string): Promise<{ module: string; value: T }[]> {
  const first = ['org', 'workorders'];
  const rank = (n: string) => (first.includes(n) ? first.indexOf(n) : first.length);
  const names = readdirSync(srcDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(srcDir, d.name, file + ext)))
    .map((d) => d.name)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const out: { module: string; value: T }[] = [];
  for (const name of names) {
    const m = await import(pathToFileURL(join(srcDir, name, file + ext)).href);
    if (typeof m[exportName] !== 'function') throw new Error(`src/${name}/${file}${ext} must export ${exportName}()`);
    out.push({ module: name, value: m[exportName] as T });
  }
  return out;
}
