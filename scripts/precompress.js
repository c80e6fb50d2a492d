#!/usr/bin/env node
// Writes .br and .gz beside each built web file worth compressing, once at build time, so the
// server (@fastify/static preCompressed) sends them without compressing on every request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = process.argv[2] ?? join(import.meta.dirname, '..', 'dist', 'web');
const TEXT = /\.(js|mjs|css|html|svg|json|txt|map)$/;
let files = 0;
let before = 0;
let after = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== '.vite') walk(path);
      continue;
    }
    if (!TEXT.test(name)) continue;
    const buf = readFileSync(path);
    if (buf.length < 1024) continue;
    const br = brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } });
    writeFileSync(path + '.br', br);
    writeFileSync(path + '.gz', gzipSync(buf, { level: 9 }));
    files++;
    before += buf.length;
    after += br.length;
  }
};
walk(root);
console.log(`precompress: ${files} files, ${Math.round(before / 1024)} KB → ${Math.round(after / 1024)} KB brotli`);
