// Citizen personal data at rest: AES-256-GCM with keys from configuration, and a keyed
// blind index (HMAC-SHA256 of the normalised phone) to find a caller without plaintext.
//
// JIESU_PII_KEYS = "id:base64key,id2:base64key2": the first key encrypts, every key decrypts,
// so a new key is put first and `jiesu privacy rotate` re-encrypts the rows under it.
// Ciphertext: `pii1:<keyId>:<base64(iv 12 | tag 16 | ciphertext)>`.
// Without JIESU_PII_KEYS: a new PGlite data folder gets a generated key file (0600) in it (never
// one restored from a backup, which leaves the key out: that folder waits for its key); an
// in-memory PGlite a throw-away key; a PostgreSQL server refuses to start unless
// JIESU_INSECURE_DEV_KEY=1 (a fixed, public development key).
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { operatorError } from '../core/errors.js';
import { normalizePhone } from './phone.js';

export interface PiiKey {
  id: string;
  key: Buffer;
  /** HMAC key of the blind index, derived from the key. */
  indexKey: Buffer;
}

const PREFIX = 'pii1:';
export const KEY_FILE = 'jiesu-pii.key';
/** Left in a folder restored from a backup without its key (the key ids it needs): no key is generated there. */
export const KEY_MISSING_FILE = 'jiesu-pii.key-missing';

/** A configuration or decryption problem with the personal-data keys. */
export class PiiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiKeyError';
    this.stack = `PiiKeyError: ${message}`; // a configuration error: one clear line, no stack trace
  }
}

let ring: PiiKey[] | null = null;
/** The key file configurePii has just generated (a folder that had none), if it did. */
let generated: string | null = null;

function makeKey(id: string, key: Buffer): PiiKey {
  return { id, key, indexKey: createHmac('sha256', key).update('jiesu blind index v1').digest() };
}

/** Parses `id:base64key,…`; throws a clear PiiKeyError on any bad entry. */
export function parseKeys(spec: string): PiiKey[] {
  const keys: PiiKey[] = [];
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(part);
    if (!m) throw new PiiKeyError(`JIESU_PII_KEYS: 格式应为 id:base64key (expected id:base64key), got "${part.slice(0, 12)}…"`);
    const key = Buffer.from(m[2]!, 'base64');
    if (key.length !== 32) throw new PiiKeyError(`JIESU_PII_KEYS: 密钥 ${m[1]} 须为 32 字节 (key ${m[1]} must be 32 bytes base64, got ${key.length})`);
    if (keys.some((k) => k.id === m[1])) throw new PiiKeyError(`JIESU_PII_KEYS: 密钥 id 重复 (duplicate key id ${m[1]})`);
    keys.push(makeKey(m[1]!, key));
  }
  if (!keys.length) throw new PiiKeyError('JIESU_PII_KEYS: 没有密钥 (no key given)');
  return keys;
}

/** A new key in the JIESU_PII_KEYS format. */
export const newKeySpec = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

/**
 * Loads the keys for a database (called when it is opened). Returns where they came from.
 * env defaults to process.env.
 */
export function configurePii(opts: { databaseUrl?: string; dataDir?: string }, env: NodeJS.ProcessEnv = process.env): string {
  const spec = env.JIESU_PII_KEYS?.trim();
  generated = null;
  if (spec) {
    ring = parseKeys(spec);
    return 'JIESU_PII_KEYS';
  }
  if (opts.databaseUrl) {
    if (env.JIESU_INSECURE_DEV_KEY === '1') {
      console.warn('jiesu: WARNING JIESU_INSECURE_DEV_KEY=1: personal data is encrypted with a public development key');
      ring = [makeKey('dev', createHash('sha256').update('jiesu insecure development key').digest())];
      return 'insecure development key';
    }
    throw new PiiKeyError(
      'JIESU_PII_KEYS 未配置：服务器数据库需要个人信息加密密钥 (a PostgreSQL server needs JIESU_PII_KEYS=id:base64key; ' +
        'create one with `jiesu privacy new-key`, or set JIESU_INSECURE_DEV_KEY=1 for development only)',
    );
  }
  if (opts.dataDir) {
    const file = join(opts.dataDir, KEY_FILE);
    const missing = join(opts.dataDir, KEY_MISSING_FILE);
    if (!existsSync(file) && existsSync(missing)) {
      throw new PiiKeyError(
        `数据目录缺少个人信息密钥 (the data folder was restored without its personal-data key ${readFileSync(missing, 'utf8').trim()}: ` +
          `put the key file back as ${file} (chmod 600), or set JIESU_PII_KEYS)`,
      );
    }
    if (existsSync(missing)) unlinkSync(missing); // the key is back
    if (!existsSync(file)) {
      writeFileSync(file, newKeySpec('k1') + '\n', { mode: 0o600 });
      generated = file;
      console.warn(
        `jiesu: generated the personal-data key ${file} (back it up, apart from the data backups, which leave it out; without it names and phones are lost)`,
      );
    }
    chmodSync(file, 0o600);
    ring = parseKeys(readFileSync(file, 'utf8'));
    return file;
  }
  ring = [makeKey('mem', randomBytes(32))];
  return 'throw-away in-memory key';
}

/** The key file just generated for a folder that had none, once (null when the keys were found). */
export function takeGeneratedKeyFile(): string | null {
  const f = generated;
  generated = null;
  return f;
}

