import type { GatewayContext } from '../context';
import type { Shopper } from '../auth/session-token';
import type { CurrentCustomerResolvers, ResolversTypes } from '../generated/resolver-types';
import { delegateCustomer, type ResolverDeps } from './deps';

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

export function createCurrentCustomerTypeResolvers(deps: ResolverDeps): { CurrentCustomer: Required<Pick<CurrentCustomerResolvers, 'customer'>> } {
  return {
    CurrentCustomer: {
      customer(parent, _args, ctx, info) {
        const shopper = upstreamShopper(deps, ctx, parent.shopper);
        return shopper ? (delegateCustomer(deps, ctx, shopper, info) as Promise<ResolversTypes['Customer']>) : null;
      },
    },
  };
}
