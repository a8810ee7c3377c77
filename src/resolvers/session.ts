import type { LoginResultResolvers, MutationResolvers, ResolversTypes } from '../generated/resolver-types';
import type { GatewayContext } from '../context';
import type { Shopper } from '../auth/session-token';
import { customerProfile, shopperWithAccessToken } from '../auth/upstream-shopper';
import { gatewayError } from '../errors';
import { validateCredentials } from '../remote/customers';
import { CUSTOMER_LOGIN, CUSTOMER_LOGOUT, runStorefront, type UpstreamLoginResult } from '../remote/storefront-operations';
import { delegateCustomer } from './delegate';
import type { ResolverDeps } from './deps';

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

/**
 * On the front door BigCommerce answers `login`, `logout` and `loginWithCustomerLoginJwt` (its real customer access
 * token is the shopper's identity there); an operation that also selects the gateway's own fields would need the
 * gateway to answer them, so it is refused (BigCommerce has no such operation to compare with).
 */
export function mixedOnFrontDoor(field: string) {
  return gatewayError('BAD_USER_INPUT', `On the Storefront API endpoint, send ${field} in an operation without the gateway's own fields`);
}

async function verifyWithImpersonation(deps: ResolverDeps, args: LoginArgs, ctx: GatewayContext): Promise<Shopper> {
  const customerId = await validateCredentials(deps.rest, {
    email: args.email,
    password: args.password,
    channelId: deps.store.channelId,
    caller: ctx,
  });
  if (customerId === null) throw gatewayError('UNAUTHENTICATED', INVALID_CREDENTIALS);
  return customerProfile(deps.executor, ctx, { customerId, email: args.email, customerGroupId: 0 });
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
  if (!session) throw gatewayError('UNAUTHENTICATED', INVALID_CREDENTIALS);
  return session;
}

export function createSessionResolvers(deps: ResolverDeps): SessionResolvers {
  return {
    Mutation: {
      async login(_root, args, ctx) {
        if (ctx.frontDoor) throw mixedOnFrontDoor('login');
        await deps.loginThrottle.beforeAttempt(ctx.clientIp, args.email);
        const verified =
          deps.store.authMode === 'impersonation'
            ? { shopper: await verifyWithImpersonation(deps, args, ctx), notAfter: undefined }
            : await verifyWithCustomerAccessToken(deps, args, ctx);
        await deps.loginThrottle.succeeded(args.email);
        const { shopper, notAfter } = verified;
        const admission = await deps.sessions.admit(ctx, shopper.customerId);
        const sessionToken = await deps.sessions.open(ctx, admission, shopper, notAfter);
        return { result: 'success', shopper, sessionToken, cart: null, customerAccessToken: null };
      },

      async logout(_root, _args, ctx) {
        if (ctx.frontDoor) throw mixedOnFrontDoor('logout');
        const upstreamToken = ctx.shopper?.customerAccessToken;
        const caller = { ...ctx };
        // Revocation first: the answer says success only once the session has ended everywhere.
        await deps.sessions.end(ctx);
        if (deps.store.authMode === 'customer-access-token' && upstreamToken) {
          // Best effort, as the shopper the session was: the gateway session is over whatever the upstream says.
          await runStorefront(deps.executor, CUSTOMER_LOGOUT, caller).catch((error: unknown) =>
            deps.log('upstream logout failed', { message: error instanceof Error ? error.message : String(error) }),
          );
        }
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
