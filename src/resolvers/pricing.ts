import DataLoader from 'dataloader';
import type { GatewayContext } from '../context';
import { gatewayError } from '../errors';
import {
  fetchPrices,
  PRICING_ITEMS_PER_CALL,
  type PricingQuery,
  type PricingRequestItem,
  type RestPriceItem,
  type RestPricingAmount,
} from '../remote/pricing';
import type { ProductResolvers, QueryResolvers } from '../generated/resolver-types';
import type { ResolverDeps } from './deps';

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

function currencyOf(value: string | null | undefined, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (!/^[A-Za-z]{3}$/.test(value)) throw gatewayError('BAD_USER_INPUT', 'currencyCode must be a 3-letter ISO 4217 code');
  return value.toUpperCase();
}

export function createPricingResolvers(deps: ResolverDeps): PricingResolvers {
  /** One loader per request and currency: all `Product.pricing` fields of a request share one REST call. */
  function productLoader(ctx: GatewayContext, currencyCode: string): DataLoader<number, ProductPricing | null> {
    const customerGroupId = ctx.shopper?.customerGroupId;
    // Keyed by group too: a login earlier in the same request changes the shopper (see resolvers/session.ts).
    const key = `pricing:${currencyCode}:${customerGroupId ?? 'guest'}`;
    const existing = ctx.loaders.get(key) as DataLoader<number, ProductPricing | null> | undefined;
    if (existing) return existing;
    const loader = new DataLoader<number, ProductPricing | null>(
      async (productIds) => {
        const items = await fetchPrices(deps.rest, {
          channelId: deps.store.channelId,
          currencyCode,
          customerGroupId,
          items: productIds.map((id) => ({ product_id: id })),
          caller: ctx,
        });
        const byProduct = new Map<number, RestPriceItem>();
        for (const item of items) if (!byProduct.has(item.product_id)) byProduct.set(item.product_id, item);
        // One result per key, in key order (DataLoader's contract); unknown products price as null.
        return productIds.map((id) => {
          const item = byProduct.get(id);
          return item ? toProductPricing(item) : null;
        });
      },
      // The chunking happens in fetchPrices; a larger batch still costs one call per chunk.
      { maxBatchSize: Number.MAX_SAFE_INTEGER },
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
        if (input.items.length === 0) return [];
        const items: PricingRequestItem[] = input.items.map((item) => ({
          product_id: item.productId,
          ...(item.variantId != null ? { variant_id: item.variantId } : {}),
          ...(item.options ? { options: item.options.map((o) => ({ option_id: o.optionId, value_id: o.valueId })) } : {}),
        }));
        const query: PricingQuery = {
          channelId: input.channelId ?? deps.store.channelId,
          currencyCode,
          countryCode: input.countryCode?.toUpperCase() ?? undefined,
          customerGroupId,
          items,
          caller: ctx,
        };
        return (await fetchPrices(deps.rest, query)).map(toProductPricing);
      },
    },
    Product: {
      pricing: {
        selectionSet: '{ entityId }',
        resolve(product, args, ctx) {
          if (typeof product.entityId !== 'number') return null;
          return productLoader(ctx, currencyOf(args.currencyCode, deps.config.currencyCode)).load(product.entityId);
        },
      },
    },
  };
}
