import { GraphQLError } from 'graphql';
import type { LoginResultResolvers, MutationResolvers, ResolversTypes } from '../generated/resolver-types';
import type { GatewayContext } from '../context';
import { clearedSessionCookie } from '../auth/session-cookie';
import type { Shopper } from '../auth/session-token';
import { validateCredentials } from '../remote/customers';
import {
  CUSTOMER_LOGIN,
  CUSTOMER_LOGOUT,
  CUSTOMER_PROFILE,
  runStorefront,
  type CustomerProfile,
  type UpstreamLoginResult,
} from '../remote/storefront-operations';
import { delegateCustomer, endSession, openSession, type ResolverDeps } from './deps';

interface LoginArgs {
  email: string;
  password: string;
}

/** What `login` resolves to; `customer` is delegated to the storefront as the new shopper. */
export interface LoginPayload {
  result: string;
  shopper: Shopper;
  sessionToken: string;
  cart: null;
  customerAccessToken: null;
}

/** What `logout` resolves to: the gateway unassigns no cart. */
export interface LogoutPayload {
  result: string;
  cartUnassignResult: { cart: null; errors: [] };
}

export type SessionResolvers = {
  Mutation: Required<Pick<MutationResolvers, 'login' | 'logout'>>;
  // LoginResult.customerAccessToken is withheld with every other CustomerAccessToken field (resolvers/index.ts).
  LoginResult: Required<Pick<LoginResultResolvers, 'customer'>>;
};

/**
 * The message the storefront's own `login` gives for wrong credentials. In customer-access-token mode the
 * storefront's error passes through unchanged (message and its code); in impersonation mode the gateway
 * answers with the same message and UNAUTHENTICATED.
 */
const INVALID_CREDENTIALS = 'Invalid credentials';

/** The profile the session keeps, read from the storefront as that customer. */
export async function customerProfile(deps: ResolverDeps, ctx: GatewayContext, shopper: Shopper): Promise<Shopper> {
  const { customer } = await runStorefront<{ customer: CustomerProfile | null }>(deps.executor, CUSTOMER_PROFILE, { ...ctx, shopper });
  if (!customer) throw new GraphQLError('Storefront API did not recognise the customer', { extensions: { code: 'UPSTREAM_ERROR' } });
  return { ...shopper, customerId: customer.entityId, email: customer.email, customerGroupId: customer.customerGroupId };
}

async function verifyWithImpersonation(deps: ResolverDeps, args: LoginArgs, ctx: GatewayContext): Promise<Shopper> {
  const customerId = await validateCredentials(deps.rest, {
    email: args.email,
    password: args.password,
    channelId: deps.store.channelId,
    caller: ctx,
  });
  if (customerId === null) throw new GraphQLError(INVALID_CREDENTIALS, { extensions: { code: 'UNAUTHENTICATED' } });
  return customerProfile(deps, ctx, { customerId, email: args.email, customerGroupId: 0 });
}

async function verifyWithCustomerAccessToken(
  deps: ResolverDeps,
  args: LoginArgs,
  ctx: GatewayContext,
): Promise<{ shopper: Shopper; notAfter: number }> {
  const { login } = await runStorefront<{ login: UpstreamLoginResult }>(
    deps.executor,
    CUSTOMER_LOGIN,
    { ...ctx, shopper: null },
    { email: args.email, password: args.password },
  );
  const session = shopperWithAccessToken(login);
  if (!session) throw new GraphQLError(INVALID_CREDENTIALS, { extensions: { code: 'UNAUTHENTICATED' } });
  return session;
}

/** The shopper an upstream login identified, carrying its customer access token; null when it identified none. */
export function shopperWithAccessToken(login: UpstreamLoginResult): { shopper: Shopper; notAfter: number } | null {
  if (!login.customer || !login.customerAccessToken) return null;
  return {
    shopper: {
      customerId: login.customer.entityId,
      email: login.customer.email,
      customerGroupId: login.customer.customerGroupId,
      customerAccessToken: login.customerAccessToken.value,
    },
    notAfter: catExpiry(login.customerAccessToken.expiresAt),
  };
}

/** The gateway session must not outlive the upstream token it carries. */
function catExpiry(expiresAt: string): number {
  const expiresMs = Date.parse(expiresAt);
  return Number.isFinite(expiresMs) ? Math.floor(expiresMs / 1000) : Number.MAX_SAFE_INTEGER;
}

export function createSessionResolvers(deps: ResolverDeps): SessionResolvers {
  return {
    Mutation: {
      async login(_root, args, ctx) {
        await deps.loginThrottle.beforeAttempt(ctx.clientIp, args.email);
        const verified =
          deps.store.authMode === 'impersonation'
            ? { shopper: await verifyWithImpersonation(deps, args, ctx), notAfter: undefined }
            : await verifyWithCustomerAccessToken(deps, args, ctx);
        await deps.loginThrottle.succeeded(args.email);
        const { shopper, notAfter } = verified;
        const sessionToken = await openSession(deps, ctx, shopper, notAfter);
        return { result: 'success', shopper, sessionToken, cart: null, customerAccessToken: null };
      },

      async logout(_root, _args, ctx) {
        if (ctx.session) {
          await endSession(deps, ctx.session);
          if (deps.store.authMode === 'customer-access-token' && ctx.shopper?.customerAccessToken) {
            // Best effort: the gateway session is over whatever the upstream says.
            await runStorefront(deps.executor, CUSTOMER_LOGOUT, ctx).catch((error: unknown) =>
              deps.log('upstream logout failed', { message: error instanceof Error ? error.message : String(error) }),
            );
          }
        }
        ctx.responseCookies.push(clearedSessionCookie(deps.cookie));
        ctx.shopper = null;
        const payload: LogoutPayload = { result: 'success', cartUnassignResult: { cart: null, errors: [] } };
        return payload;
      },
    },
    LoginResult: {
      customer(parent, _args, ctx, info) {
        return parent.shopper ? (delegateCustomer(deps, ctx, parent.shopper, info) as Promise<ResolversTypes['Customer']>) : null;
      },
    },
  };
}
