import { randomUUID } from 'node:crypto';
import { constantTimeEqual } from './auth/constant-time';
import { GraphQLError } from 'graphql';
import type { Session, SessionTokens, Shopper } from './auth/session-token';
import type { RevocationStore } from './state/types';
import type { UpstreamTally } from './remote/upstream-budget';
import { SessionTokenError } from './auth/session-token';
import { gatewayError } from './errors';
import { canonicalAddress, parseForwardedEntry, type ClientAddressResolver } from './http/client-address';
import type { CustomerTokenIdentity, TokenIdentity } from './front-door/customer-token-identity';
import type { FrontDoorRequest } from './front-door/requests';

/** Per-request context: the verified shopper and the values the gateway sends upstream on their behalf. */
export interface GatewayContext {
  session: Session | null;
  /** The shopper the upstream sees: the session's, or one just logged in during this request. */
  shopper: Shopper | null;
  clientIp: string;
  correlationId: string;
  acceptLanguage?: string;
  /** True when the request carried the gateway's server key (trusted server-to-server caller). */
  trustedServer: boolean;
  /** The store channel the request is answered for: the front door's host names it, else BC_CHANNEL_ID. */
  channelId: number;
  /**
   * Set when an authenticated storefront server asked through the BigCommerce-compatible front door: the shopper is
   * whoever BigCommerce says its customer access token names, and answers keep BigCommerce's contract.
   */
  frontDoor?: FrontDoorRequest;
  /** `Set-Cookie` values to add to the response (login/logout). */
  responseCookies: string[];
  /** Upstream calls, BigCommerce's complexity and the upstream deadline of this request; an object so copies of the context share it. */
  tally: UpstreamTally;
  /** Loaders of the HTTP request (shared by a batch's operations, keyed by scope); nothing in it outlives the request. */
  loaders: Map<string, unknown>;
}

export interface ContextDeps {
  sessionTokens: SessionTokens;
  revocations: RevocationStore;
  /** Unix seconds since which revocations are complete (GatewayStores.stateSince). */
  stateSince: () => Promise<number>;
  cookieName: string;
  /** The Set-Cookie value that deletes the session cookie. */
  clearedCookie: string;
  /** The client's address from the socket and the trusted proxies' `X-Forwarded-For` (GATEWAY_TRUST_PROXY). */
  clientAddress: ClientAddressResolver;
  serverKey?: string;
  channelId: number;
  /** The front door's view of a request (host, channel, storefront server), if it came that way. */
  frontDoorOf: (request: Request) => FrontDoorRequest | undefined;
  customerTokens?: CustomerTokenIdentity;
}

const HEADER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client-supplied id (X-Correlation-Id, X-Request-Id) the gateway may repeat in logs and upstream: short and plain. */
export function safeHeaderId(value: string | null): string | undefined {
  return value !== null && HEADER_ID.test(value) ? value : undefined;
}
const ACCEPT_LANGUAGE = /^[A-Za-z0-9,;=.\-* ]{1,256}$/;

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The shopper's address: the right-most `X-Forwarded-For` entry no trusted proxy vouches for, or the socket
 * peer (http/client-address.ts). It keys login limits and becomes `request_ip` and `True-Client-IP`.
 */
export function clientIpOf(request: Request, socketAddress: string | undefined, resolve: ClientAddressResolver): string {
  return resolve(socketAddress, request.headers.get('x-forwarded-for'));
}

function sessionCredential(request: Request, cookieName: string): { token: string; fromCookie: boolean } | undefined {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    // A malformed Authorization header is an authentication failure, not a guest request.
    if (!match) throw gatewayError('UNAUTHENTICATED', 'Authorization header must be "Bearer <sessionToken>"', {}, { httpStatus: true });
    return { token: match[1], fromCookie: false };
  }
  const cookie = readCookie(request.headers.get('cookie'), cookieName);
  return cookie === undefined ? undefined : { token: cookie, fromCookie: true };
}

/** Whether the request carries the gateway's server key (a trusted server-to-server caller). */
export function isTrustedServer(request: Request, serverKey: string | undefined): boolean {
  const sent = request.headers.get('x-gateway-server-key');
  return serverKey !== undefined && sent !== null && constantTimeEqual(sent, serverKey);
}