export function keyring(): PiiKey[] {
  if (!ring) throw new PiiKeyError('个人信息密钥未加载 (personal-data keys are not configured: open the database first)');
  return ring;
}

/** The loaded keys in the JIESU_PII_KEYS format (to hand them to a worker thread of the same process). */
export const keyringSpec = () =>
  keyring()
    .map((k) => `${k.id}:${k.key.toString('base64')}`)
    .join(',');

export const primaryKeyId = () => keyring()[0]!.id;
export const isEncrypted = (v: unknown): v is string => typeof v === 'string' && v.startsWith(PREFIX);
/** True when the ciphertext is under the newest key. */
export const isCurrent = (v: string | null) => v == null || v.startsWith(`${PREFIX}${primaryKeyId()}:`);

// IVs come from a buffer of CSPRNG bytes refilled 4 KiB at a time: one randomBytes call per
// value costs more than the encryption itself in bulk loads. Every IV is still 12 fresh random bytes.
const IV_POOL = 4096 - (4096 % 12);
let ivPool = Buffer.alloc(0);
let ivAt = 0;
function nextIv(): Buffer {
  if (ivAt + 12 > ivPool.length) {
    ivPool = randomBytes(IV_POOL);
    ivAt = 0;
  }
  return ivPool.subarray(ivAt, (ivAt += 12));
}

export function encrypt(plain: string | null | undefined): string | null {
  if (plain == null) return null;
  const k = keyring()[0]!;
  const iv = nextIv();
  const c = createCipheriv('aes-256-gcm', k.key, iv);
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `${PREFIX}${k.id}:${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64')}`;
}

function fail(message: string): never {
  throw operatorError(500, 'pii_key_error', message);
}

/** Decrypts; plaintext left by an older version is returned as is. Wrong or missing key: a clear error. */
export function decrypt(v: string | null | undefined): string | null {
  if (v == null) return null;
  if (!isEncrypted(v)) return v;
  const rest = v.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  const id = rest.slice(0, colon);
  const k = keyring().find((x) => x.id === id);
  if (!k) fail(`个人信息解密失败：缺少密钥 ${id} (personal data was encrypted with key "${id}", which is not in JIESU_PII_KEYS)`);
  const buf = Buffer.from(rest.slice(colon + 1), 'base64');
  try {
    const d = createDecipheriv('aes-256-gcm', k.key, buf.subarray(0, 12));
    d.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
  } catch {
    fail(`个人信息解密失败：密钥 ${id} 不正确 (key "${id}" does not decrypt this data: wrong key)`);
  }
}

/** Blind index of a phone under the newest key (stored beside the ciphertext). */
export function phoneIndex(phone: string | null | undefined): string | null {
  if (phone == null || phone === '') return null;
  return createHmac('sha256', keyring()[0]!.indexKey).update(normalizePhone(phone)).digest('hex');
}

/** A citizen as stored: name and phone encrypted, the phone's blind index beside them. */
export interface SealedCitizen {
  name_enc: string | null;
  phone_enc: string | null;
  phone_bidx: string | null;
}

/**
 * The one way a citizen's name and phone become stored columns (contacts, batched contacts,
 * orders, repeat and merged callers, bulk loads and the demo): every writer calls this, so no
 * path stores them in clear or without the index that caller history and `?phone=` search use.
 * Ciphertext given in is opened first (never encrypted twice, and its phone still indexed).
 */
export function sealCitizen(c: { name?: string | null; phone?: string | null } | null | undefined): SealedCitizen {
  const n = c?.name ?? null;
  const p = c?.phone ?? null;
  const name = isEncrypted(n) ? decrypt(n) : n;
  const phone = isEncrypted(p) ? decrypt(p) : p;
  return { name_enc: encrypt(name), phone_enc: encrypt(phone), phone_bidx: phoneIndex(phone) };
}

/** Whether `keys` open `value` (ciphertext of `plain`): a backup's key check, without loading the keys. */
export function keysOpen(keys: PiiKey[], value: string, plain: string): boolean {
  if (!isEncrypted(value)) return false;
  const rest = value.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  const k = keys.find((x) => x.id === rest.slice(0, colon));
  if (!k) return false;
  const buf = Buffer.from(rest.slice(colon + 1), 'base64');
  try {
    const d = createDecipheriv('aes-256-gcm', k.key, buf.subarray(0, 12));
    d.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8') === plain;
  } catch {
    return false;
  }
}

/** Blind indexes of a phone under every key: match with `col = ANY($n::text[])` (rows not yet rotated included). */
export function phoneIndexes(phone: string): string[] {
  const p = normalizePhone(phone);
  return keyring().map((k) => createHmac('sha256', k.indexKey).update(p).digest('hex'));
}

/** The created event's data with the citizen's fields encrypted (other events are left alone). */
export function sealEventData(type: string, data: Record<string, any>): Record<string, any> {
  const c = data?.citizen;
  if (type !== 'created' || !c || typeof c !== 'object') return data;
  return {
    ...data,
    citizen: { name: isEncrypted(c.name) ? c.name : encrypt(c.name), phone: isEncrypted(c.phone) ? c.phone : encrypt(c.phone) },
  };
}

export function openEventData(type: string, data: Record<string, any>): Record<string, any> {
  const c = data?.citizen;
  if (type !== 'created' || !c || typeof c !== 'object') return data;
  return { ...data, citizen: { name: decrypt(c.name), phone: decrypt(c.phone) } };
}
