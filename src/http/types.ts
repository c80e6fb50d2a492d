// The Fastify app as modules see it, and what jiesu adds to Fastify's request and route config.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Actor } from '../core/actor.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Route reachable without a token. */
    public?: boolean;
  }
}

export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;
