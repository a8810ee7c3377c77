import DataLoader from 'dataloader';
import type { GatewayContext } from '../context';
import { gatewayError } from '../errors';
import {
  createPricingScopeGuard,
  fetchPrices,
  fetchStoreScopes,
  PRICING_ITEMS_PER_CALL,
  type PricingQuery,
  type PricingRequestItem,
  type RestPriceItem,
  type RestPricingAmount,
} from '../remote/pricing';
import type { ProductResolvers, QueryResolvers } from '../generated/resolver-types';
import type { ResolverDeps } from './deps';
import { cacheKey, epochNamesFor } from '../cache/scope';

interface PricingAmount {
  asEntered: number;
  enteredInclusive: boolean;
  taxExclusive: number;
  taxInclusive: number;
}

interface PricingAmountRange {
  minimum: PricingAmount | null;
  maximum: PricingAmount | null;
}

export interface ProductPricing {
  productId: number;
  variantId: number | null;
  options: Array<{ optionId: number; valueId: number }>;
  price: PricingAmount | null;
  salePrice: PricingAmount | null;
  retailPrice: PricingAmount | null;
  minimumAdvertisedPrice: PricingAmount | null;
  calculatedPrice: PricingAmount | null;
  saved: PricingAmount | null;
  priceRange: PricingAmountRange | null;
  retailPriceRange: PricingAmountRange | null;
  bulkPricing: Array<{ minimum: number; maximum: number; discountAmount: number; discountType: string; taxDiscountAmount: PricingAmount[] }>;
}

/** What `Product.pricing` needs from a storefront `Product` (its stitching selection set). */
export interface ProductParent {
  entityId?: number;
}

export type PricingResolvers = {
  Query: Required<Pick<QueryResolvers, 'pricing'>>;
  Product: { pricing: Required<ProductResolvers>['pricing'] & { selectionSet: string } };
};

const amount = (value: RestPricingAmount | null | undefined): PricingAmount | null =>
  value
    ? { asEntered: value.as_entered, enteredInclusive: value.entered_inclusive, taxExclusive: value.tax_exclusive, taxInclusive: value.tax_inclusive }
    : null;

const range = (value: RestPriceItem['price_range']): PricingAmountRange | null =>
  value ? { minimum: amount(value.minimum), maximum: amount(value.maximum) } : null;

/** REST snake_case → GraphQL camelCase, field for field. */
export function toProductPricing(item: RestPriceItem): ProductPricing {
  return {
    productId: item.product_id,
    variantId: item.variant_id ?? null,
    options: (item.options ?? []).map((o) => ({ optionId: o.option_id, valueId: o.value_id })),
    price: amount(item.price),
    salePrice: amount(item.sale_price),
    retailPrice: amount(item.retail_price),
    minimumAdvertisedPrice: amount(item.minimum_advertised_price),
    calculatedPrice: amount(item.calculated_price),
    saved: amount(item.saved),
    priceRange: range(item.price_range),
    retailPriceRange: range(item.retail_price_range),
    bulkPricing: (item.bulk_pricing ?? []).map((tier) => ({
      minimum: tier.minimum,
      maximum: tier.maximum,
      discountAmount: tier.discount_amount,
      discountType: tier.discount_type,
      taxDiscountAmount: (tier.tax_discount_amount ?? []).map((a) => amount(a)).filter((a): a is PricingAmount => a !== null),
    })),
  };
}

/** What a price depends on besides the item: requests that share it can share a REST call. */
type PricingScope = Omit<PricingQuery, 'items' | 'caller'>;

function itemKey(item: PricingRequestItem): string {
  const options = (item.options ?? []).map((o) => `${o.option_id}=${o.value_id}`).sort().join(',');
  return `${item.product_id}:${item.variant_id ?? ''}:${options}`;
}

