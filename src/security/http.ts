// HTTP hardening for every response: security headers (@fastify/helmet), CORS closed unless
// configured (@fastify/cors), and JSON bodies limited in nesting depth (the size limit is
// Fastify's bodyLimit, 1 MiB).
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';
import { setting } from '../core/config.js';

export const MAX_JSON_DEPTH = 64;

/** Origins allowed by JIESU_CORS_ORIGINS (comma-separated, exact `scheme://host[:port]`); none by default. */
export const corsOrigins = (env = setting('JIESU_CORS_ORIGINS')) =>
  new Set(
    (env ?? '')
      .split(',')
      .map((s) => s.trim().replace(/\/$/, ''))
      .filter(Boolean),
  );

/** The deepest nesting of objects and arrays in a JSON text, counted without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

// helmet's headers on every response; a page's own content-security-policy (src/http/web.ts)
// replaces the API's. HSTS is left to the hook below: it is only sent over TLS.
const API_CSP = { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } };

export async function installHttpSecurity(app: FastifyInstance<any, any, any, any, any>, origins = corsOrigins()): Promise<void> {
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonDepth(body as string) > MAX_JSON_DEPTH) {
      done(new AppError(400, 'too_deep', 'http.jsonTooDeep', { max: MAX_JSON_DEPTH }), undefined);
      return;
    }
    void defaultJson(req, body as string, done);
  });

  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: API_CSP,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
  });

  // CORS is closed unless JIESU_CORS_ORIGINS names origins: then only those get answers.
  if (origins.size > 0) {
    // The preflight route @fastify/cors adds carries no token (browsers send none), so it is public.
    app.addHook('onRoute', (route) => {
      if (route.method === 'OPTIONS' && route.url === '*') route.config = { ...route.config, public: true };
    });
    await app.register(cors, {
      origin: (origin, cb) => cb(null, origin !== undefined && origins.has(origin)),
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-access-reason'],
      maxAge: 600,
    });
  }

  app.addHook('onSend', async (req, reply, payload) => {
    // HSTS only when the client reached us over TLS (directly or through a proxy that says so).
    const proto = String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]!
      .trim();
    if (req.protocol === 'https' || (setting('JIESU_TRUST_PROXY') && proto === 'https')) {
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
    return payload;
  });
}
