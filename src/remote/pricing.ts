import { gatewayError } from '../errors';
import { ISO_3166_ALPHA_2 } from './iso-countries';
import type { RestClient } from './rest-client';
import type { UpstreamCaller } from './upstream-budget';

/** Items per REST call. BigCommerce documents no maximum (developer.bigcommerce.com/docs/rest-management/pricing); 50 matches its products-per-page limit. */
export const PRICING_ITEMS_PER_CALL = 50;
export interface PricingRequestItem {
  product_id: number;
  variant_id?: number;
  options?: Array<{ option_id: number; value_id: number }>;
}

export interface RestPricingAmount {
  as_entered: number;
  entered_inclusive: boolean;
  tax_exclusive: number;
  tax_inclusive: number;
}

export interface RestPriceItem {
  product_id: number;
  variant_id?: number | null;
  options?: Array<{ option_id: number; value_id: number }>;
  price?: RestPricingAmount | null;
  sale_price?: RestPricingAmount | null;
  retail_price?: RestPricingAmount | null;
  minimum_advertised_price?: RestPricingAmount | null;
  calculated_price?: RestPricingAmount | null;
  saved?: RestPricingAmount | null;
  price_range?: { minimum?: RestPricingAmount | null; maximum?: RestPricingAmount | null } | null;
  retail_price_range?: { minimum?: RestPricingAmount | null; maximum?: RestPricingAmount | null } | null;
  bulk_pricing?: Array<{
    minimum: number;
    maximum: number;
    discount_amount: number;
    discount_type: string;
    tax_discount_amount?: RestPricingAmount[];
  }>;
}

export interface PricingQuery {
  channelId: number;
  currencyCode: string;
  countryCode?: string;
  customerGroupId?: number;
  items: PricingRequestItem[];
  caller?: UpstreamCaller;
}

async function priceChunk(rest: RestClient, query: PricingQuery, items: PricingRequestItem[]): Promise<RestPriceItem[]> {
  const body: Record<string, unknown> = { channel_id: query.channelId, currency_code: query.currencyCode, items };
  if (query.countryCode) body.country_code = query.countryCode;
  if (query.customerGroupId !== undefined) body.customer_group_id = query.customerGroupId;
  // A read sent as POST: retried like one (a 429 when BigCommerce's quota resets before the deadline).
  const response = await rest.request<{ data?: RestPriceItem[] }>({
    method: 'POST',
    path: '/v3/pricing/products',
    body,
    caller: query.caller,
    accept: [422],
    idempotent: true,
    priority: 'catalog',
  });
  if (response.status === 422) throw gatewayError('BAD_USER_INPUT', 'The Pricing API refused the request (check currency, country and items)');
  return response.body?.data ?? [];
}

/** `POST /v3/pricing/products`, chunked at PRICING_ITEMS_PER_CALL items per call. */
export async function fetchPrices(rest: RestClient, query: PricingQuery): Promise<RestPriceItem[]> {
  const chunks: PricingRequestItem[][] = [];
  for (let i = 0; i < query.items.length; i += PRICING_ITEMS_PER_CALL) chunks.push(query.items.slice(i, i + PRICING_ITEMS_PER_CALL));
  const results = await Promise.all(chunks.map((chunk) => priceChunk(rest, query, chunk)));
  return results.flat();
}

/** What a pricing scope may name: the store's channels and enabled currencies, as REST lists them. */
export interface StoreScopes {
  channelIds: ReadonlySet<number>;
  currencyCodes: ReadonlySet<string>;
}

interface ChannelsPage {
  data?: Array<{ id?: number; status?: string }>;
  meta?: { pagination?: { current_page?: number; total_pages?: number } };
}

/** Channels that can no longer sell (developer.bigcommerce.com/docs/rest-management/channels, `status`). */
const GONE_CHANNEL_STATUSES = new Set(['deleted', 'terminated', 'archived']);
const CHANNEL_PAGES = 10;

