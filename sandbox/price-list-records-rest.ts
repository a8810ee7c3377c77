// Price list records (developer.bigcommerce.com/docs/rest-management/price-lists/price-lists-records):
//   GET/PUT/DELETE /v3/pricelists/{price_list_id}/records            list, batch upsert (up to 1,000), batch delete
//   GET/PUT/DELETE /v3/pricelists/{price_list_id}/records/{variant_id}/{currency_code}   one record
// Single-record calls fire store/priceList/record/{created,updated,deleted}; batch calls fire
// store/priceList/records/{created,updated,deleted} ("If you are working with PUT, POST, or DELETE endpoints built
// for batch behavior, you must use the store/priceList/records/* webhook events", /docs/integrations/webhooks/events).
//
// A batch is all or nothing: one invalid item rejects the whole batch with 422 `batch_errors` and changes nothing
// (BigCommerce's non-strict partial saves are not modelled).
import type { Catalog } from './catalog';
import type { BulkTierType, SeedBulkTier, SeedPriceList, SeedPriceRecord, SeedProduct, SeedVariant } from './seed';
import type { PriceRecordEventData, PublishEvent } from './webhook-events';
import { invalid, isAmount, isInt, jsonArrayBody, jsonBody, methodNotAllowed, notFound, paginate, pathInt, queryIntList, type Json, type RestRoutes } from './rest-util';

export const MAX_RECORDS_PER_BATCH = 1000;

type RecordValues = Omit<SeedPriceRecord, 'variantId' | 'currency'>;

const TIER_TYPES: readonly BulkTierType[] = ['fixed', 'price', 'percent'];

function parseTiers(value: unknown, errors: Record<string, string>): SeedBulkTier[] | undefined {
  if (value === undefined) return undefined;
  const ok =
    Array.isArray(value) &&
    value.every((t) => {
      if (typeof t !== 'object' || t === null) return false;
      const tier = t as Json;
      return isInt(tier.quantity_min) && tier.quantity_min >= 1 && isInt(tier.quantity_max) && tier.quantity_max >= 0 && TIER_TYPES.includes(tier.type as BulkTierType) && isAmount(tier.amount);
    });
  if (!ok) {
    errors.bulk_pricing_tiers = 'Each tier needs quantity_min (>= 1), quantity_max (>= 0, 0 = no maximum), type (fixed, price or percent) and amount (>= 0).';
    return undefined;
  }
  return (value as Json[]).map((t) => ({ quantityMin: t.quantity_min as number, quantityMax: t.quantity_max as number, type: t.type as BulkTierType, amount: t.amount as number }));
}

/** The PriceRecord Base fields. `price` is required on PUT; an absent sale/retail/MAP price is "not set". */
function parseValues(body: Json, errors: Record<string, string>): RecordValues | undefined {
  if (body.price === undefined) errors.price = 'error.path.missing';
  else if (!isAmount(body.price)) errors.price = 'price must be a number >= 0.';
  const values: RecordValues = { price: body.price as number };
  for (const [field, key] of [['sale_price', 'salePrice'], ['retail_price', 'retailPrice'], ['map_price', 'mapPrice']] as const) {
    if (body[field] === undefined || body[field] === null) continue;
    if (!isAmount(body[field])) errors[field] = `${field} must be a number >= 0.`;
    else values[key] = body[field] as number;
  }
  const tiers = parseTiers(body.bulk_pricing_tiers, errors);
  if (tiers !== undefined) values.bulkPricingTiers = tiers;
  return Object.keys(errors).length > 0 ? undefined : values;
}

function currencyOf(catalog: Catalog, value: unknown, errors: Record<string, string>, field = 'currency'): string | undefined {
  if (typeof value !== 'string' || value === '') errors[field] = 'error.path.missing';
  else if (!catalog.currencies.has(value.toUpperCase())) errors[field] = `Currency ${value} is not enabled on this store.`;
  else return value.toUpperCase();
  return undefined;
}

