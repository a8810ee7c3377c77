import type { CustomerGroupMemory } from '../cache/customer-groups';
import type { RestClient } from '../remote/rest-client';

/** What the gateway needs to know about a customer now: the group BigCommerce prices them by, and a forced reset. */
export interface CustomerRecord {
  customerGroupId: number;
  forcePasswordReset: boolean;
}

/** The customer now; null when the store has no such customer (deleted); throws when it cannot be told. */
export type CustomerLookup = (customerId: number) => Promise<CustomerRecord | null>;

interface CustomersPage {
  data?: Array<{ id?: number; customer_group_id?: number; authentication?: { force_password_reset?: boolean } }>;
}

/**
 * `GET /v3/customers?id:in={id}` (developer.bigcommerce.com/docs/rest-management/customers, "Get All Customers").
 * `essential`: a missed group change keeps a session naming the wrong group.
 */
export function createCustomerLookup(rest: RestClient): CustomerLookup {
  return async (customerId) => {
    const reply = await rest.request<CustomersPage>({
      method: 'GET',
      path: `/v3/customers?id:in=${encodeURIComponent(customerId)}`,
      idempotent: true,
      priority: 'essential',
    });
    const data = reply.body?.data;
    if (!Array.isArray(data)) throw new Error('customers answer without data');
    const customer = data.find((c) => c.id === customerId);
    if (!customer) return null;
    if (typeof customer.customer_group_id !== 'number') throw new Error('customer without customer_group_id');
    return { customerGroupId: customer.customer_group_id, forcePasswordReset: customer.authentication?.force_password_reset === true };
  };
}

export interface CustomerChangeDeps {
  lookup: CustomerLookup;
  memory: CustomerGroupMemory;
  /** Ends every session of the customer issued until now (sessions.ts `endAllOf`). */
  endSessions(customerId: number): Promise<void>;
  /** Bumps these groups' epochs (their cached answers and prices). */
  invalidateGroups(groups: number[]): Promise<void>;
  log(event: string, fields: Record<string, unknown>): void;
}

export interface CustomerChanges {
  /** `store/customer/updated` or `store/customer/deleted` arrived for the customer. */
  apply(customerId: number, change: 'updated' | 'deleted'): Promise<void>;
  /** The storefront prices a shopper by `current` (null: no such customer) while their session names `named`. */
  observed(customerId: number, named: number, current: number | null): Promise<void>;
}

/**
 * What a change of a customer means for the gateway. BigCommerce's `store/customer/updated` says only *which*
 * customer changed, and also fires for every profile edit a shopper makes, so the customer is looked up and compared
 * with the groups the gateway issued sessions with (customer-groups.ts):
 *
 * - another group: the customer's sessions end (they name the old group), and the old and new groups' epochs are
 *   bumped (an answer stored under the old group before the change was noticed would otherwise live for the TTL);
 * - deleted, or `authentication.force_password_reset` set (the store's way to say an account is compromised): the
 *   sessions end;
 * - anything else (name, address, phone, or a password the shopper changed, which neither the event nor the REST
 *   answer reveals): nothing; sessions stay;
 * - the lookup failed, or the gateway does not know the groups (forgotten): the sessions end, as the safe side.
 */
export function createCustomerChanges(deps: CustomerChangeDeps): CustomerChanges {
  const recall = (customerId: number) => deps.memory.recall(customerId).catch(() => undefined);

  async function groupChanged(customerId: number, groups: number[], current: number, reason: string): Promise<void> {
    // Sessions first: once the epochs move, nothing naming the old group may store again.
    await deps.endSessions(customerId);
    await deps.invalidateGroups([...new Set([...groups, current])]);
    await deps.memory.reset(customerId, current).catch(() => undefined);
    deps.log('customer changed group: sessions ended, groups invalidated', { customerId, groups, current, reason });
  }

  return {
    async apply(customerId, change) {
      let now: CustomerRecord | null | undefined;
      try {
        now = change === 'deleted' ? null : await deps.lookup(customerId);
      } catch {
        now = undefined;
      }
      const known = await recall(customerId);
      if (now === null || now === undefined || known === undefined) {
        await deps.endSessions(customerId);
        const reason = now === null ? 'deleted' : now === undefined ? 'lookup failed' : 'groups unknown';
        if (now) await deps.memory.reset(customerId, now.customerGroupId).catch(() => undefined);
        deps.log('customer changed: sessions ended', { customerId, reason });
        return;
      }
      if (known.some((group) => group !== now.customerGroupId)) return groupChanged(customerId, known, now.customerGroupId, 'webhook');
      if (now.forcePasswordReset) {
        await deps.endSessions(customerId);
        deps.log('customer changed: sessions ended', { customerId, reason: 'password reset forced' });
      }
    },
    async observed(customerId, named, current) {
      const known = await recall(customerId);
      // Already settled (the sessions naming `named` were ended): only the answer is not stored.
      if (current !== null && known?.length === 1 && known[0] === current) return;
      if (current === null) {
        await deps.endSessions(customerId);
        deps.log('customer changed: sessions ended', { customerId, reason: 'unknown to the storefront' });
        return;
      }
      await groupChanged(customerId, [...new Set([...(known ?? []), named])], current, 'storefront');
    },
  };
}
