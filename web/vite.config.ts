// The web app: `npm run build` writes it to dist/web, which `jiesu serve` serves at `/`.
// While developing: `npm run dev:web` (this dev server proxies /api to `jiesu serve` on :3000).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Chunks follow the lazy pages (src/Shell.tsx, src/workspaces.tsx); the chart library goes
    // only with the pages that draw charts. `npm run check:bundle` keeps the first visit small.
    chunkSizeWarningLimit: 1200,
    manifest: true,
  },
  // The app shares a few files of pure vocabulary with the server (web/src/types.ts).
  server: { proxy: { '/api': 'http://127.0.0.1:3000' }, fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
});
