// What goes over the wire: the web app's files precompressed at build time, API answers
// compressed on the fly, each only when the client says it accepts the encoding.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPlatform, type TestPlatform } from './helpers.js';
import { ensureWebBuilt, ROOT } from './web-build.js';

let t: TestPlatform;
let asset: string;
beforeAll(async () => {
  await ensureWebBuilt();
  t = await testPlatform();
  const html = readFileSync(join(ROOT, 'dist', 'web', 'index.html'), 'utf8');
  asset = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)![1]!;
}, 300_000);
afterAll(() => t?.close());

const get = (url: string, encoding?: string) => t.app.inject({ method: 'GET', url, headers: encoding ? { 'accept-encoding': encoding } : {} });

describe('compressed responses', () => {
  it('sends a script of the web app as brotli, gzip or as it is, as the client accepts', async () => {
    const original = readFileSync(join(ROOT, 'dist', 'web', asset));
    const br = await get(asset, 'gzip, deflate, br');
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(br.rawPayload).equals(original)).toBe(true);
    expect(br.headers['cache-control']).toContain('immutable');
    expect(String(br.headers.vary).toLowerCase()).toContain('accept-encoding');

    const gz = await get(asset, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(original)).toBe(true);

    const plain = await get(asset);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(original)).toBe(true);
  });

  it('compresses a large API answer and leaves a small one alone', async () => {
    const big = await get('/api/v1/openapi.json', 'br');
    expect(big.statusCode).toBe(200);
    expect(big.headers['content-encoding']).toBe('br');
    const doc = JSON.parse(brotliDecompressSync(big.rawPayload).toString('utf8'));
    expect(doc.openapi).toMatch(/^3\./);

    const small = await get('/api/v1/health', 'br');
    expect(small.statusCode).toBe(200);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body).status).toBe('ok');
  });

  it('builds a .br and a .gz beside every script and stylesheet', () => {
    const files = readdirSync(join(ROOT, 'dist', 'web', 'assets'));
    const scripts = files.filter((f) => /\.(js|css)$/.test(f) && readFileSync(join(ROOT, 'dist', 'web', 'assets', f)).length >= 1024);
    expect(scripts.length).toBeGreaterThan(5);
    for (const f of scripts) {
      expect(files).toContain(`${f}.br`);
      expect(files).toContain(`${f}.gz`);
    }
  });
});
