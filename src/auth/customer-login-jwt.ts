import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

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

/** Signs Customer Login API JWTs (HS256 with the API account's client secret; header `typ: JWT`). */
export function createCustomerLoginSigner(deps: { clientId: string; clientSecret: string; storeHash: string; now: () => number }) {
  const key = new TextEncoder().encode(deps.clientSecret);
  return async (claims: CustomerLoginClaims): Promise<SignedCustomerLogin> => {
    const issuedAt = Math.floor(deps.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: deps.clientId,
      iat: issuedAt,
      // A fresh UUID per token: BigCommerce refuses a reused jti.
      jti: randomUUID(),
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
