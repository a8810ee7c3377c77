/**
 * What a change in the store makes stale, in the scopes the response and pricing caches are keyed by.
 * BigCommerce webhooks (src/webhooks/) map events to these; the caches (src/cache/) apply them by bumping
 * the scope's generation ("epoch"), never by scanning keys.
 */
export type CacheScope =
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
