import type { GatewayContext } from '../context';
import { CUSTOMER_PROFILE, runStorefront, type CustomerProfile } from '../remote/storefront-operations';
import type { Executor } from '@graphql-tools/utils';

/**
 * Whether an answer just made for this request may be stored under the group its key names (scope.ts `groupOf`).
 *
 * The key's group comes from `ctx.shopper` (a session names the group at login; the front door's customer access
 * token, the group BigCommerce gave when it was verified), while BigCommerce prices the request by the customer's
 * group *now*. After a customer was moved, their answers are priced for the new group: stored under the old group's
 * key, every shopper of the old group would be shown them. So before a logged-in answer is stored or shared, the
 * storefront is asked, as that shopper, which group it prices them by; only a match is stored. Asked after the answer
 * was made: a move before that answer is seen, one after it cannot have priced it. Guests are a scope of their own.
 */
export type GroupConfirmation = (ctx: GatewayContext) => Promise<boolean>;

export interface GroupConfirmationDeps {
  /** The storefront transport (the same identity headers as the request itself). */
  executor: Executor;
  /** The storefront prices the shopper by `current` (null: no such customer) while `ctx.shopper` names `named`. */
  onMismatch(customerId: number, named: number, current: number | null): void;
}

export function createGroupConfirmation(deps: GroupConfirmationDeps): GroupConfirmation {
  return async (ctx) => {
    const shopper = ctx.shopper;
    if (!shopper) return true;
    let current: number | null;
    try {
      const { customer } = await runStorefront<{ customer: CustomerProfile | null }>(deps.executor, CUSTOMER_PROFILE, ctx);
      current = customer?.entityId === shopper.customerId ? customer.customerGroupId : null;
    } catch {
      // Unknown: not stored (the answer itself is still served).
      return false;
    }
    if (current === shopper.customerGroupId) return true;
    deps.onMismatch(shopper.customerId, shopper.customerGroupId, current);
    return false;
  };
}
