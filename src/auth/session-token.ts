import { hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { EncryptJWT, errors as joseErrors, jwtDecrypt } from 'jose';

/** The verified shopper behind a gateway session. */
export interface Shopper {
  customerId: number;
  email: string;
  customerGroupId: number;
  /** Upstream customer access token (customer-access-token mode only); never leaves the gateway in clear. */
  customerAccessToken?: string;
}

export interface Session {
  id: string;
  shopper: Shopper;
  issuedAt: number; // unix seconds
  expiresAt: number; // unix seconds
}

export type SessionFailure = 'expired' | 'invalid';

export class SessionTokenError extends Error {
  constructor(readonly reason: SessionFailure) {
    super(reason === 'expired' ? 'Session expired' : 'Invalid session');
    this.name = 'SessionTokenError';
  }
}

export interface SessionTokens {
  issue(shopper: Shopper, notAfter?: number): Promise<{ token: string; session: Session }>;
  verify(token: string): Promise<Session>;
}

const ISSUER = 'storefront-gateway';
// Small tolerance for clock steps between gateway instances sharing a secret.
export const SESSION_CLOCK_TOLERANCE_SECONDS = 5;

/** Sessions are JWE (dir + A256GCM) so that their content — including a customer access token — stays opaque to the browser. */
export function deriveSessionKey(secret: string | undefined): Uint8Array {
  // Without a configured secret (sandbox mode only) sessions live as long as the process.
  const material = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  return new Uint8Array(hkdfSync('sha256', material, 'storefront-gateway', 'session-encryption-v1', 32));
}

/** Verified sessions remembered by token; decrypting a JWE on every request is the costliest step of a request. */
const VERIFIED_CACHE_SIZE = 10_000;

export function createSessionTokens(deps: { key: Uint8Array; now: () => number; ttlSeconds: number }): SessionTokens {
  const nowSeconds = (): number => Math.floor(deps.now() / 1000);
  // A token decrypts to the same session every time, so a verified one is kept until it expires; expiry is
  // checked on every use, and revocation is checked by the caller on every request as before.
  const verified = new Map<string, Session>();
  const remember = (token: string, session: Session): void => {
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
    verified.set(token, session);
  };
  return {
    async issue(shopper, notAfter) {
      const issuedAt = nowSeconds();
      const expiresAt = Math.min(issuedAt + deps.ttlSeconds, notAfter ?? Number.MAX_SAFE_INTEGER);
      const id = randomUUID();
      const claims: Record<string, unknown> = { cid: shopper.customerId, em: shopper.email, grp: shopper.customerGroupId };
      if (shopper.customerAccessToken) claims.cat = shopper.customerAccessToken;
      const token = await new EncryptJWT(claims)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuer(ISSUER)
        .setAudience(ISSUER)
        .setJti(id)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .encrypt(deps.key);
      return { token, session: { id, shopper, issuedAt, expiresAt } };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt + SESSION_CLOCK_TOLERANCE_SECONDS > nowSeconds()) return known;
        verified.delete(token);
        throw new SessionTokenError('expired');
      }
      try {
        const { payload } = await jwtDecrypt(token, deps.key, {
          issuer: ISSUER,
          audience: ISSUER,
          currentDate: new Date(deps.now()),
          clockTolerance: SESSION_CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['jti', 'iat', 'exp'],
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        });
        const { cid, em, grp, cat, jti, iat, exp } = payload;
        if (typeof cid !== 'number' || typeof em !== 'string' || typeof grp !== 'number' || typeof jti !== 'string') {
          throw new SessionTokenError('invalid');
        }
        const shopper: Shopper = { customerId: cid, email: em, customerGroupId: grp };
        if (typeof cat === 'string') shopper.customerAccessToken = cat;
        const session = { id: jti, shopper, issuedAt: iat ?? 0, expiresAt: exp ?? 0 };
        remember(token, session);
        return session;
      } catch (error) {
        if (error instanceof SessionTokenError) throw error;
        // Mapped by jose's error code, never by message text.
        if (error instanceof joseErrors.JWTExpired) throw new SessionTokenError('expired');
        throw new SessionTokenError('invalid');
      }
    },
  };
}
