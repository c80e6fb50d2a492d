// TOTP (RFC 6238) through the otpauth library: 30-second steps, 6 digits, SHA-1 (what
// authenticator apps expect). This module only adds the replay rule: one code logs in once.
import { Secret, TOTP } from 'otpauth';

export const STEP_SECONDS = 30;
export const DIGITS = 6;
const ISSUER = 'jiesu 12345';

const totpFor = (secretB32: string, account = '') =>
  new TOTP({ issuer: ISSUER, label: account, algorithm: 'SHA1', digits: DIGITS, period: STEP_SECONDS, secret: Secret.fromBase32(secretB32) });

export const timeStep = (unixMs: number) => TOTP.counter({ period: STEP_SECONDS, timestamp: unixMs });

/** The code for a moment (used by tests and by nothing else: people read it off their phone). */
export const totpCode = (secretB32: string, unixMs: number) => totpFor(secretB32).generate({ timestamp: unixMs });

/**
 * The time step a code matches within ±`window` steps of now (clock drift), or null.
 * Steps at or before `lastStep` are refused, so one code logs in once.
 */
export function verifyTotp(secretB32: string, code: string, unixMs = Date.now(), lastStep: number | null = null, window = 1): number | null {
  if (!new RegExp(`^\\d{${DIGITS}}$`).test(code)) return null;
  let totp: TOTP;
  try {
    totp = totpFor(secretB32);
  } catch {
    return null; // a stored secret that is not base32
  }
  const delta = totp.validate({ token: code, timestamp: unixMs, window });
  if (delta === null) return null;
  const step = timeStep(unixMs) + delta;
  return lastStep != null && step <= lastStep ? null : step;
}

export const newTotpSecret = () => new Secret({ size: 20 }).base32;

export const otpauthUrl = (secret: string, account: string) => totpFor(secret, account).toString();
