import { SignJWT } from 'jose';
import {
  createCurrentCustomerVerifier,
  CURRENT_CUSTOMER_CLOCK_TOLERANCE_SECONDS,
  CURRENT_CUSTOMER_MAX_LIFETIME_SECONDS,
} from '../../src/auth/current-customer-jwt';

const SECRET = 'unit-test-client-secret-0123456789abcdef';
const CLIENT_ID = 'unit-client';
const STORE_HASH = 'abc123';
const NOW = 1_750_000_000;
let nowMs = NOW * 1000;
const verify = createCurrentCustomerVerifier({ clientId: CLIENT_ID, clientSecret: SECRET, storeHash: STORE_HASH, now: () => nowMs });

afterEach(() => {
  nowMs = NOW * 1000;
});

/** A token shaped like BigCommerce's example (developer.bigcommerce.com/docs/start/authentication/current-customer). */
async function sign(claims: Record<string, unknown> = {}, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): Promise<string> {
  return new SignJWT({
    customer: { id: 4927, email: 'john.doe@example.com', group_id: '6' },
    iss: 'bc/apps',
    sub: STORE_HASH,
    iat: NOW - 10,
    exp: NOW - 10 + 900,
    version: 1,
    aud: CLIENT_ID,
    application_id: CLIENT_ID,
    store_hash: STORE_HASH,
    operation: 'current_customer',
    ...claims,
  })
    .setProtectedHeader(header as { alg: string })
    .sign(new TextEncoder().encode(SECRET));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same bytes spelled with non-zero unused bits in the last character, when the segment has any. */
function withTrailingBits(segment: string): string | undefined {
  const unused = { 2: 4, 3: 2 }[segment.length % 4 as 2 | 3];
  if (!unused) return undefined;
  const last = ALPHABET.indexOf(segment[segment.length - 1]);
  return segment.slice(0, -1) + ALPHABET[last | 1];
}

/** Spellings of one token that a lenient base64url decoder reads as the same bytes, or that add segments. */
function reencodings(jwt: string): Array<[string, string]> {
  const parts = jwt.split('.');
  const variants: Array<[string, string]> = [];
  const at = (index: number, change: (segment: string) => string) => parts.map((p, i) => (i === index ? change(p) : p)).join('.');
  for (const [index, name] of [[0, 'header'], [1, 'payload'], [2, 'signature']] as Array<[number, string]>) {
    variants.push([`${name} with "=" padding`, at(index, (s) => s + '='.repeat((4 - (s.length % 4)) % 4 || 4))]);
    variants.push([`${name} with "=="`, at(index, (s) => `${s}==`)]);
    variants.push([`${name} with a space inside`, at(index, (s) => `${s.slice(0, 5)} ${s.slice(5)}`)]);
    variants.push([`${name} with a newline inside`, at(index, (s) => `${s.slice(0, 5)}\n${s.slice(5)}`)]);
    variants.push([`${name} with a tab at the end`, at(index, (s) => `${s}\t`)]);
    variants.push([`${name} with a stray "!"`, at(index, (s) => `${s.slice(0, 3)}!${s.slice(3)}`)]);
    variants.push([`${name} with a zero-width space`, at(index, (s) => `${s.slice(0, 3)}\u200b${s.slice(3)}`)]);
    variants.push([`${name} with a percent-encoded "="`, at(index, (s) => `${s}%3D`)]);
    const trailing = withTrailingBits(parts[index]);
    if (trailing) variants.push([`${name} with non-zero trailing bits`, at(index, () => trailing)]);
    if (/[-_]/.test(parts[index])) variants.push([`${name} in standard base64 (+/)`, at(index, (s) => s.replace(/-/g, '+').replace(/_/g, '/'))]);
  }
  variants.push(['a trailing dot', `${jwt}.`]);
  variants.push(['a fourth segment', `${jwt}.${parts[2]}`]);
  variants.push(['five segments (JWE shape)', `${jwt}.AAAA.BBBB`]);
  variants.push(['a leading dot', `.${jwt}`]);
  variants.push(['surrounding spaces', ` ${jwt} `]);
  variants.push(['a trailing newline', `${jwt}\n`]);
  return variants;
}

describe('Current Customer JWT verification', () => {
  it('accepts a genuine token and names its single use by meaning, kept until the verifier would refuse it', async () => {
    const jwt = await sign();
    const verified = await verify(jwt);
    expect(verified).toMatchObject({ customerId: 4927, email: 'john.doe@example.com', customerGroupId: 6, expiresAt: NOW + 890 });
    expect(verified.singleUse.forgetAtSeconds).toBe(NOW + 890 + CURRENT_CUSTOMER_CLOCK_TOLERANCE_SECONDS);
    expect(verified.singleUse.key).toMatch(/^cc-jwt:sig:/);
    // The key never carries the token or its signature.
    expect(verified.singleUse.key).not.toContain(jwt.split('.')[2]);
    expect((await verify(jwt)).singleUse.key).toBe(verified.singleUse.key);
  });

  it('accepts the token until exactly the forget-at time, and not after', async () => {
    const jwt = await sign();
    const { singleUse } = await verify(jwt);
    nowMs = (singleUse.forgetAtSeconds - 1) * 1000 + 999;
    await expect(verify(jwt)).resolves.toBeDefined();
    nowMs = singleUse.forgetAtSeconds * 1000;
    await expect(verify(jwt)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'EXPIRED' } });
  });

  it('refuses every re-encoding of one token as MALFORMED (none maps to another key)', async () => {
    const jwt = await sign();
    const variants = reencodings(jwt);
    expect(variants.length).toBeGreaterThan(30);
    for (const [name, variant] of variants) {
      expect(variant).not.toBe(jwt);
      await expect(verify(variant)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'MALFORMED' } });
      void name;
    }
  });

  it('refuses re-encodings of tokens whose segments do have unused bits (payload lengths 0–2 mod 3)', async () => {
    for (const pad of ['', 'x', 'xx']) {
      const jwt = await sign({ pad });
      const [, payload, signature] = jwt.split('.');
      expect(withTrailingBits(signature)).toBeDefined();
      const bits = [payload, signature].map(withTrailingBits);
      for (const [index, changed] of bits.entries()) {
        if (!changed) continue;
        const parts = jwt.split('.');
        parts[index + 1] = changed;
        await expect(verify(parts.join('.'))).rejects.toMatchObject({ extensions: { reason: 'MALFORMED' } });
      }
    }
  });

  it('keys tokens with a jti on issuer + jti: two spellings of one jti are one use', async () => {
    const first = await sign({ jti: 'token-1' });
    const second = await sign({ jti: 'token-1', iat: NOW - 5, exp: NOW + 895 }, { typ: 'JWT', alg: 'HS256' });
    expect(second).not.toBe(first);
    const a = await verify(first);
    const b = await verify(second);
    expect(a.singleUse.key).toMatch(/^cc-jwt:jti:/);
    expect(b.singleUse.key).toBe(a.singleUse.key);
    expect((await verify(await sign({ jti: 'token-2' }))).singleUse.key).not.toBe(a.singleUse.key);
  });

  it.each([
    ['an empty jti', { jti: '' }],
    ['a numeric jti', { jti: 7 }],
    ['an oversized jti', { jti: 'j'.repeat(257) }],
  ])('refuses %s as CLAIM_INVALID', async (_name, claims) => {
    await expect(verify(await sign(claims))).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'CLAIM_INVALID' } });
  });

  describe('lifetime cap (BigCommerce issues exp - iat = 900)', () => {
    it.each([
      ['exactly 15 minutes', NOW - 10, NOW - 10 + CURRENT_CUSTOMER_MAX_LIFETIME_SECONDS],
      ['shorter', NOW - 10, NOW + 60],
      ['issued within the clock tolerance ahead', NOW + 20, NOW + 20 + 900],
    ])('accepts %s', async (_name, iat, exp) => {
      await expect(verify(await sign({ iat, exp }))).resolves.toMatchObject({ expiresAt: exp });
    });

    it.each([
      ['one second longer', NOW - 10, NOW - 10 + 901, 'CLAIM_INVALID'],
      ['a day', NOW - 10, NOW + 86_400, 'CLAIM_INVALID'],
      ['a year, issued now', NOW, NOW + 365 * 86_400, 'CLAIM_INVALID'],
      ['exp before iat', NOW - 10, NOW - 20, 'CLAIM_INVALID'],
      ['exp equal to iat', NOW + 10, NOW + 10, 'CLAIM_INVALID'],
      ['iat far in the past with a fresh exp', NOW - 10_000, NOW + 100, 'EXPIRED'],
      ['iat beyond the clock tolerance ahead', NOW + 31, NOW + 31 + 900, 'NOT_YET_VALID'],
    ])('refuses %s', async (_name, iat, exp, reason) => {
      await expect(verify(await sign({ iat, exp }))).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason } });
    });

    it('requires iat and exp', async () => {
      await expect(verify(await sign({ iat: undefined }))).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      await expect(verify(await sign({ exp: undefined }))).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    });
  });

  it('refuses a token over 8 KB before decoding it', async () => {
    await expect(verify(`${'a'.repeat(9000)}.b.c`)).rejects.toMatchObject({ extensions: { reason: 'MALFORMED' } });
  });
});
