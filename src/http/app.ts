// The HTTP layer: Fastify with JSON-schema validation, OpenAPI, bearer auth and
// one error format. Domain modules register their own routes on it.
import Fastify, { type FastifyError, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import compress from '@fastify/compress';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, forbidden, unauthorized } from '../core/errors.js';
import { translate } from '../core/i18n.js';
import { hasRole, type Actor, type Role } from '../core/actor.js';
import type { AppContext } from '../core/context.js';
import { authenticate, type AuthFailure } from '../org/index.js';
import { loadModuleExports } from './modules.js';
import { serveWeb } from './web.js';
import { frameworkErrorBody, installLanguage, requestLanguage, toErrorBody } from './errors.js';
import { installHttpSecurity } from '../security/index.js';

import type { App } from './types.js';
import { setting } from '../core/config.js';
export type { App } from './types.js';

export async function buildApp(ctx: AppContext, opts: { logger?: boolean } = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger ? { level: setting('LOG_LEVEL') } : false,
    bodyLimit: 1024 * 1024,
    // Errors Fastify raises before routing (malformed URL, over-long parameter) in our format too.
    frameworkErrors: (err, req, reply) => {
      const r = reply as unknown as { status(n: number): { send(b: unknown): void } };
      const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
      r.status(status).send({ error: { ...frameworkErrorBody(status, err, requestLanguage(req)).error, code: 'bad_request' } });
    },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'jiesu 12345 hotline API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  // Security headers, CORS (closed by default) and the JSON depth limit: src/security/http.ts.
  await installHttpSecurity(app);
  // API answers go out brotli- or gzip-compressed when the client accepts it; the web app's
  // files were compressed at build time (scripts/precompress.js) and are sent as they are.
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });

  // Deny by default: every route needs a signed-in actor unless its own config says `public`.
  // The decision is on the route that matched, never on how the URL was spelled (/%61pi/…).
  // Public routes say so in the OpenAPI document too (an empty security requirement).
  app.addHook('onRoute', (route) => {
    if (route.config?.public) route.schema = { ...route.schema, security: [] };
  });
  app.decorateRequest('actor', null);
  // Messages in the reader's language (Accept-Language) and a Content-Language on what carries text.
  installLanguage(app);
  app.addHook('onRequest', async (req) => {
    // Unmatched routes fall through to the JSON 404 (it tells nothing); public routes need no token.
    if (!req.routeOptions.url || req.routeOptions.config?.public) return;
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw unauthorized();
    const auth = await authenticate(ctx.db, token, ctx.config.sessionIdleSeconds);
    if ('failure' in auth) throw sessionRefused(auth.failure);
    req.actor = auth.actor;
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    const body = toErrorBody(err, requestLanguage(req));
    if (body.status >= 500) req.log.error(err);
    reply.status(body.status).send({ error: body.error });
  });
  // The built web app at `/` (when dist/web exists); unknown non-API paths answer its index.html.
  const webFallback = await serveWeb(app);
  app.setNotFoundHandler((req, reply) => {
    if (webFallback?.(req, reply)) return;
    const params = { method: req.method, path: req.url.split('?')[0]! };
    reply.status(404).send({ error: { code: 'not_found', message: translate(requestLanguage(req), 'http.routeNotFound', params) } });
  });

  app.get('/api/v1/health', { config: { public: true }, schema: { tags: ['system'] } }, async () => {
    await ctx.db.query('SELECT 1');
    return { status: 'ok', database: ctx.db.kind };
  });
  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, () => app.swagger());

  // Each domain module (src/<module>/routes.ts) adds its routes and order listeners.
  for (const { value: routes } of await loadModuleExports<(app: App, ctx: AppContext) => void | Promise<void>>('routes', 'routes')) {
    await app.register(async (api) => {
      await routes(api as App, ctx);
    });
  }
  return app;
}

// A token that did name a session says why it stopped working, so that a client can tell
// "sign in again where you are" (session_expired, session_revoked) from "never signed in".
function sessionRefused(failure: AuthFailure): AppError {
  if (failure === 'expired') return new AppError(401, 'session_expired', 'auth.sessionExpired');
  if (failure === 'revoked') return new AppError(401, 'session_revoked', 'auth.sessionRevoked');
  return unauthorized();
}

/** The authenticated actor, with one of the given roles when any are named. */
export function requireActor(req: FastifyRequest, ...roles: Role[]): Actor {
  if (!req.actor) throw unauthorized();
  if (roles.length > 0 && !hasRole(req.actor, ...roles)) throw forbidden('auth.requiresRole', { roles });
  return req.actor;
}
