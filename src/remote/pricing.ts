import { gatewayError } from '../errors';
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
