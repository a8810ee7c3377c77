import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { gatewayError } from '../errors';
import { canonicalSignature, digest, joseFailure } from './jws-canonical';
import { validateRedirectPath } from './redirect-path';

/** BigCommerce accepts a Customer Login JWT for 30 seconds after `iat` (developer.bigcommerce.com/docs/start/authentication/customer-login). */
export const CUSTOMER_LOGIN_JWT_LIFETIME_SECONDS = 30;

export interface CustomerLoginClaims {
  customerId: number;
  channelId: number;
  redirectTo: string;
  requestIp?: string;
}

export interface SignedCustomerLogin {
  jwt: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * The jti of every token the gateway signs is a random-looking UUID v4 whose last 62 bits are an HMAC of its first
 * 60 random ones: the gateway's verifier recognises its own tokens without storing anything per token, and
 * BigCommerce sees an ordinary UUID. A token minted for BigCommerce's `/login/token` is thereby not also
 * redeemable at the gateway (`loginWithCustomerLoginJwt`), whichever of the two it is presented to first.
 */
function mintedJtiTagger(clientSecret: string) {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(clientSecret, 'utf8'), 'storefront-gateway', 'customer-login-jti-v1', 32));
  const tag = (nonce: Buffer): Buffer => {
    const mac = createHmac('sha256', key).update(nonce).digest().subarray(0, 8);
    mac[0] = (mac[0] & 0x3f) | 0x80; // RFC 9562 variant bits
    return mac;
  };
  const format = (bytes: Buffer): string => {
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  return {
    mint(): string {
      const nonce = randomBytes(8);
      nonce[6] = (nonce[6] & 0x0f) | 0x40; // version 4
      return format(Buffer.concat([nonce, tag(nonce)]));
    },
    isMinted(jti: string): boolean {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(jti)) return false;
      const bytes = Buffer.from(jti.replace(/-/g, ''), 'hex');
      return timingSafeEqual(bytes.subarray(8), tag(bytes.subarray(0, 8)));
    },
  };
}

/** Signs Customer Login API JWTs (HS256 with the API account's client secret; header `typ: JWT`). */
export function createCustomerLoginSigner(deps: { clientId: string; clientSecret: string; storeHash: string; now: () => number }) {
  const key = new TextEncoder().encode(deps.clientSecret);
  const jti = mintedJtiTagger(deps.clientSecret);
  return async (claims: CustomerLoginClaims): Promise<SignedCustomerLogin> => {
    const issuedAt = Math.floor(deps.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: deps.clientId,
      iat: issuedAt,
      // A fresh UUID per token (BigCommerce refuses a reused jti), tagged as the gateway's own.
      jti: jti.mint(),
      operation: 'customer_login',
      store_hash: deps.storeHash,
      customer_id: claims.customerId,
      channel_id: claims.channelId,
      redirect_to: claims.redirectTo,
    };
    if (claims.requestIp) payload.request_ip = claims.requestIp;
    const jwt = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
    return { jwt, issuedAt, expiresAt: issuedAt + CUSTOMER_LOGIN_JWT_LIFETIME_SECONDS };
  };
}

/** Clock difference tolerated between whoever signed a Customer Login JWT and the gateway. */
export const CUSTOMER_LOGIN_CLOCK_TOLERANCE_SECONDS = 5;

export interface VerifiedCustomerLogin {
  customerId: number;
  /** The `redirect_to` claim, checked to be a relative path (default `/account.php`). */
  redirectTo: string;
  /** Single use: `iss` + `jti`, remembered until the token could no longer be accepted. */
  singleUse: { key: string; forgetAtSeconds: number; issuedAtSeconds: number };
}

function refused(reason: string, detail: string) {
  return gatewayError('UNAUTHENTICATED', `Customer Login JWT rejected: ${detail}`, { reason });
}

/**
 * Verifies a Customer Login API JWT the way BigCommerce's `/login/token/{jwt}` does
 * (developer.bigcommerce.com/docs/start/authentication/customer-login): HS256 with the API account's client
 * secret, `iss` the client id, `operation` customer_login, this store's hash, a `jti`, `iat` at most 30 seconds
 * old, `channel_id` (if any) this channel, a relative `redirect_to`, and — the point of checking it here —
 * `request_ip` equal to the address the request comes from. A token without `request_ip` is a bearer
 * credential: only a trusted server (which minted it for the shopper it speaks for) may present one.
 */
export function createCustomerLoginVerifier(deps: { clientId: string; clientSecret: string; storeHash: string; channelId: number; now: () => number }) {
  const key = new TextEncoder().encode(deps.clientSecret);
  const jti = mintedJtiTagger(deps.clientSecret);
  return async (jwt: string, caller: { clientIp: string; trustedServer: boolean }): Promise<VerifiedCustomerLogin> => {
    if (jwt.length > 8192) throw refused('MALFORMED', 'token is too long');
    const canonical = canonicalSignature(jwt);
    if ('refused' in canonical) throw refused('MALFORMED', canonical.refused);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jwt, key, {
        algorithms: ['HS256'],
        issuer: deps.clientId,
        currentDate: new Date(deps.now()),
        clockTolerance: CUSTOMER_LOGIN_CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: CUSTOMER_LOGIN_JWT_LIFETIME_SECONDS,
        requiredClaims: ['iat', 'jti'],
      }));
    } catch (error) {
      const { reason, detail } = joseFailure(error);
      // Valid only within its 30-second window, as /login/token has it: outside it on either side is EXPIRED.
      throw refused(reason === 'NOT_YET_VALID' ? 'EXPIRED' : reason, detail);
    }
    if (payload.operation !== 'customer_login') throw refused('CLAIM_INVALID', 'claim "operation" is invalid');
    if (payload.store_hash !== deps.storeHash) throw refused('CLAIM_INVALID', 'claim "store_hash" is invalid');
    if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256) throw refused('CLAIM_INVALID', 'claim "jti" is invalid');
    // The gateway's own tokens are for BigCommerce (/login/token, the Storefront API), never for this door.
    if (jti.isMinted(payload.jti)) throw refused('CLAIM_INVALID', 'token was issued by this gateway for the store, not for the gateway');
    if (typeof payload.customer_id !== 'number' || !Number.isSafeInteger(payload.customer_id) || payload.customer_id < 1) {
      throw refused('CLAIM_INVALID', 'claim "customer_id" is invalid');
    }
    if (payload.channel_id !== undefined && payload.channel_id !== deps.channelId) throw refused('CLAIM_INVALID', 'claim "channel_id" is not this channel');
    if (payload.request_ip === undefined) {
      if (!caller.trustedServer) throw refused('REQUEST_IP_MISMATCH', 'token carries no request_ip; only trusted servers may present such tokens');
    } else if (payload.request_ip !== caller.clientIp) {
      throw refused('REQUEST_IP_MISMATCH', 'token was issued for another address');
    }
    const redirectTo = validateRedirectPath(typeof payload.redirect_to === 'string' ? payload.redirect_to : undefined);
    const iat = payload.iat as number;
    return {
      customerId: payload.customer_id,
      redirectTo,
      singleUse: {
        key: `cl-jwt:${digest(deps.clientId, payload.jti)}`,
        forgetAtSeconds: Math.ceil(iat) + CUSTOMER_LOGIN_JWT_LIFETIME_SECONDS + CUSTOMER_LOGIN_CLOCK_TOLERANCE_SECONDS + 1,
        issuedAtSeconds: iat,
      },
    };
  };
}
