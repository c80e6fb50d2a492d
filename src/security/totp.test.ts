import { describe, expect, it } from 'vitest';
import { newTotpSecret, otpauthUrl, totpCode, verifyTotp } from './totp.js';

// RFC 6238 Appendix B, SHA-1 key "12345678901234567890" in base32. A 6-digit code is the last six
// digits of the RFC's 8-digit value (both are the truncated HMAC modulo 10^digits).
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP', () => {
  it('accepts the RFC 6238 test vectors at their time and gives their step', () => {
    for (const [t, code8] of RFC_VECTORS) {
      expect(verifyTotp(RFC_SECRET, code8.slice(2), t * 1000, null, 0)).toBe(Math.floor(t / 30));
      expect(totpCode(RFC_SECRET, t * 1000)).toBe(code8.slice(2));
    }
  });

  it('allows one step of clock drift, refuses replays, other steps and junk', () => {
    const now = 1111111111_000;
    const code = totpCode(RFC_SECRET, now);
    const step = Math.floor(now / 30000);
    expect(verifyTotp(RFC_SECRET, code, now)).toBe(step);
    expect(verifyTotp(RFC_SECRET, code, now + 30_000)).toBe(step);
    expect(verifyTotp(RFC_SECRET, code, now + 90_000)).toBeNull();
    expect(verifyTotp(RFC_SECRET, code, now, step)).toBeNull();
    expect(verifyTotp(RFC_SECRET, '12345', now)).toBeNull();
    expect(verifyTotp(RFC_SECRET, 'abcdef', now)).toBeNull();
    expect(verifyTotp('not base32 !', '123456', now)).toBeNull();
  });

  it('makes fresh 160-bit secrets and an otpauth URL an authenticator app reads', () => {
    const a = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(a);
    const url = new URL(otpauthUrl(a, 'admin'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(a);
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect(decodeURIComponent(url.pathname)).toContain('admin');
  });
});
