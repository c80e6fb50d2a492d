// The platform as a whole: health, OpenAPI, migrations, and the `jiesu serve` command.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { ADMIN_PASSWORD, Client, engine, testPlatform, throwawayDatabase, type TestPlatform } from './helpers.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await testPlatform();
});
afterAll(async () => platform?.close());

describe('system endpoints', () => {
  it('reports health and the database engine', async () => {
    const r = await new Client(platform).get('/api/v1/health');
    expect(r).toEqual({ status: 200, body: { status: 'ok', database: engine } });
  });

  it('publishes an OpenAPI document generated from the routes', async () => {
    const r = await new Client(platform).get('/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/workorders', '/api/v1/workorders/{id}/actions/dispatch', '/api/v1/units', '/api/v1/auth/login']),
    );
    expect(r.body.paths['/api/v1/workorders'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['type', 'title', 'content']),
    );
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await new Client(platform).get('/api/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });

  it('answers a URL it cannot decode with the same JSON error format', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/api/v1/workorders/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'bad_request' });
  });

  it('runs migrations idempotently', async () => {
    expect(await migrate(platform.db)).toEqual([]);
  });
});

/** Starts `jiesu serve` and resolves with its URL once it listens. */
function serve(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['bin/jiesu.js', 'serve', '--port', '0', ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`jiesu serve exited ${code}: ${out}`)));
  });
  return { child, url, output: () => out };
}

describe('jiesu serve', () => {
  it('serves the API on the configured database and creates the admin from JIESU_ADMIN_PASSWORD', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-serve-'));
    const db = await throwawayDatabase();
    const env: Record<string, string> = { JIESU_ADMIN_PASSWORD: ADMIN_PASSWORD, DATABASE_URL: db?.url ?? '' };
    const s = serve(['--data', join(dir, 'data')], env);
    try {
      const url = await s.url;
      const health = await (await fetch(`${url}/api/v1/health`)).json();
      expect(health).toEqual({ status: 'ok', database: engine });
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      expect(login.status).toBe(200);
    } finally {
      s.child.kill('SIGTERM');
      await new Promise((r) => s.child.once('exit', r));
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says clearly when the database server is unreachable', async () => {
    const s = serve([], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    await expect(s.url).rejects.toThrow(/ECONNREFUSED|connect/);
    expect(s.output()).not.toMatch(/\n\s+at /); // one line, no stack trace
  });
});
