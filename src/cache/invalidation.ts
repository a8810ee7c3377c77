/**
 * What a change in the store makes stale: scopes the response and pricing caches are keyed by, and customers
 * whose sessions no longer describe them.
 * BigCommerce webhooks (src/webhooks/) map events to these; the caches (src/cache/) apply them by bumping
 * the scope's generation ("epoch"), never by scanning keys.
 */
export type CacheScope =
  | EpochScope
  /**
   * One customer changed (`store/customer/updated`: maybe another group; or deleted). What it means is decided by
   * webhooks/customer-changes.ts: a new group or a deletion ends their sessions, a profile edit does not.
   */
  | { kind: 'customer'; customerId: number; change: 'updated' | 'deleted' };

/** The scopes a cache entry's key carries a generation ("epoch") of. */
export type EpochScope =
  /** Catalog data of a channel (products, SKUs, categories, inventory): every group's entries in it. */
  | { kind: 'catalog'; channelId: number }
  /** One customer group's prices (its price list records or assignment changed). */
  | { kind: 'group'; customerGroupId: number }
  /** Guests' prices (the default customer group changed). */
  | { kind: 'guests' }
  /** Everything (an event the gateway cannot map precisely). */
  | { kind: 'all' };

export interface CacheInvalidator {
  /** Resolves once the scopes are invalid for every instance sharing the cache. */
  invalidate(scopes: CacheScope[]): Promise<void>;
}
