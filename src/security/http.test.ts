// Security headers, CORS closed by default, body size and JSON depth limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, testPlatform, type TestPlatform } from '../../test/helpers.js';
import { startPlatform } from '../server.js';
import { jsonDepth } from './http.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await testPlatform();
});
afterAll(async () => platform?.close());

describe('HTTP hardening', () => {
  it('sends security headers on every response, success or error', async () => {
    for (const url of ['/api/v1/health', '/api/v1/workorders', '/api/v1/nope']) {
      const r = await platform.app.inject({ url });
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('CORS is closed by default: no Access-Control-Allow-Origin and no preflight', async () => {
    const r = await platform.app.inject({ url: '/api/v1/health', headers: { origin: 'https://evil.example' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await platform.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/workorders',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(404);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers CORS only for the origins in JIESU_CORS_ORIGINS', async () => {
    process.env.JIESU_CORS_ORIGINS = 'https://portal.example.gov.cn, https://app.example';
    const p = await startPlatform({ adminPassword: ADMIN_PASSWORD });
    delete process.env.JIESU_CORS_ORIGINS;
    try {
      const ok = await p.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/workorders',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      expect(ok.statusCode).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(ok.headers['access-control-allow-headers']).toContain('authorization');
      const get = await p.app.inject({ url: '/api/v1/health', headers: { origin: 'https://portal.example.gov.cn' } });
      expect(get.headers['access-control-allow-origin']).toBe('https://portal.example.gov.cn');
      const other = await p.app.inject({ url: '/api/v1/health', headers: { origin: 'https://app.example.evil' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const otherPreflight = await p.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/workorders',
        headers: { origin: 'https://app.example.evil', 'access-control-request-method': 'POST' },
      });
      expect(otherPreflight.statusCode).toBe(404);
      expect(otherPreflight.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await p.close();
    }
  });

  it('a body over 1 MiB is a JSON 413', async () => {
    const r = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'x', password: 'y'.repeat(1024 * 1024) }),
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().error.code).toBe('payload_too_large');
  });

  it('deeply nested JSON is a 400, not a crash; the server keeps answering', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    for (const payload of [deep, `{"username":${'{"a":'.repeat(100)}1${'}'.repeat(100)},"password":"x"}`]) {
      const r = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('too_deep');
    }
    // Malformed JSON stays a 400 too.
    const bad = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect(bad.statusCode).toBe(400);
    expect((await platform.app.inject({ url: '/api/v1/health' })).statusCode).toBe(200);
  });

  it('counts depth outside strings only', () => {
    expect(jsonDepth('{"a":"[[[[{{{{","b":[1,[2]]}')).toBe(3);
    expect(jsonDepth('"\\"[["')).toBe(0);
  });
});