export function recordResource(catalog: Catalog, list: SeedPriceList, r: SeedPriceRecord): Json {
  const found = catalog.variantById.get(r.variantId);
  const sale = r.salePrice ?? null;
  return {
    price_list_id: list.id,
    variant_id: r.variantId,
    product_id: found?.product.entityId ?? null,
    sku: found?.variant.sku ?? null,
    // BigCommerce answers currency codes in lower case ("currency: eur" in the reference's example).
    currency: r.currency.toLowerCase(),
    price: r.price,
    ...(r.salePrice !== undefined ? { sale_price: r.salePrice } : {}),
    ...(r.retailPrice !== undefined ? { retail_price: r.retailPrice } : {}),
    ...(r.mapPrice !== undefined ? { map_price: r.mapPrice } : {}),
    calculated_price: sale !== null && sale < r.price ? sale : r.price,
    bulk_pricing_tiers: (r.bulkPricingTiers ?? []).map((t) => ({ quantity_min: t.quantityMin, quantity_max: t.quantityMax, type: t.type, amount: t.amount })),
  };
}

/** Inserts or replaces the record of (variant, currency); true when it is new. */
function upsert(list: SeedPriceList, variantId: number, currency: string, values: RecordValues): boolean {
  const record: SeedPriceRecord = { variantId, currency, ...values };
  const i = list.records.findIndex((r) => r.variantId === variantId && r.currency === currency);
  if (i >= 0) list.records[i] = record;
  else list.records.push(record);
  return i < 0;
}

function priceListOf(catalog: Catalog, segment: string): SeedPriceList {
  const id = pathInt(segment);
  const list = id === null ? undefined : catalog.priceLists.get(id);
  if (!list) throw notFound(`Price list ${segment} not found.`);
  return list;
}

const eventData = (list: SeedPriceList, variantId: number, currency: string): PriceRecordEventData => ({ price_list_id: list.id, variant_id: variantId, currency_code: currency });

/** Applies a batch; returns the per-item errors of a rejected batch (then nothing changed), else an empty list. */
function batchUpsert(catalog: Catalog, list: SeedPriceList, items: unknown[], publish: PublishEvent): Json[] {
  if (items.length === 0 || items.length > MAX_RECORDS_PER_BATCH) throw invalid({ body: `Send 1 to ${MAX_RECORDS_PER_BATCH} price records.` });
  const batchErrors: Json[] = [];
  const valid: { variant: { product: SeedProduct; variant: SeedVariant }; currency: string; values: RecordValues }[] = [];
  for (const raw of items) {
    const item = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Json) : {};
    const errors: Record<string, string> = {};
    const variant = isInt(item.variant_id)
      ? catalog.variantById.get(item.variant_id)
      : typeof item.sku === 'string'
        ? catalog.variantBySku.get(item.sku.toLowerCase())
        : undefined;
    if (!variant) errors[item.variant_id !== undefined || item.sku !== undefined ? 'variant_id' : 'variant_id|sku'] = 'Either an existing variant_id or sku is required.';
    const currency = currencyOf(catalog, item.currency, errors);
    const values = parseValues(item, errors);
    if (variant && currency && values) valid.push({ variant, currency, values });
    else batchErrors.push({ data: { price_list_id: list.id, variant_id: item.variant_id, sku: item.sku, currency: item.currency }, field_errors: errors });
  }
  if (batchErrors.length > 0) return batchErrors;
  const created: PriceRecordEventData[] = [];
  const updated: PriceRecordEventData[] = [];
  for (const { variant, currency, values } of valid) {
    const isNew = upsert(list, variant.variant.entityId, currency, values);
    const data = eventData(list, variant.variant.entityId, currency);
    // A record sent twice in one batch is created once, then updated.
    (isNew ? created : updated).push(data);
  }
  if (created.length > 0) publish({ scope: 'store/priceList/records/created', data: created });
  if (updated.length > 0) publish({ scope: 'store/priceList/records/updated', data: updated });
  return [];
}

