// The webhook events the sandbox's admin REST fires, their `data` shapes, and how a hook's scope selects them.
// Scopes and data follow developer.bigcommerce.com/docs/integrations/webhooks/events (sections "Products",
// "Price list records", "Price list assignments" and "Customer") and the callback schemas of docs/webhooks/callbacks in
// github.com/bigcommerce/docs (store_product_updated.yml, store_priceList_record_*.yml, ...).

/** `data` of store/product/* events. `properties` and `context` are sent only for channel overrides, which the sandbox does not model. */
export interface ProductEventData {
  type: 'product';
  id: number;
}

/**
 * One price record of store/priceList/record(s)/* events. The callback schemas name the currency `currency_code`
 * (the example payloads on the events page say `currency`); the sandbox follows the schemas.
 */
export interface PriceRecordEventData {
  price_list_id: number;
  variant_id: number;
  currency_code: string;
}

/** `data` of store/priceList/assignment/* events; a group-wide or channel-wide assignment leaves the other id out. */
export interface PriceListAssignmentEventData {
  price_list_id: number;
  channel_id?: number;
  customer_group_id?: number;
}

/** `data` of store/customer/* events: which customer, never what changed. */
export interface CustomerEventData {
  type: 'customer';
  id: number;
}

export type WebhookEvent =
  | { scope: 'store/product/updated'; data: ProductEventData }
  | { scope: 'store/priceList/record/created' | 'store/priceList/record/updated' | 'store/priceList/record/deleted'; data: PriceRecordEventData }
  | { scope: 'store/priceList/records/created' | 'store/priceList/records/updated' | 'store/priceList/records/deleted'; data: PriceRecordEventData[] }
  | { scope: 'store/priceList/assignment/updated' | 'store/priceList/assignment/deleted'; data: PriceListAssignmentEventData }
  | { scope: 'store/customer/updated' | 'store/customer/deleted'; data: CustomerEventData };

/** Fires events to the registered hooks (after the REST call that caused them has answered). */
export type PublishEvent = (event: WebhookEvent) => void;

/** The callback body (developer.bigcommerce.com/docs/integrations/webhooks/events, "Callback structure"). */
export interface WebhookPayload {
  scope: string;
  store_id: string;
  data: WebhookEvent['data'];
  hash: string;
  created_at: number;
  producer: string;
}

/**
 * Whether a hook registered for `hookScope` receives an event of `eventScope`: the same scope, or a wildcard
 * (`store/product/*`, `store/priceList/*`) over everything below it, as `store/cart/*` also fires for
 * store/cart/lineItem events.
 */
export function scopeMatches(hookScope: string, eventScope: string): boolean {
  if (hookScope === eventScope) return true;
  if (!hookScope.endsWith('/*')) return false;
  return eventScope.startsWith(hookScope.slice(0, -1));
}

/** A scope as BigCommerce spells them: `store/` then camelCase segments, optionally ending in `/*`. */
export const SCOPE_PATTERN = /^store(\/[A-Za-z0-9]+)+(\/\*)?$/;
