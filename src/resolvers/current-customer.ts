import { createCurrentCustomerVerifier, rejected } from '../auth/current-customer-jwt';
import { createOneTimeTokens } from '../auth/one-time-tokens';
import type { Shopper } from '../auth/session-token';
import type { GatewayContext } from '../context';
import type { CurrentCustomerResolvers, QueryResolvers, ResolversTypes } from '../generated/resolver-types';
import { delegateCustomer } from './delegate';
import type { ResolverDeps } from './deps';

export type CurrentCustomerSource = 'SESSION' | 'CURRENT_CUSTOMER_JWT';

/** What `CurrentCustomer` resolves from; `shopper` is the identity `customer` is delegated as. */
export interface CurrentCustomerPayload {
  entityId: number;
  email: string;
  customerGroupId: number;
  source: CurrentCustomerSource;
  shopper: Shopper;
}

export function currentCustomerPayload(shopper: Shopper, source: CurrentCustomerSource): CurrentCustomerPayload {
  return { entityId: shopper.customerId, email: shopper.email, customerGroupId: shopper.customerGroupId, source, shopper };
}

/**
 * The upstream identity to fetch `customer` as. In customer-access-token mode only a CAT identifies a
 * shopper upstream, so an identity without one borrows the request session's when it is the same customer.
 */
function upstreamShopper(deps: ResolverDeps, ctx: GatewayContext, shopper: Shopper): Shopper | null {
  if (deps.store.authMode === 'impersonation' || shopper.customerAccessToken) return shopper;
  return ctx.shopper?.customerId === shopper.customerId && ctx.shopper.customerAccessToken ? ctx.shopper : null;
}

export type CurrentCustomerDomainResolvers = {
  Query: Required<Pick<QueryResolvers, 'currentCustomer'>>;
  CurrentCustomer: Required<Pick<CurrentCustomerResolvers, 'customer'>>;
};

/** "Who is this shopper": the session's, or the one a BigCommerce Current Customer JWT names. */
export function createCurrentCustomerResolvers(deps: ResolverDeps): CurrentCustomerDomainResolvers {
  const verifyCurrentCustomer = createCurrentCustomerVerifier({ ...deps.store, now: deps.now });
  const oneTime = createOneTimeTokens(deps.stores);
  return {
    Query: {
      async currentCustomer(_root, args, ctx) {
        if (args.currentCustomerJwt !== undefined && args.currentCustomerJwt !== null) {
          const { expiresAt: _expiresAt, singleUse, ...verified } = await verifyCurrentCustomer(args.currentCustomerJwt);
          // A token exchanged for a session (loginWithCurrentCustomerJwt) reads nothing more: it is spent.
          if (await oneTime.isSpent(singleUse)) throw rejected('ALREADY_USED', 'token was already used to open a session');
          return currentCustomerPayload(verified, 'CURRENT_CUSTOMER_JWT');
        }
        return ctx.shopper ? currentCustomerPayload(ctx.shopper, 'SESSION') : null;
      },
    },
    CurrentCustomer: {
      customer(parent, _args, ctx, info) {
        const shopper = upstreamShopper(deps, ctx, parent.shopper);
        return shopper ? (delegateCustomer(deps, ctx, shopper, info) as Promise<ResolversTypes['Customer']>) : null;
      },
    },
  };
}
