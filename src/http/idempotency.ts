// Idempotency-Key: a client that did not hear the answer (a timeout, a dropped connection)
// sends the same request again with the same key and gets the first answer instead of a
// second record. Contacts (src/intake) and work orders (src/workorders) honour it.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../core/errors.js';

const KEY = /^[\x21-\x7e]{1,200}$/;

/** The request's Idempotency-Key, checked; undefined when it sent none. */
export function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const raw = req.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key !== undefined && !KEY.test(key)) throw badRequest('http.idempotencyKey', {}, 'Idempotency-Key');
  return key;
}

/** JSON with sorted keys and no undefined members: the same body always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The fingerprint of a request body, to tell a retry from another request under the same key. */
export const requestHash = (body: unknown) => createHash('sha256').update(canonicalJson(body)).digest('hex');
