import { createCurrentCustomerVerifier, rejected } from '../auth/current-customer-jwt';
import { createCustomerLoginSigner, createCustomerLoginVerifier } from '../auth/customer-login-jwt';
import { createOneTimeTokens } from '../auth/one-time-tokens';
import { relativePathOf, validateRedirectPath } from '../auth/redirect-path';
import type { Shopper } from '../auth/session-token';
import { customerProfile, shopperWithAccessToken } from '../auth/upstream-shopper';
import type { GatewayContext } from '../context';
import { gatewayError } from '../errors';
import type { LoginWithCustomerLoginJwtResultResolvers, MutationResolvers, ResolversTypes } from '../generated/resolver-types';
import { cartRedirectUrls } from '../remote/carts';
import { CUSTOMER_LOGIN_WITH_JWT, runStorefront, SHOPPER_CART, type UpstreamLoginResult } from '../remote/storefront-operations';
import { currentCustomerPayload, type CurrentCustomerPayload } from './current-customer';
import { delegateCustomer } from './delegate';
import type { ResolverDeps } from './deps';
import { mixedOnFrontDoor } from './session';

export interface CustomerLoginUrlPayload {
  url: string;
  redirectTo: string;
  expiresAt: string;
}

/** What the intercepted `loginWithCustomerLoginJwt` resolves to; `customer` is delegated as the new shopper. */
export interface CustomerLoginJwtPayload {
  redirectTo: string;
  shopper: Shopper;
  sessionToken: string;
  cart: null;
  customerAccessToken: null;
}

export interface GatewaySessionPayload {
  sessionToken: string;
  customer: CurrentCustomerPayload;
}

export type SsoResolvers = {
  Mutation: Required<Pick<MutationResolvers, 'customerLoginUrl' | 'checkoutLoginUrl' | 'loginWithCurrentCustomerJwt' | 'loginWithCustomerLoginJwt'>>;
  LoginWithCustomerLoginJwtResult: Required<Pick<LoginWithCustomerLoginJwtResultResolvers, 'customer'>>;
};

const CART_ID = /^[0-9a-fA-F-]{1,64}$/;

function requireShopper(ctx: GatewayContext): Shopper {
  if (!ctx.shopper) throw gatewayError('UNAUTHENTICATED', 'Log in first: login URLs are only issued for the session shopper');
  return ctx.shopper;
}