/** Whether a REST answer element is the price of `item` (the API echoes product, variant and options). */
function answersItem(answer: RestPriceItem, item: PricingRequestItem): boolean {
  if (answer.product_id !== item.product_id) return false;
  if (item.variant_id !== undefined && answer.variant_id !== item.variant_id) return false;
  if (!item.options?.length) return true;
  const given = new Set(item.options.map((o) => `${o.option_id}=${o.value_id}`));
  const echoed = answer.options ?? [];
  return echoed.length === given.size && echoed.every((o) => given.has(`${o.option_id}=${o.value_id}`));
}

function currencyOf(value: string | null | undefined, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (!/^[A-Za-z]{3}$/.test(value)) throw gatewayError('BAD_USER_INPUT', 'currencyCode must be a 3-letter ISO 4217 code');
  return value.toUpperCase();
}

/** Version of the pricing key layout (see cacheKey). */
const PRICING_KEY_VERSION = 'pricing:v1';

/**
 * Cached REST prices, in the response cache's scopes: the same store, TTL and epochs (a price-list webhook that
 * invalidates a group's answers invalidates its prices too). An item is served from the cache or asked for; a
 * cache that cannot be read is a miss for every item, never an error.
 */
function createPriceCache(deps: ResolverDeps) {
  const { cache } = deps.stores;
  const ttlMs = deps.config.cache.ttlSeconds * 1000;
  return {
    enabled: deps.config.cache.enabled,
    /** One key per item, or undefined when the cache is unavailable. */
    async keys(scope: PricingScope, items: readonly PricingRequestItem[]): Promise<string[] | undefined> {
      try {
        const group = scope.customerGroupId ?? 'guest';
        const epochs = await cache.readEpochs(epochNamesFor(scope.channelId, group));
        const prefix = [PRICING_KEY_VERSION, deps.store.storeHash, scope.channelId, scope.currencyCode, scope.countryCode ?? '', group, ...epochs];
        return items.map((item) => cacheKey([...prefix, itemKey(item)]));
      } catch {
        return undefined;
      }
    },
    async read(keys: string[]): Promise<Array<ProductPricing | undefined>> {
      try {
        const texts = await Promise.all(keys.map((key) => cache.get(key)));
        return texts.map((text) => (text === undefined ? undefined : (JSON.parse(text) as ProductPricing)));
      } catch {
        return keys.map(() => undefined);
      }
    },
    async write(entries: Array<[string, ProductPricing]>, writer: string): Promise<void> {
      await Promise.allSettled(entries.map(([key, pricing]) => cache.set(key, JSON.stringify(pricing), ttlMs, writer)));
    },
  };
}

