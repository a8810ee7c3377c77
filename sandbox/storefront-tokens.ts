// Storefront API tokens (storefront, private, customer impersonation) as BigCommerce issues them: ES256 JWTs
// (developer.bigcommerce.com/docs/start/authentication/graphql-storefront). The signing key is derived from the sandbox's identity, so — as with BigCommerce — a token
// outlives a restart of the store: a gateway configured with one recovers when the sandbox comes back.
import { createECDH, createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';

export type TokenKind = 'storefront' | 'private' | 'impersonation';
export type TokenScope = 'Unauthenticated' | 'Customer' | 'B2B';

const KIND_CODES: Record<TokenKind, number> = { storefront: 1, impersonation: 2, private: 3 };

export interface StorefrontTokenClaims {
  iss: 'BC';
  /** Store the token belongs to. */
  sid: string;
  /** API account that created it. */
  sub: string;
  /** Channels the token is valid for. */
  cid: number[];
  /** Allowed CORS origins (storefront tokens). */
  cors: string[];
  /** Expiry, unix seconds ("expires at"). */
  eat: number;
  iat: number;
  token_type: number;
  scopes?: TokenScope[];
}

export interface VerifiedStorefrontToken {
  kind: TokenKind;
  claims: StorefrontTokenClaims;
}

/** A 401 of the Storefront API with one of BigCommerce's messages (developer.bigcommerce.com/docs/start/about/status-codes, GraphQL HTTP status codes). */
export class StorefrontAuthError extends Error {}

export const AUTH_MESSAGES = {
  missing: 'GraphQL credentials were missing. No token was sent.',
  notJwt: 'GraphQL invalid credentials. String is not a JWT',
  badSignature: 'GraphQL invalid credentials. JWT signature is invalid',
  expired: 'GraphQL invalid credentials. JWT is expired',
  wrongChannel: "GraphQL invalid credentials. JWT channel id doesn't match channel id of the URL",
  revoked: 'Unknown JWT token',
  noJson: 'GraphQL invalid credentials. JWT has no valid Json',
  unknownFormat: 'GraphQL invalid credentials. JWT has Json of an unknown format',
  wrongStore: "GraphQL invalid credentials. JWT store id doesn't match store id of the URL",
} as const;

export interface StorefrontTokenService {
  issue(kind: TokenKind, input: { channelIds: number[]; expiresAt: number; corsOrigins: string[]; scopes?: TokenScope[] }): Promise<string>;
  /** Verifies an `Authorization` header value for the URL's channel; throws StorefrontAuthError with BigCommerce's message. */
  verify(authorization: string | undefined, channelId?: number): Promise<VerifiedStorefrontToken>;
  revoke(token: string): Promise<boolean>;
}

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
}

function isClaims(value: unknown): value is StorefrontTokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.sid === 'string' &&
    typeof v.eat === 'number' &&
    typeof v.token_type === 'number' &&
    Array.isArray(v.cid) &&
    v.cid.every((c) => typeof c === 'number')
  );
}

/** A P-256 key pair whose private scalar comes from `secret` (HKDF): the same identity, the same key. */
export function deriveSigningKeys(secret: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const d = Buffer.from(hkdfSync('sha256', secret, 'sandbox-store', 'storefront-token-signing-v1', 32));
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey(); // 0x04 ‖ x ‖ y
  const jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
  return {
    privateKey: createPrivateKey({ key: { ...jwk, d: d.toString('base64url') }, format: 'jwk' }),
    publicKey: createPublicKey({ key: jwk, format: 'jwk' }),
  };
}

export async function createStorefrontTokenService(opts: {
  storeHash: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  channelId: number;
  now: () => number;
  revoked: Set<string>;
}): Promise<StorefrontTokenService> {
  const { privateKey, publicKey: key } = deriveSigningKeys(`${opts.storeHash}\n${opts.clientSecret}\n${opts.accessToken}`);
  // An ES256 signature check costs more than the rest of a request; a token's signature never changes, so
  // tokens whose signature verified are remembered (bounded). Expiry and revocation are still checked every time.
  const signatureVerified = new Set<string>();
  const verifySignature = async (token: string): Promise<void> => {
    if (signatureVerified.has(token)) return;
    await compactVerify(token, key, { algorithms: ['ES256'] });
    if (signatureVerified.size >= 1000) signatureVerified.clear();
    signatureVerified.add(token);
  };

  return {
    async issue(kind, input) {
      const claims: StorefrontTokenClaims = {
        iss: 'BC',
        sid: opts.storeHash,
        sub: opts.clientId,
        cid: input.channelIds,
        cors: input.corsOrigins,
        eat: input.expiresAt,
        iat: Math.floor(opts.now() / 1000),
        token_type: KIND_CODES[kind],
        ...(input.scopes ? { scopes: input.scopes } : {}),
      };
      return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ typ: 'JWT', alg: 'ES256' })
        .sign(privateKey);
    },

    async verify(authorization, channelId = opts.channelId) {
      if (!authorization || authorization.trim() === '') throw new StorefrontAuthError(AUTH_MESSAGES.missing);
      const match = /^Bearer\s+(.*)$/i.exec(authorization.trim());
      const token = (match ? match[1] : authorization).trim();
      if (token === '') throw new StorefrontAuthError(AUTH_MESSAGES.missing);
      const parts = token.split('.');
      if (parts.length !== 3) throw new StorefrontAuthError(AUTH_MESSAGES.notJwt);
      try {
        decodeSegment(parts[0]);
      } catch {
        throw new StorefrontAuthError(AUTH_MESSAGES.notJwt);
      }
      let payload: unknown;
      try {
        payload = decodeSegment(parts[1]);
      } catch {
        throw new StorefrontAuthError(AUTH_MESSAGES.noJson);
      }
      if (!isClaims(payload)) throw new StorefrontAuthError(AUTH_MESSAGES.unknownFormat);
      try {
        await verifySignature(token);
      } catch {
        throw new StorefrontAuthError(AUTH_MESSAGES.badSignature);
      }
      if (payload.sid !== opts.storeHash) throw new StorefrontAuthError(AUTH_MESSAGES.wrongStore);
      if (!payload.cid.includes(channelId)) throw new StorefrontAuthError(AUTH_MESSAGES.wrongChannel);
      if (payload.eat * 1000 <= opts.now()) throw new StorefrontAuthError(AUTH_MESSAGES.expired);
      if (opts.revoked.has(token)) throw new StorefrontAuthError(AUTH_MESSAGES.revoked);
      const kind = (Object.keys(KIND_CODES) as TokenKind[]).find((k) => KIND_CODES[k] === payload.token_type);
      if (!kind) throw new StorefrontAuthError(AUTH_MESSAGES.unknownFormat);
      return { kind, claims: payload };
    },

    async revoke(token) {
      try {
        await compactVerify(token, key, { algorithms: ['ES256'] });
      } catch {
        return false;
      }
      opts.revoked.add(token);
      return true;
    },
  };
}
