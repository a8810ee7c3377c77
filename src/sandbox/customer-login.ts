// GET /login/token/{jwt}: the Customer Login API (SSO), verified as BigCommerce does (FACTS §3): HS256 with the
// client secret, typ JWT, iss = client id, operation customer_login, store_hash, iat within 30 s, single-use jti,
// relative redirect_to, request_ip equal to the browser's IP when present. Success opens a storefront session.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Catalog } from './catalog';
import { clientIp, redirect } from './http-util';
import type { SandboxState } from './state';

/** Session cookie of the sandbox storefront (BigCommerce's own cookie names are not part of any contract). */
export const SESSION_COOKIE = 'SHOP_SESSION_TOKEN';
/** How long a Customer Login JWT is accepted after its `iat` (and tolerated before it, for clock skew). */
export const IAT_WINDOW_SECONDS = 30;
export const LOGIN_ERROR_MESSAGE = 'Invalid login. Please attempt to log in again.';

export interface CustomerLoginDeps {
  catalog: Catalog;
  state: SandboxState;
  storeHash: string;
  clientId: string;
  clientSecret: string;
  channelId: number;
  now: () => number;
}

/** A relative path only: no scheme, no `//host` or `/\host`, no control characters. */
export function isRelativeRedirect(value: string): boolean {
  return value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') && !/[\u0000-\u001f\u007f]/.test(value);
}

class LoginRejected extends Error {}

async function verifyLoginToken(jwt: string, req: IncomingMessage, deps: CustomerLoginDeps): Promise<{ customerId: number; redirectTo: string }> {
  let header;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new LoginRejected('not a JWT');
  }
  // A missing typ header is a known cause of rejected tokens (FACTS §10).
  if (header.alg !== 'HS256' || header.typ !== 'JWT') throw new LoginRejected('header must be {alg: HS256, typ: JWT}');
  let payload: JWTPayload;
  try {
    const nowSeconds = Math.floor(deps.now() / 1000);
    ({ payload } = await jwtVerify(jwt, new TextEncoder().encode(deps.clientSecret), {
      algorithms: ['HS256'],
      issuer: deps.clientId,
      currentDate: new Date(nowSeconds * 1000),
    }));
  } catch {
    throw new LoginRejected('signature, issuer or expiry');
  }
  const claims = payload as JWTPayload & Record<string, unknown>;
  if (claims.operation !== 'customer_login') throw new LoginRejected('operation');
  if (claims.store_hash !== deps.storeHash) throw new LoginRejected('store_hash');
  const iat = claims.iat;
  const nowSeconds = deps.now() / 1000;
  if (typeof iat !== 'number' || nowSeconds - iat > IAT_WINDOW_SECONDS || iat - nowSeconds > IAT_WINDOW_SECONDS) throw new LoginRejected('iat');
  if (typeof claims.jti !== 'string' || claims.jti === '') throw new LoginRejected('jti');
  // The URL works once: the jti is spent as soon as a correctly signed token is presented.
  if (!deps.state.useJti(claims.jti, 2 * IAT_WINDOW_SECONDS * 1000)) throw new LoginRejected('jti reused');
  const customerId = claims.customer_id;
  if (typeof customerId !== 'number' || !deps.catalog.customers.has(customerId)) throw new LoginRejected('customer_id');
  if (claims.channel_id !== undefined && claims.channel_id !== deps.channelId) throw new LoginRejected('channel_id');
  const redirectTo = claims.redirect_to === undefined ? '/account.php' : claims.redirect_to;
  if (typeof redirectTo !== 'string' || !isRelativeRedirect(redirectTo)) throw new LoginRejected('redirect_to');
  if (claims.request_ip !== undefined && claims.request_ip !== clientIp(req)) throw new LoginRejected('request_ip');
  return { customerId, redirectTo };
}

export function createCustomerLoginHandler(deps: CustomerLoginDeps) {
  return async function handleLoginToken(req: IncomingMessage, res: ServerResponse, jwt: string): Promise<void> {
    try {
      const { customerId, redirectTo } = await verifyLoginToken(jwt, req, deps);
      const session = deps.state.createSession(customerId);
      redirect(res, redirectTo, { 'Set-Cookie': `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Lax` });
    } catch (err) {
      if (!(err instanceof LoginRejected)) throw err;
      // Like BigCommerce: no session, back to the sign-in page with a message (the reason stays server-side).
      redirect(res, `/login.php?error=${encodeURIComponent(LOGIN_ERROR_MESSAGE)}`);
    }
  };
}