export function createSsoResolvers(deps: ResolverDeps): SsoResolvers {
  const { store } = deps;
  // Both take the API account (client id and secret) and store hash from the store configuration.
  const sign = createCustomerLoginSigner({ ...store, now: deps.now });
  const verifyCurrentCustomer = createCurrentCustomerVerifier({ ...store, now: deps.now });
  const verifyCustomerLogin = createCustomerLoginVerifier({ ...store, now: deps.now });
  const oneTime = createOneTimeTokens(deps.stores);

  async function loginUrl(ctx: GatewayContext, shopper: Shopper, redirectTo: string, channelId: number): Promise<CustomerLoginUrlPayload> {
    const signed = await sign({ customerId: shopper.customerId, channelId, redirectTo, requestIp: ctx.clientIp || undefined });
    deps.log('customer login url issued', { customerId: shopper.customerId, correlationId: ctx.correlationId });
    return {
      url: `${store.storeUrl}/login/token/${signed.jwt}`,
      redirectTo,
      expiresAt: new Date(signed.expiresAt * 1000).toISOString(),
    };
  }

  /** In customer-access-token mode the new session needs its own upstream CAT: obtained with a Customer Login JWT. */
  async function upstreamSession(ctx: GatewayContext, verified: Shopper): Promise<{ shopper: Shopper; notAfter?: number }> {
    if (store.authMode === 'impersonation') return { shopper: await customerProfile(deps.executor, ctx, verified) };
    const signed = await sign({ customerId: verified.customerId, channelId: store.channelId, redirectTo: '/' });
    const { loginWithCustomerLoginJwt } = await runStorefront<{ loginWithCustomerLoginJwt: UpstreamLoginResult }>(
      deps.executor,
      CUSTOMER_LOGIN_WITH_JWT,
      { ...ctx, shopper: null },
      { jwt: signed.jwt },
    );
    const session = shopperWithAccessToken(loginWithCustomerLoginJwt);
    if (!session) throw gatewayError('UPSTREAM_ERROR', 'Storefront API did not open a customer session');
    return session;
  }

  return {
    Mutation: {
      async customerLoginUrl(_root, args, ctx) {
        const shopper = requireShopper(ctx);
        const redirectTo = validateRedirectPath(args.redirectTo);
        const channelId = args.channelId ?? store.channelId;
        if (!Number.isInteger(channelId) || channelId < 1) throw gatewayError('BAD_USER_INPUT', 'channelId must be a positive integer');
        return loginUrl(ctx, shopper, redirectTo, channelId);
      },

      async checkoutLoginUrl(_root, args, ctx) {
        const shopper = requireShopper(ctx);
        if (!CART_ID.test(args.cartEntityId)) throw gatewayError('BAD_USER_INPUT', 'cartEntityId must be a cart id (UUID)');
        // REST would hand out checkout URLs for any cart: ask the storefront, as the shopper, whether it is theirs.
        const { site } = await runStorefront<{ site: { cart: { entityId: string } | null } }>(deps.executor, SHOPPER_CART, ctx, {
          entityId: args.cartEntityId,
        });
        if (!site.cart) throw gatewayError('NOT_FOUND', 'Cart not found');
        const urls = await cartRedirectUrls(deps.rest, args.cartEntityId, ctx);
        return loginUrl(ctx, shopper, validateRedirectPath(relativePathOf(urls.embeddedCheckoutUrl)), store.channelId);
      },

      async loginWithCurrentCustomerJwt(_root, args, ctx) {
        const { expiresAt, ...verified } = await verifyCurrentCustomer(args.currentCustomerJwt);
        // A session is opened once per token: a leaked token cannot mint more.
        const admission = await deps.sessions.admit(ctx, verified.customerId, async () => {
          if (!(await oneTime.spend(verified.singleUse))) throw rejected('ALREADY_USED', 'token was already used to open a session');
        });
        const { shopper, notAfter } = await upstreamSession(ctx, verified);
        const sessionToken = await deps.sessions.open(ctx, admission, shopper, notAfter);
        const payload: GatewaySessionPayload = { sessionToken, customer: currentCustomerPayload(shopper, 'CURRENT_CUSTOMER_JWT') };
        return payload;
      },

      // Answered here, not passed through: forwarded as is, anyone holding someone's token (a guest who
      // copied it) would be logged in upstream as that customer and read their profile.
      async loginWithCustomerLoginJwt(_root, args, ctx) {
        if (ctx.frontDoor) throw mixedOnFrontDoor('loginWithCustomerLoginJwt');
        const verified = await verifyCustomerLogin(args.jwt, ctx);
        const admission = await deps.sessions.admit(ctx, verified.customerId, async () => {
          if (!(await oneTime.spend(verified.singleUse))) {
            throw gatewayError('UNAUTHENTICATED', 'Customer Login JWT rejected: token was already used', { reason: 'ALREADY_USED' });
          }
        });
        const { shopper, notAfter } = await upstreamSession(ctx, { customerId: verified.customerId, email: '', customerGroupId: 0 });
        const sessionToken = await deps.sessions.open(ctx, admission, shopper, notAfter);
        const payload: CustomerLoginJwtPayload = { redirectTo: verified.redirectTo, shopper, sessionToken, cart: null, customerAccessToken: null };
        return payload;
      },
    },
    LoginWithCustomerLoginJwtResult: {
      customer(parent, _args, ctx, info) {
        return delegateCustomer(deps, ctx, parent.shopper, info) as Promise<ResolversTypes['Customer']>;
      },
    },
  };
}
