// Serves the built web application (dist/web, made by `vite build`) at `/`, with an SPA
// fallback: any GET outside /api that names no file answers index.html, so client-side
// routes like /orders/12 survive a reload. The API keeps its JSON 404s.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { App } from './types.js';

// src/http/web.ts (tests) and dist/http/web.js (built) both sit two folders below the package root.
export const WEB_ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..', 'dist', 'web');

/** Scripts only from our own origin: a script smuggled into an order title cannot run. antd injects <style>. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

type Fallback = (req: FastifyRequest, reply: FastifyReply) => boolean;

/** Registers the static files when the app is built; returns the SPA fallback for the not-found handler. */
export async function serveWeb(app: App, root = WEB_ROOT): Promise<Fallback | null> {
  if (!existsSync(join(root, 'index.html'))) return null;
  // The app's own files are public (the login page must load); @fastify/static names each route's file in its config.
  app.addHook('onRoute', (route) => {
    if (typeof (route.config as { file?: unknown } | undefined)?.file === 'string') route.config = { ...route.config, public: true };
  });
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false, // one route per built file; everything else reaches the not-found handler
    index: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders(res, path) {
      // Vite puts a content hash in every asset name, so assets never change; index.html always may.
      res.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.setHeader('content-security-policy', CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      // The same URL is sent as brotli, gzip or plain by the client's Accept-Encoding: caches must key on it.
      res.setHeader('vary', 'Accept-Encoding');
    },
  });
  return (req, reply) => {
    const path = req.url.split('?')[0]!;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path === '/api' || path.startsWith('/api/')) return false;
    // A missing asset is a real 404, not the app shell.
    if (path.startsWith('/assets/') || /\.[a-z0-9]{1,8}$/i.test(path)) return false;
    reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin');
    void reply.sendFile('index.html');
    return true;
  };
}
