// Password check for seed accounts: scrypt (node:crypto) hashes, compared in constant time.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

function scryptAsync(password: string, salt: Buffer, keylen: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: N=16384, r=8 needs 16 MiB; Node's default limit is 32 MiB, set it explicitly for larger parameters.
    scrypt(password, salt, keylen, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// Used for unknown emails so that a miss costs as much as a wrong password (no account enumeration by timing).
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Verifies `password` against `scrypt$N$r$p$saltB64$hashB64`; undefined hash = unknown account (always false). */
export async function verifyPassword(password: string, encoded: string | undefined): Promise<boolean> {
  const parts = (encoded ?? DUMMY_HASH).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await scryptAsync(password, Buffer.from(saltB64, 'base64'), expected.length, Number(n), Number(r), Number(p));
  const equal = actual.length === expected.length && timingSafeEqual(actual, expected);
  return encoded !== undefined && equal;
}

/** A new `scrypt$N$r$p$saltB64$hashB64` hash (a password set through the admin REST). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const [N, r, p] = [16384, 8, 1];
  const hash = await scryptAsync(password, salt, 32, N, r, p);
  return ['scrypt', N, r, p, salt.toString('base64'), hash.toString('base64')].join('$');
}
