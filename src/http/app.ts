// The HTTP layer: Fastify with JSON-schema validation, OpenAPI, bearer auth and
// one error format. Domain modules register their own routes on it.
import Fastify, { type FastifyError, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import compress from '@fastify/compress';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, forbidden, unauthorized } from '../core/errors.js';
import { hasRole, type Actor, type Role } from '../core/actor.js';
import type { AppContext } from '../core/context.js';
import { authenticate, type AuthFailure } from '../org/index.js';
import { loadModuleExports } from './modules.js';
import { serveWeb } from './web.js';
import { installHttpSecurity } from '../security/index.js';

import type { App } from './types.js';
import { setting } from '../core/config.js';
export type { App } from './types.js';

export async function buildApp(ctx: AppContext, opts: { logger?: boolean } = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger ? { level: setting('LOG_LEVEL') } : false,
    bodyLimit: 1024 * 1024,
    // Errors Fastify raises before routing (malformed URL, over-long parameter) in our format too.
    frameworkErrors: (err, _req, reply) => {
      const r = reply as unknown as { status(n: number): { send(b: unknown): void } };
      r.status(err.statusCode && err.statusCode < 500 ? err.statusCode : 400).send({ error: { code: 'bad_request', message: err.message } });
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
    const body = toErrorBody(err);
    if (body.status >= 500) req.log.error(err);
    reply.status(body.status).send({ error: body.error });
  });
  // The built web app at `/` (when dist/web exists); unknown non-API paths answer its index.html.
  const webFallback = await serveWeb(app);
  app.setNotFoundHandler((req, reply) => {
    if (webFallback?.(req, reply)) return;
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
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
  if (failure === 'expired') return new AppError(401, 'session_expired', '登录已过期，请重新输入密码 (the session has expired)');
  if (failure === 'revoked') return new AppError(401, 'session_revoked', '登录已被注销，请重新登录 (the session was signed out)');
  return unauthorized();
}

/** The authenticated actor, with one of the given roles when any are named. */
export function requireActor(req: FastifyRequest, ...roles: Role[]): Actor {
  if (!req.actor) throw unauthorized();
  if (roles.length > 0 && !hasRole(req.actor, ...roles)) throw forbidden(`需要角色 (requires role): ${roles.join(' | ')}`);
  return req.actor;
}

interface ErrorBody {
  status: number;
  error: { code: string; message: string; field?: string };
}

function toErrorBody(err: FastifyError | AppError): ErrorBody {
  if (err instanceof AppError) {
    return { status: err.status, error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } };
  }
  const fe = err as FastifyError & { code?: string };
  if (fe.validation && fe.validation.length > 0) {
    const v = fe.validation[0]!;
    const params = v.params;
    const path = [fe.validationContext, ...(v.instancePath ?? '').split('/').filter(Boolean)];
    if (typeof params.missingProperty === 'string') path.push(params.missingProperty);
    if (typeof params.additionalProperty === 'string') path.push(params.additionalProperty);
    const field = path.filter(Boolean).slice(1).join('.') || String(fe.validationContext ?? '');
    const message =
      `${field ? field + ': ' : ''}${v.message ?? 'invalid'}` + (params.allowedValues ? ` (${(params.allowedValues as unknown[]).join(', ')})` : '');
    return { status: 400, error: { code: 'validation_failed', message, field } };
  }
  const pgCode = typeof fe.code === 'string' && /^[0-9A-Z]{5}$/.test(fe.code) ? fe.code : undefined;
  if (pgCode) {
    // Safety net: a database constraint caught input the service did not check.
    if (pgCode === '23505') return { status: 409, error: { code: 'conflict', message: 'already exists' } };
    if (pgCode.startsWith('22') || pgCode.startsWith('23')) {
      return { status: 400, error: { code: 'validation_failed', message: 'invalid value' } };
    }
  }
  const status = fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
  if (status === 500) return { status, error: { code: 'internal', message: '服务器内部错误 (internal error)' } };
  const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 429 ? 'rate_limited' : 'bad_request';
  return { status, error: { code, message: fe.message } };
}
