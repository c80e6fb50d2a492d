// What both browser test files share: `jiesu serve` as a child process on a fresh PGlite folder,
// a small fetch client for its API, Debian's Chromium through playwright-core, the sign-in through
// the login page, screenshots (to test-results/) and waiting for a toast.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ROOT, ensureWebBuilt } from './web-build.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = join(ROOT, 'test-results');
export const hasChromium = existsSync(CHROMIUM);

export interface Answer<T = any> {
  status: number;
  body: T;
}

export interface TestServer {
  /** http://host:port, as the server printed it. */
  base: string;
  call<T = any>(method: string, path: string, token?: string, body?: unknown): Promise<Answer<T>>;
  /** Logs in through the API; throws unless the login succeeds. */
  tokenOf(username: string, password: string): Promise<string>;
  /** Stops the server and removes its data folder. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** `serve --demo`: seeds the demo city; the server is ready once it has printed the demo logins. */
  demo?: boolean;
  /** Added to the environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
}

/** Starts `jiesu serve --port 0` (always on embedded PGlite) and resolves once it is serving. */
export async function startServer({ demo = false, env: extra = {} }: ServerOptions = {}): Promise<TestServer> {
  await ensureWebBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), demo ? 'jiesu-e2e-demo-' : 'jiesu-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL; // the browser tests always run on embedded PGlite
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const args = ['bin/jiesu.js', 'serve', ...(demo ? ['--demo'] : []), '--port', '0', '--data', dataDir];
  const server = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode != null || server.signalCode != null ? r(null) : server.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  };
  let base: string;
  try {
    base = await new Promise<string>((ok, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error('server did not start: ' + out)), demo ? 110_000 : 60_000);
      const onData = (b: Buffer) => {
        out += b.toString();
        const m = /serving on (http:\/\/\S+)/.exec(out);
        // The demo logins are printed after the address: wait for them (the seed is done by then).
        if (m && (!demo || /demo logins/.test(out))) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.once('exit', (code) => fail(new Error(`server exited ${code}: ${out}`)));
    });
  } catch (e) {
    await stop();
    throw e;
  }
  const call = async <T = any>(method: string, path: string, token?: string, body?: unknown): Promise<Answer<T>> => {
    const res = await fetch(base + '/api/v1' + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const tokenOf = async (username: string, password: string) => {
    const r = await call<{ token: string }>('POST', '/auth/login', undefined, { username, password });
    if (r.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(r.body)}`);
    return r.body.token;
  };
  return { base, call, tokenOf, stop };
}

/** Headless Chromium from /usr/bin/chromium; makes sure the screenshot folder exists. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser context (1366×768 unless told), signed in through the login form. */
export async function signIn(browser: Browser, base: string, username: string, password: string, viewport = { width: 1366, height: 768 }): Promise<Page> {
  const ctx = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`[browser ${username}]`, e.message));
  await page.goto(base + '/');
  await page.getByLabel('用户名', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.keyboard.press('Enter');
  await page.getByTestId('whoami').waitFor();
  return page;
}

/** A screenshot in test-results/, once modal and toast animations have settled, so the picture shows what a person sees. */
export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.waitForTimeout(350);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

/** Waits for an antd message (toast) with this text. */
export const toast = (page: Page, text: string | RegExp) => page.locator('.ant-message').getByText(text).first().waitFor();

/**
 * The element's right edge, and the window's width: where the page opens, without scrolling sideways
 * (Playwright's click scrolls to an element first, so a click alone would not notice it is hidden).
 */
export async function rightEdge(page: Page, locator: Locator): Promise<{ right: number; window: number }> {
  await locator.waitFor();
  const box = await locator.boundingBox();
  return { right: box ? box.x + box.width : Infinity, window: page.viewportSize()!.width };
}