/** `GET /v3/channels`, every page: the ids of the store's channels that still sell. */
export async function fetchChannelIds(rest: RestClient): Promise<Set<number>> {
  const channelIds = new Set<number>();
  for (let page = 1; page <= CHANNEL_PAGES; page++) {
    const reply = await rest.request<ChannelsPage>({ method: 'GET', path: `/v3/channels?limit=250&page=${page}`, idempotent: true, priority: 'catalog' });
    const data = reply.body?.data;
    if (!Array.isArray(data)) throw new Error('channels answer without data');
    for (const channel of data) if (typeof channel.id === 'number' && !GONE_CHANNEL_STATUSES.has(channel.status ?? '')) channelIds.add(channel.id);
    const pagination = reply.body?.meta?.pagination;
    if (!pagination || (pagination.current_page ?? page) >= (pagination.total_pages ?? page)) break;
  }
  return channelIds;
}

/**
 * `GET /v3/channels` (all pages) and `GET /v2/currencies` (developer.bigcommerce.com/docs/rest-management/channels,
 * /docs/rest-management/currencies): the channel ids and the enabled currency codes.
 */
export async function fetchStoreScopes(rest: RestClient): Promise<StoreScopes> {
  const channelIds = await fetchChannelIds(rest);
  const currencies = await rest.request<Array<{ currency_code?: string; enabled?: boolean }>>({ method: 'GET', path: '/v2/currencies', idempotent: true, priority: 'catalog' });
  if (!Array.isArray(currencies.body)) throw new Error('currencies answer is not a list');
  const currencyCodes = new Set(currencies.body.filter((c) => c.enabled !== false && typeof c.currency_code === 'string').map((c) => (c.currency_code as string).toUpperCase()));
  return { channelIds, currencyCodes };
}

export interface PricingScopeGuard {
  /**
   * Refuses, with BAD_USER_INPUT and before any pricing call, a channel or currency the store does not have and a
   * country that is not ISO 3166-1 alpha-2: each unknown value would be a cache scope of its own and a REST call.
   */
  check(scope: { channelId: number; currencyCode: string; countryCode?: string }): Promise<void>;
}

export interface PricingScopeGuardDeps {
  /** fetchStoreScopes(rest) in the gateway. */
  load: () => Promise<StoreScopes>;
  /** The gateway's own channel and currency: always valid, also before the store's lists could be read. */
  channelId: number;
  currencyCode: string;
  now: () => number;
  /** How long learned lists are used (default 5 min), and the least time between two readings (default 30 s). */
  refreshMs?: number;
  retryMs?: number;
}

/**
 * The store's channels and currencies, read once and then every `refreshMs`; a value not in them makes the lists be
 * read again if they are older than `retryMs` (a channel created a minute ago is usable), so junk values cost at
 * most one reading per `retryMs` for the whole instance. A failed reading keeps what was known.
 */
export function createPricingScopeGuard(deps: PricingScopeGuardDeps): PricingScopeGuard {
  const refreshMs = deps.refreshMs ?? 5 * 60_000;
  const retryMs = deps.retryMs ?? 30_000;
  let known: StoreScopes | undefined;
  let readAt = -Infinity;
  let reading: Promise<void> | undefined;

  const read = (): Promise<void> =>
    (reading ??= (async () => {
      readAt = deps.now();
      try {
        known = await deps.load();
      } catch {
        // Kept: the last lists (or only the gateway's own channel and currency).
      } finally {
        reading = undefined;
      }
    })());

  const valid = (scope: { channelId: number; currencyCode: string }): boolean =>
    (scope.channelId === deps.channelId || known?.channelIds.has(scope.channelId) === true) &&
    (scope.currencyCode === deps.currencyCode || known?.currencyCodes.has(scope.currencyCode) === true);

  return {
    async check(scope) {
      if (scope.countryCode !== undefined && !ISO_3166_ALPHA_2.has(scope.countryCode)) {
        throw gatewayError('BAD_USER_INPUT', 'countryCode must be an ISO 3166-1 alpha-2 country code');
      }
      // The first reading is waited for by every check: the fields of one request then reach their loader together.
      if (reading && !known) await reading;
      const age = deps.now() - readAt;
      // First use, or a value not (yet) known: read now. Lists merely due for refresh: read beside the request.
      if ((!known || !valid(scope)) && age >= retryMs) await read();
      else if (age >= refreshMs) void read();
      if (!known?.channelIds.has(scope.channelId) && scope.channelId !== deps.channelId) throw gatewayError('BAD_USER_INPUT', `Unknown channelId ${scope.channelId}`);
      if (!valid(scope)) throw gatewayError('BAD_USER_INPUT', `currencyCode ${scope.currencyCode} is not a currency of this store`);
    },
  };
}
