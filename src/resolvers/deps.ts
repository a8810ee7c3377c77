import { delegateToSchema } from '@graphql-tools/delegate';
import type { Executor } from '@graphql-tools/utils';
import { OperationTypeNode, type GraphQLResolveInfo } from 'graphql';
import type { GatewayConfig, StoreConfig } from '../config';
import type { GatewayContext } from '../context';
import { sessionCookie, type CookieSettings } from '../auth/session-cookie';
import type { LoginThrottle } from '../auth/login-throttle';
import { SESSION_CLOCK_TOLERANCE_SECONDS, type Session, type SessionTokens, type Shopper } from '../auth/session-token';
import type { GatewayStores } from '../state/types';
import type { RestClient } from '../remote/rest-client';
import type { StorefrontSubschema } from '../remote/storefront';

/** What every resolver map is built from; created once per gateway, never per schema. */
export interface ResolverDeps {
  config: GatewayConfig;
  store: StoreConfig;
  /** Runs the gateway's own storefront operations (storefront-operations.ts). */
  executor: Executor;
  rest: RestClient;
  /** The storefront subschema of the schema in service (it changes when the storefront schema does). */
  subschema: () => StorefrontSubschema;
  sessionTokens: SessionTokens;
  /** Shared state (revocations, single-use token ids): built once per gateway, never per schema. */
  stores: GatewayStores;
  loginThrottle: LoginThrottle;
  cookie: CookieSettings;
  now: () => number;
  log: (event: string, fields: Record<string, unknown>) => void;
}

/** Revokes a session for as long as a verifier would still accept its token. */
export function endSession(deps: ResolverDeps, session: Session): Promise<void> {
  return deps.stores.revocations.revoke(session.id, session.expiresAt + SESSION_CLOCK_TOLERANCE_SECONDS);
}

/**
 * Opens a gateway session for `shopper`: replaces the request's session, sets the cookie, returns the bearer
 * token — and answers the rest of this request (the result's fields, later mutations) for the new shopper.
 */
export async function openSession(deps: ResolverDeps, ctx: GatewayContext, shopper: Shopper, notAfter?: number): Promise<string> {
  if (ctx.session) await endSession(deps, ctx.session);
  const { token, session } = await deps.sessionTokens.issue(shopper, notAfter);
  ctx.responseCookies.push(sessionCookie(deps.cookie, token, session.expiresAt - Math.floor(deps.now() / 1000)));
  ctx.shopper = shopper;
  deps.log('session opened', { customerId: shopper.customerId, correlationId: ctx.correlationId });
  return token;
}

/** Resolves a `Customer` field by delegating `Query.customer` to the storefront as `shopper`. */
export function delegateCustomer(deps: ResolverDeps, ctx: GatewayContext, shopper: Shopper, info: GraphQLResolveInfo): unknown {
  return delegateToSchema({
    schema: deps.subschema(),
    operation: OperationTypeNode.QUERY,
    fieldName: 'customer',
    context: { ...ctx, shopper },
    info,
  });
}
