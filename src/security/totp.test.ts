import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, totp, verifyTotp } from './totp.js';

describe('RFC 6238 / RFC 4226', () => {
  it('matches the RFC 4226 HOTP test values', () => {
    const key = Buffer.from('12345678901234567890');
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, i) => expect(hotp(key, i)).toBe(code));
  });

  it('matches the RFC 6238 Appendix B test vectors (8 digits, SHA-1/256/512)', () => {
    const keys = {
      sha1: Buffer.from('12345678901234567890'),
      sha256: Buffer.from('12345678901234567890123456789012'),
      sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
    };
    const vectors: [number, string, string, string][] = [
      [59, '94287082', '46119246', '90693936'],
      [1111111109, '07081804', '68084774', '25091201'],
      [1111111111, '14050471', '67062674', '99943326'],
      [1234567890, '89005924', '91819424', '93441116'],
      [2000000000, '69279037', '90698825', '38618901'],
      [20000000000, '65353130', '77737706', '47863826'],
    ];
    for (const [t, s1, s256, s512] of vectors) {
      expect(totp(keys.sha1, t * 1000, 8, 'sha1')).toBe(s1);
      expect(totp(keys.sha256, t * 1000, 8, 'sha256')).toBe(s256);
      expect(totp(keys.sha512, t * 1000, 8, 'sha512')).toBe(s512);
    }
  });

  it('base32 round-trips and verification accepts ±1 step, refuses replays and junk', () => {
    const key = Buffer.from('12345678901234567890');
    const b32 = base32Encode(key);
    expect(b32).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode(b32).equals(key)).toBe(true);
    const now = 1111111111_000;
    const code = totp(key, now);
    expect(verifyTotp(b32, code, now)).toBe(Math.floor(now / 30000));
    expect(verifyTotp(b32, code, now + 30_000)).not.toBeNull();
    expect(verifyTotp(b32, code, now + 90_000)).toBeNull();
    expect(verifyTotp(b32, code, now, Math.floor(now / 30000))).toBeNull();
    expect(verifyTotp(b32, '12345', now)).toBeNull();
    expect(verifyTotp(b32, 'abcdef', now)).toBeNull();
  });
});