export function createPricingResolvers(deps: ResolverDeps): PricingResolvers {
  const priceCache = createPriceCache(deps);
  // Channels, currencies and countries a price may be asked for: checked before the cache and before REST.
  const scopes = createPricingScopeGuard({ load: () => fetchStoreScopes(deps.rest), channelId: deps.store.channelId, currencyCode: deps.config.currencyCode, now: deps.now });
  /**
   * One loader per request and pricing scope: all `Product.pricing` and `Query.pricing` fields of a request
   * — aliases and fragments included — that share a scope share one REST call (chunked by fetchPrices).
   */
  function itemLoader(ctx: GatewayContext, scope: PricingScope): DataLoader<PricingRequestItem, ProductPricing | null, string> {
    const key = `pricing:${scope.channelId}:${scope.currencyCode}:${scope.countryCode ?? ''}:${scope.customerGroupId ?? 'guest'}`;
    const existing = ctx.loaders.get(key) as DataLoader<PricingRequestItem, ProductPricing | null, string> | undefined;
    if (existing) return existing;
    const loader = new DataLoader<PricingRequestItem, ProductPricing | null, string>(
      async (items) => {
        // Cached prices first (same scope: group, currency, channel, country, item); only the rest go to REST.
        const keys = priceCache.enabled ? await priceCache.keys(scope, items) : undefined;
        const results: Array<ProductPricing | null | undefined> = keys ? await priceCache.read(keys) : items.map(() => undefined);
        const missing = items.map((item, index) => ({ item, index })).filter(({ index }) => results[index] === undefined);
        if (missing.length > 0) {
          const answers = await fetchPrices(deps.rest, { ...scope, items: missing.map(({ item }) => item), caller: ctx });
          const fresh: Array<[string, ProductPricing]> = [];
          for (const { item, index } of missing) {
            const answer = answers.find((candidate) => answersItem(candidate, item));
            const pricing = answer ? toProductPricing(answer) : null;
            results[index] = pricing;
            // Unknown products are not cached: a product made visible shows its price on the next request.
            if (pricing && keys) fresh.push([keys[index], pricing]);
          }
          await priceCache.write(fresh, ctx.clientIp);
        }
        // One result per key, in key order (DataLoader's contract); unknown products price as null.
        return results.map((result) => result ?? null);
      },
      // The chunking happens in fetchPrices; a larger batch still costs one call per chunk.
      { maxBatchSize: Number.MAX_SAFE_INTEGER, cacheKeyFn: itemKey },
    );
    ctx.loaders.set(key, loader);
    return loader;
  }

  return {
    Query: {
      async pricing(_root, { input }, ctx) {
        const currencyCode = currencyOf(input.currencyCode, deps.config.currencyCode);
        if (input.countryCode != null && !/^[A-Za-z]{2}$/.test(input.countryCode)) {
          throw gatewayError('BAD_USER_INPUT', 'countryCode must be a 2-letter ISO 3166-1 code');
        }
        if (input.channelId != null && input.channelId < 1) throw gatewayError('BAD_USER_INPUT', 'channelId must be a positive integer');
        if (input.items.length > PRICING_ITEMS_PER_CALL) {
          throw gatewayError('BAD_USER_INPUT', `At most ${PRICING_ITEMS_PER_CALL} items per pricing query`);
        }
        let customerGroupId = ctx.shopper?.customerGroupId;
        if (input.customerGroupId !== undefined && input.customerGroupId !== null) {
          // Group prices are not public: only a trusted server may ask for another group.
          if (!ctx.trustedServer) throw gatewayError('FORBIDDEN', 'customerGroupId is only accepted from trusted server callers');
          customerGroupId = input.customerGroupId;
        }
        const scope: PricingScope = {
          channelId: input.channelId ?? ctx.channelId,
          currencyCode,
          countryCode: input.countryCode?.toUpperCase() ?? undefined,
          customerGroupId,
        };
        await scopes.check(scope);
        if (input.items.length === 0) return [];
        const items: PricingRequestItem[] = input.items.map((item) => ({
          product_id: item.productId,
          ...(item.variantId != null ? { variant_id: item.variantId } : {}),
          ...(item.options ? { options: item.options.map((o) => ({ option_id: o.optionId, value_id: o.valueId })) } : {}),
        }));
        // Through the request's loader: every `pricing` field of the request (aliases included) shares one REST call.
        const answers = await itemLoader(ctx, scope).loadMany(items);
        return answers.map((answer) => {
          if (answer instanceof Error) throw answer;
          return answer;
        }).filter((answer): answer is ProductPricing => answer !== null);
      },
    },
    Product: {
      pricing: {
        selectionSet: '{ entityId }',
        async resolve(product, args, ctx) {
          if (typeof product.entityId !== 'number') return null;
          const scope: PricingScope = {
            // The channel the request came in on (a front-door host names it).
            channelId: ctx.channelId,
            currencyCode: currencyOf(args.currencyCode, deps.config.currencyCode),
            // The request's shopper: a login earlier in the same request changes it (see auth/sessions.ts).
            customerGroupId: ctx.shopper?.customerGroupId,
          };
          await scopes.check(scope);
          return itemLoader(ctx, scope).load({ product_id: product.entityId });
        },
      },
    },
  };
}