export function createContextFactory(deps: ContextDeps) {
  /**
   * `perRequest` is shared by the operations of one HTTP request (a batch): every Set-Cookie reaches the
   * response, the upstream deadline and REST call bound hold for the request as a whole, and its REST
   * work is batched across operations (aliases, fragments and batch entries alike).
   */
  return async (
    request: Request,
    socketAddress: string | undefined,
    perRequest: { responseCookies: string[]; tally: UpstreamTally; loaders: Map<string, unknown> },
  ): Promise<GatewayContext> => {
    const frontDoor = deps.frontDoorOf(request);
    if (frontDoor) return frontDoorContext(deps, request, socketAddress, perRequest, frontDoor);
    const { responseCookies } = perRequest;
    const credential = sessionCredential(request, deps.cookieName);
    let session: Session | null = null;
    if (credential !== undefined) {
      // A browser cannot delete an HttpOnly cookie itself: refusing it also deletes it, so the next request is a guest's.
      const refuse = (message: string) => {
        if (credential.fromCookie && !responseCookies.includes(deps.clearedCookie)) responseCookies.push(deps.clearedCookie);
        return gatewayError('UNAUTHENTICATED', message, {}, { httpStatus: true });
      };
      try {
        session = await deps.sessionTokens.verify(credential.token);
      } catch (error) {
        const expired = error instanceof SessionTokenError && error.reason === 'expired';
        throw refuse(expired ? 'Session expired; log in again' : 'Invalid session');
      }
      // All in shared state, read together: a revoked session, one older than the state that would know, or one
      // older than a change to its customer.
      const [revoked, since, customerChangedAt] = await Promise.all([
        deps.revocations.isRevoked({ sessionId: session.id, customerId: session.shopper.customerId }),
        deps.stateSince(),
        deps.revocations.customerRevokedAt(session.shopper.customerId),
      ]);
      if (revoked) throw refuse('Session has ended; log in again');
      if (session.issuedAt < since) throw refuse('Session can no longer be verified; log in again');
      // The customer changed in the store (e.g. another customer group) after this session was issued.
      if (customerChangedAt !== undefined && session.issuedAt <= customerChangedAt) throw refuse('Your account changed; log in again');
    }
    const correlationHeader = request.headers.get('x-correlation-id');
    const language = request.headers.get('accept-language');
    return {
      session,
      shopper: session?.shopper ?? null,
      clientIp: clientIpOf(request, socketAddress, deps.clientAddress),
      correlationId: safeHeaderId(correlationHeader) ?? randomUUID(),
      acceptLanguage: language && ACCEPT_LANGUAGE.test(language) ? language : undefined,
      trustedServer: isTrustedServer(request, deps.serverKey),
      channelId: deps.channelId,
      responseCookies,
      tally: perRequest.tally,
      loaders: perRequest.loaders,
    };
  };
}

/** A storefront server names its shopper's address itself; an invalid value falls back to the proxies' and socket's. */
function frontDoorClientIp(request: Request, socketAddress: string | undefined, resolve: ClientAddressResolver): string {
  const named = canonicalAddress(request.headers.get('true-client-ip')?.trim() ?? '');
  if (named) return named;
  // The server forwards its own client's address; the left-most entry is the shopper as that server saw them.
  const forwarded = parseForwardedEntry(request.headers.get('x-forwarded-for')?.split(',')[0] ?? '');
  return forwarded ?? resolve(socketAddress, null);
}

/**
 * The front door's context: no gateway session (its Authorization is the storefront server's token, checked by
 * the front-door plugin); the shopper is the customer access token's, as BigCommerce says. A dead token fails the
 * request with BigCommerce's own error and HTTP 200 when the client asked for that
 * (`X-Bc-Error-On-Invalid-Customer-Access-Token`), and is a guest otherwise — as on BigCommerce.
 */
async function frontDoorContext(
  deps: ContextDeps,
  request: Request,
  socketAddress: string | undefined,
  perRequest: { responseCookies: string[]; tally: UpstreamTally; loaders: Map<string, unknown> },
  frontDoor: FrontDoorRequest,
): Promise<GatewayContext> {
  const correlationId = safeHeaderId(request.headers.get('x-correlation-id')) ?? randomUUID();
  const language = request.headers.get('accept-language');
  const base = {
    session: null,
    shopper: null,
    clientIp: frontDoorClientIp(request, socketAddress, deps.clientAddress),
    correlationId,
    acceptLanguage: language && ACCEPT_LANGUAGE.test(language) ? language : undefined,
    trustedServer: isTrustedServer(request, deps.serverKey),
    channelId: frontDoor.channelId,
    frontDoor,
    responseCookies: perRequest.responseCookies,
    tally: perRequest.tally,
    loaders: perRequest.loaders,
  };
  const token = request.headers.get('x-bc-customer-access-token')?.trim();
  if (!token || !deps.customerTokens) return base;
  // Once per HTTP request: the operations of a batch share the lookup (and at most one question to BigCommerce).
  const memoKey = `front-door-identity:${token}`;
  let pending = perRequest.loaders.get(memoKey) as Promise<TokenIdentity> | undefined;
  if (!pending) perRequest.loaders.set(memoKey, (pending = deps.customerTokens.resolve(token, base)));
  const identity = await pending;
  if (identity.kind === 'shopper') return { ...base, shopper: identity.shopper };
  if (request.headers.get('x-bc-error-on-invalid-customer-access-token')?.trim().toLowerCase() !== 'true') return base;
  const [first] = identity.errors;
  throw new GraphQLError(first.message, { extensions: { ...first.extensions, http: { status: 200 } } });
}
