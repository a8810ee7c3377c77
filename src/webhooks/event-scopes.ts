import type { CacheScope } from '../cache/invalidation';

/**
 * BigCommerce webhook events → the cache scopes they make stale. Event names and `data` shapes:
 * developer.bigcommerce.com/docs/integrations/webhooks/events (Products, SKUs, Categories, Price lists, Price list
 * records, Price list assignments) and /docs/integrations/webhooks/events/channels (Product assignments, Categories,
 * Category trees, Settings).
 *
 * Not covered, because BigCommerce sends no webhook for them: customer-group edits (discount rules, a group's
 * price list chosen in the group itself), brand edits, and catalog-wide settings outside a channel. The cache TTL
 * (GATEWAY_CACHE_TTL_SECONDS) bounds how long those stay stale.
 */

/** What an event invalidates before price lists are resolved to the customer groups they are assigned to. */
export interface EventPlan {
  /** Scopes known from the event alone. */
  scopes: CacheScope[];
  /** Price lists whose assigned groups are stale (looked up with the Price List Assignments API). */
  priceListIds: number[];
}

type Json = Record<string, unknown>;

const ALL: CacheScope = { kind: 'all' };
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const idOf = (value: unknown): number | undefined => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined);

/**
 * A change of catalog data in `channelId`, or (no channel named) in the whole store: every channel's catalog, and so
 * every entry, whatever channel it was asked for (`pricing(input: { channelId })` caches other channels too).
 */
function catalogOf(channelId: number | undefined): CacheScope {
  return channelId === undefined ? ALL : { kind: 'catalog', channelId };
}

/**
 * Store-wide catalog events: products (created, updated, deleted, inventory, metafields), SKUs (variants and their
 * inventory), categories and inventory. A product override made for one channel carries `data.context.channel_id`
 * ("store/product/updated": `properties` and `context` are present only for channel-locale overrides).
 */
const CATALOG_PREFIXES = ['store/product/', 'store/sku/', 'store/category/', 'store/inventory/'];

/** Channel events that change what the channel's storefront shows or what it charges (events/channels, "Settings"). */
const CHANNEL_CATALOG_EVENTS = [
  /^product\/(assigned|unassigned)$/,
  /^category\/(created|updated|deleted)$/,
  /^category\/product\/(assigned|unassigned)$/,
  /^categoryTree\/updated$/,
  /^settings\/(currency|catalog|product|category)\/updated$/,
];

/** `store/metafield/*` also fires for orders, carts, channels...: only catalog resources are cached. */
const CATALOG_METAFIELD_RESOURCES = new Set(['product', 'variant', 'category', 'brand']);

function priceListIdsOf(data: unknown): number[] | undefined {
  const items = Array.isArray(data) ? data : [data];
  const ids = new Set<number>();
  for (const item of items) {
    const id = isObject(item) ? idOf(item.price_list_id) : undefined;
    if (id === undefined) return undefined;
    ids.add(id);
  }
  return ids.size > 0 ? [...ids] : undefined;
}

/**
 * The plan for one event, or `null` when the gateway does not handle its scope (acknowledged and ignored). A known
 * scope whose `data` lacks what the mapping needs falls back to a wider scope rather than failing: the payload is
 * BigCommerce's, and refusing it would only make BigCommerce retry it for 48 hours.
 */
