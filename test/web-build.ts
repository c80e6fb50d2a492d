// Both browser test files need the built web app. `npm test` builds only the server, so the
// first file to start builds the web app when it is missing or older than its sources; a lock
// folder keeps two files running in parallel from building at once.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
function webIsStale(): boolean {
  const index = join(ROOT, 'dist', 'web', 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < newest(join(ROOT, 'web'));
}

export async function ensureWebBuilt(): Promise<void> {
  const lock = join(ROOT, 'dist', '.web-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (let i = 0; i < 600; i++) {
    if (!webIsStale()) return;
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is building (a lock older than 5 minutes is stale).
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      if (webIsStale()) execFileSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    return;
  }
  throw new Error('web build: timed out waiting for another build');
}
