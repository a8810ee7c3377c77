import type { SessionService } from '../auth/sessions';
import type { CacheStore } from '../state/types';
import { cacheKey } from './scope';

/**
 * Per customer, the customer groups the gateway issued sessions with (as long as such a session may live): what a
 * `store/customer/updated` is compared with, since BigCommerce's event says only which customer changed.
 */
export interface CustomerGroupMemory {
  /** A session naming `group` is being issued for the customer. */
  remember(customerId: number, group: number): Promise<void>;
  /** The groups of the customer's sessions; undefined when the gateway does not know (never seen, or forgotten). */
  recall(customerId: number): Promise<number[] | undefined>;
  /** The customer's earlier sessions were ended: from now on their sessions name `group` only. */
  reset(customerId: number, group: number): Promise<void>;
}

/** A customer moved back and forth more often than this within a session lifetime is simply "changed". */
const MAX_GROUPS = 8;
const KEY_VERSION = 'customer-groups:v1';

/**
 * In the shared cache store (Redis with several instances), written past the cache front's write budget: a few bytes
 * per login. Forgotten entries (an LRU in memory) read as "unknown", which customer-changes.ts treats as a change.
 */
export function createCustomerGroupMemory(store: CacheStore, ttlMs: number): CustomerGroupMemory {
  const keyOf = (customerId: number) => cacheKey([KEY_VERSION, customerId]);
  const recall = async (customerId: number): Promise<number[] | undefined> => {
    const text = await store.get(keyOf(customerId));
    if (text === undefined) return undefined;
    const groups: unknown = JSON.parse(text);
    return Array.isArray(groups) && groups.every((g) => Number.isSafeInteger(g)) ? (groups as number[]) : undefined;
  };
  return {
    recall,
    async remember(customerId, group) {
      const known = (await recall(customerId)) ?? [];
      if (known.includes(group)) return store.set(keyOf(customerId), JSON.stringify(known), ttlMs);
      await store.set(keyOf(customerId), JSON.stringify([...known, group].slice(-MAX_GROUPS)), ttlMs);
    },
    reset: (customerId, group) => store.set(keyOf(customerId), JSON.stringify([group]), ttlMs),
  };
}

/** Sessions whose groups are remembered before they are issued (a failure to remember leaves the group "unknown"). */
export function rememberingGroups(sessions: SessionService, memory: CustomerGroupMemory): SessionService {
  return {
    ...sessions,
    async open(ctx, admission, shopper, notAfter) {
      await memory.remember(shopper.customerId, shopper.customerGroupId).catch(() => undefined);
      return sessions.open(ctx, admission, shopper, notAfter);
    },
  };
}