function batchDelete(catalog: Catalog, list: SeedPriceList, query: URLSearchParams, publish: PublishEvent): void {
  const variantIds = queryIntList(query, 'variant_id:in');
  const skus = query.get('sku:in')?.split(',').map((s) => s.trim().toLowerCase());
  const currency = query.get('currency')?.toUpperCase();
  // BigCommerce lists every filter as optional; the sandbox refuses a filter-less call rather than empty a list.
  if (variantIds === undefined && skus === undefined) throw invalid({ 'variant_id:in': 'Send variant_id:in or sku:in.' });
  const wanted = new Set(variantIds ?? []);
  for (const sku of skus ?? []) {
    const found = catalog.variantBySku.get(sku);
    if (found) wanted.add(found.variant.entityId);
  }
  const gone = list.records.filter((r) => wanted.has(r.variantId) && (currency === undefined || r.currency === currency));
  if (gone.length === 0) return;
  list.records = list.records.filter((r) => !gone.includes(r));
  publish({ scope: 'store/priceList/records/deleted', data: gone.map((r) => eventData(list, r.variantId, r.currency)) });
}

export function createPriceListRecordRoutes(catalog: Catalog, publish: PublishEvent): RestRoutes {
  return async ({ method, route, query, req }) => {
    const many = /^v3\/pricelists\/([^/]+)\/records$/.exec(route);
    if (many) {
      if (method !== 'GET' && method !== 'PUT' && method !== 'DELETE') throw methodNotAllowed();
      const list = priceListOf(catalog, many[1]);
      if (method === 'GET') {
        const variantIds = queryIntList(query, 'variant_id:in');
        const currency = query.get('currency')?.toUpperCase();
        const records = list.records.filter((r) => (variantIds === undefined || variantIds.includes(r.variantId)) && (currency === undefined || r.currency === currency));
        const page = paginate(records, query);
        return { status: 200, body: { data: page.items.map((r) => recordResource(catalog, list, r)), meta: { pagination: page.pagination } } };
      }
      if (method === 'PUT') {
        const batchErrors = batchUpsert(catalog, list, await jsonArrayBody(req), publish);
        // 422 "PriceRecord Batch Error Response": `{batch_errors: [{data, field_errors}]}`.
        if (batchErrors.length > 0) return { status: 422, body: { batch_errors: batchErrors } };
        return { status: 200, body: { data: {}, meta: {} } };
      }
      batchDelete(catalog, list, query, publish);
      return { status: 204 };
    }
    const one = /^v3\/pricelists\/([^/]+)\/records\/([^/]+)\/([^/]+)$/.exec(route);
    if (!one) return null;
    if (method !== 'GET' && method !== 'PUT' && method !== 'DELETE') throw methodNotAllowed();
    const list = priceListOf(catalog, one[1]);
    const variantId = pathInt(one[2]);
    const found = variantId === null ? undefined : catalog.variantById.get(variantId);
    if (!found) throw notFound(`Variant ${one[2]} not found.`);
    const errors: Record<string, string> = {};
    const currency = currencyOf(catalog, one[3], errors, 'currency_code');
    if (!currency) throw invalid(errors);
    const vid = found.variant.entityId;
    const existing = list.records.find((r) => r.variantId === vid && r.currency === currency);
    if (method === 'GET') {
      if (!existing) throw notFound('The price record was not found.');
      return { status: 200, body: { data: recordResource(catalog, list, existing), meta: {} } };
    }
    if (method === 'DELETE') {
      if (existing) {
        list.records = list.records.filter((r) => r !== existing);
        publish({ scope: 'store/priceList/record/deleted', data: eventData(list, vid, currency) });
      }
      return { status: 204 };
    }
    const values = parseValues(await jsonBody(req), errors);
    if (!values) throw invalid(errors);
    const isNew = upsert(list, vid, currency, values);
    publish({ scope: isNew ? 'store/priceList/record/created' : 'store/priceList/record/updated', data: eventData(list, vid, currency) });
    const saved = list.records.find((r) => r.variantId === vid && r.currency === currency) as SeedPriceRecord;
    return { status: 200, body: { data: recordResource(catalog, list, saved), meta: {} } };
  };
}
