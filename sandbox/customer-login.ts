// Customer Login API JWTs (developer.bigcommerce.com/docs/start/authentication/customer-login), verified as BigCommerce does: HS256 with the client secret, typ JWT,
// iss = client id, operation customer_login, store_hash, iat within 30 s, single-use jti, relative redirect_to,
// request_ip equal to the browser's IP when present. Two entry points share one verifier, as on BigCommerce where
// the same JWT serves both: GET /login/token/{jwt} (opens a storefront session) and the Storefront GraphQL
// mutation `loginWithCustomerLoginJwt` (issues a customer access token, see storefront-resolvers.ts).
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

/** A Customer Login JWT was refused; the message is the reason, for logs and tests only (never sent to clients). */
export class CustomerLoginRejected extends Error {}

export interface VerifiedCustomerLogin {
  customerId: number;
  redirectTo: string;
}

export interface VerifyCustomerLoginOptions {
  /**
   * The signing-in browser's IP, compared with the `request_ip` claim; `null` skips that comparison. Only the
   * server-to-server GraphQL mutation passes null: its caller is the storefront's server, whose IP is not the
   * shopper's, so comparing them would refuse every genuine token that carries the claim.
   */
  requestIp: string | null;
}

/** Verifies a Customer Login JWT and spends its jti; throws CustomerLoginRejected on any problem. */
export async function verifyCustomerLoginJwt(
  jwt: string,
  deps: CustomerLoginDeps,
  options: VerifyCustomerLoginOptions,
): Promise<VerifiedCustomerLogin> {
  let header;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new CustomerLoginRejected('not a JWT');
  }
  // A missing typ header is a known cause of rejected tokens (troubleshooting in developer.bigcommerce.com/docs/start/authentication/customer-login).
  if (header.alg !== 'HS256' || header.typ !== 'JWT') throw new CustomerLoginRejected('header must be {alg: HS256, typ: JWT}');
  let payload: JWTPayload;
  try {
    const nowSeconds = Math.floor(deps.now() / 1000);
    ({ payload } = await jwtVerify(jwt, new TextEncoder().encode(deps.clientSecret), {
      algorithms: ['HS256'],
      issuer: deps.clientId,
      currentDate: new Date(nowSeconds * 1000),
    }));
  } catch {
    throw new CustomerLoginRejected('signature, issuer or expiry');
  }
  const claims = payload as JWTPayload & Record<string, unknown>;
  if (claims.operation !== 'customer_login') throw new CustomerLoginRejected('operation');
  if (claims.store_hash !== deps.storeHash) throw new CustomerLoginRejected('store_hash');
  const iat = claims.iat;
  const nowSeconds = deps.now() / 1000;
  if (typeof iat !== 'number' || nowSeconds - iat > IAT_WINDOW_SECONDS || iat - nowSeconds > IAT_WINDOW_SECONDS) throw new CustomerLoginRejected('iat');
  if (typeof claims.jti !== 'string' || claims.jti === '') throw new CustomerLoginRejected('jti');
  // A token works once (URL or mutation alike): the jti is spent as soon as a correctly signed token is presented.
  if (!deps.state.useJti(claims.jti, 2 * IAT_WINDOW_SECONDS * 1000)) throw new CustomerLoginRejected('jti reused');
  const customerId = claims.customer_id;
  if (typeof customerId !== 'number' || !deps.catalog.customers.has(customerId)) throw new CustomerLoginRejected('customer_id');
  if (claims.channel_id !== undefined && claims.channel_id !== deps.channelId) throw new CustomerLoginRejected('channel_id');
  const redirectTo = claims.redirect_to === undefined ? '/account.php' : claims.redirect_to;
  if (typeof redirectTo !== 'string' || !isRelativeRedirect(redirectTo)) throw new CustomerLoginRejected('redirect_to');
  if (options.requestIp !== null && claims.request_ip !== undefined && claims.request_ip !== options.requestIp) throw new CustomerLoginRejected('request_ip');
  return { customerId, redirectTo };
}

export function createCustomerLoginHandler(deps: CustomerLoginDeps) {
  return async function handleLoginToken(req: IncomingMessage, res: ServerResponse, jwt: string): Promise<void> {
    try {
      const { customerId, redirectTo } = await verifyCustomerLoginJwt(jwt, deps, { requestIp: clientIp(req) });
      const session = deps.state.createSession(customerId);
      redirect(res, redirectTo, { 'Set-Cookie': `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Lax` });
    } catch (err) {
      if (!(err instanceof CustomerLoginRejected)) throw err;
      // Like BigCommerce: no session, back to the sign-in page with a message (the reason stays server-side).
      redirect(res, `/login.php?error=${encodeURIComponent(LOGIN_ERROR_MESSAGE)}`);
    }
  };
}