export function planForEvent(scope: string, data: unknown): EventPlan | null {
  const only = (...scopes: CacheScope[]): EventPlan => ({ scopes, priceListIds: [] });

  if (CATALOG_PREFIXES.some((prefix) => scope.startsWith(prefix))) {
    const context = isObject(data) && isObject(data.context) ? idOf(data.context.channel_id) : undefined;
    return only(catalogOf(context));
  }

  if (scope.startsWith('store/metafield/')) {
    const resource = isObject(data) ? data.resource_type : undefined;
    return typeof resource === 'string' && CATALOG_METAFIELD_RESOURCES.has(resource) ? only(ALL) : null;
  }

  // A customer's group (and so their prices) may have changed, or the customer is gone: what changed is looked up
  // (customer-changes.ts). developer.bigcommerce.com/docs/integrations/webhooks/events#customer
  if (scope === 'store/customer/updated' || scope === 'store/customer/deleted') {
    const customerId = isObject(data) ? idOf(data.id) : undefined;
    return customerId === undefined ? null : only({ kind: 'customer', customerId, change: scope === 'store/customer/deleted' ? 'deleted' : 'updated' });
  }

  const channelEvent = /^store\/channel\/(\d+)\/(.+)$/.exec(scope);
  if (channelEvent) {
    const channelId = Number(channelEvent[1]);
    const rest = channelEvent[2];
    // "Fires when the default customer group associated with the specified channel is updated": guests' prices.
    if (rest === 'settings/defaultCustomerGroup/updated') return only({ kind: 'guests' });
    return CHANNEL_CATALOG_EVENTS.some((pattern) => pattern.test(rest)) ? only({ kind: 'catalog', channelId }) : null;
  }

  // Price list records: the prices of every group the list is assigned to.
  if (/^store\/priceList\/records?\/(created|updated|deleted)$/.test(scope)) {
    const ids = priceListIdsOf(data);
    return ids ? { scopes: [], priceListIds: ids } : only(ALL);
  }

  // "Fires when a price list assignment is assigned, reassigned, or unassigned" / "is deleted": that group's prices.
  // An assignment without a group applies to every shopper of its channel who has no list of their own.
  if (scope === 'store/priceList/assignment/updated' || scope === 'store/priceList/assignment/deleted') {
    if (!isObject(data)) return only(ALL);
    const group = idOf(data.customer_group_id);
    if (group !== undefined) return only({ kind: 'group', customerGroupId: group });
    const channel = idOf(data.channel_id);
    return only(channel === undefined ? ALL : { kind: 'catalog', channelId: channel });
  }

  // A deleted list's assignments are gone by the time the event arrives: they cannot be looked up.
  if (scope === 'store/priceList/deleted' || scope === 'store/priceLists/deleted') return only(ALL);

  // Activated, deactivated, created (a new list has no assignment yet; one created active also fires `activated`)
  // and updated: the groups the list is assigned to.
  if (/^store\/priceList\/(created|updated|activated|deactivated)$/.test(scope)) {
    const ids = priceListIdsOf(data);
    return ids ? { scopes: [], priceListIds: ids } : only(ALL);
  }

  return null;
}

/**
 * Groups a price list is assigned to; `undefined` when that cannot be narrowed to groups (the lookup failed, or the
 * list is also assigned without a group, i.e. to a whole channel).
 */
export type PriceListGroupResolver = (priceListId: number) => Promise<number[] | undefined>;

/** Resolves a plan's price lists to group scopes; `all` when one of them cannot be narrowed. Scopes come out unique. */
export async function resolvePlan(plan: EventPlan, resolveGroups: PriceListGroupResolver): Promise<CacheScope[]> {
  const scopes = [...plan.scopes];
  const groups = await Promise.all(
    // A resolver that throws, even synchronously, widens the invalidation rather than losing it.
    plan.priceListIds.map((id) =>
      Promise.resolve()
        .then(() => resolveGroups(id))
        .catch(() => undefined),
    ),
  );
  for (const found of groups) {
    if (found === undefined) scopes.push(ALL);
    else for (const customerGroupId of found) scopes.push({ kind: 'group', customerGroupId });
  }
  return uniqueScopes(scopes);
}

/** Without duplicates; `all` alone when present (it covers every other cache scope, but not customers). */
export function uniqueScopes(scopes: CacheScope[]): CacheScope[] {
  if (scopes.some((scope) => scope.kind === 'all')) return [ALL, ...uniqueScopes(scopes.filter((scope) => scope.kind === 'customer'))];
  const seen = new Map<string, CacheScope>();
  for (const scope of scopes) seen.set(JSON.stringify(scope), scope);
  return [...seen.values()];
}
