// The one price computation of the sandbox: storefront GraphQL `prices` and REST /v3/pricing/products both use it,
// so the two can never disagree for the same shopper group.
//
// Source of a group's prices, in BigCommerce's order (developer.bigcommerce.com/docs/store-operations/pricing/calculations and /docs/rest-management/price-lists):
//   1. a price list assigned to the group and the channel; 2. a list assigned to the group;
//   3. the group's discount rules; 4. the channel's default list; 5. the catalog price.
// A chosen list without a record for the variant falls back to the catalog price. A list may hold a record per
// currency; without one in the requested currency, the default-currency record is converted at the store's rate.
import type { Catalog } from './catalog';
import type { SeedBulkTier, SeedDiscountRule, SeedPriceRecord, SeedProduct, SeedVariant } from './seed';

export type PriceSource =
  | { kind: 'price_list'; priceListId: number }
  | { kind: 'group_discount'; rules: SeedDiscountRule[] }
  | { kind: 'catalog' };

/** Prices of one variant for one shopper group, in the requested currency (2-decimal rounding). */
export interface VariantPrice {
  productId: number;
  variantId: number;
  currencyCode: string;
  /** Catalog price of the variant: ignores customer group prices (as BigCommerce's `basePrice`). */
  basePrice: number;
  /** Price as entered for this shopper: the price-list price, else the catalog price. */
  price: number;
  salePrice: number | null;
  retailPrice: number | null;
  mapPrice: number | null;
  /** What the shopper pays for one item: sale price if lower, then group discount; no bulk pricing. */
  calculatedPrice: number;
  /** retailPrice − calculatedPrice (never negative); null without a retail price. */
  saved: number | null;
  /** Bulk tiers that apply: the price record's own, else the product's (developer.bigcommerce.com/docs/store-operations/pricing/price-lists). */
  bulkPricing: SeedBulkTier[];
  source: PriceSource['kind'];
}

export interface ProductPrice extends VariantPrice {
  /** Calculated price over all variants of the product. */
  priceRange: { min: number; max: number };
  /** Retail price over all variants; null when no variant has one. */
  retailPriceRange: { min: number; max: number } | null;
}

export class UnknownCurrencyError extends Error {}

export function round2(value: number): number {
  return Math.round((value + Number.EPSILON) * 100) / 100;
}

/** Picks where a group's prices come from; groupId null = guest (no group: catalog prices, or a guest group). */
export function priceSourceFor(catalog: Catalog, groupId: number | null, channelId: number): PriceSource {
  const effectiveGroupId = groupId ?? guestGroupId(catalog);
  const active = (id: number): boolean => catalog.priceLists.get(id)?.active === true;
  if (effectiveGroupId !== null) {
    const forGroupAndChannel = catalog.assignments.find(
      (a) => a.customerGroupId === effectiveGroupId && a.channelId === channelId && active(a.priceListId),
    );
    if (forGroupAndChannel) return { kind: 'price_list', priceListId: forGroupAndChannel.priceListId };
    const forGroup = catalog.assignments.find(
      (a) => a.customerGroupId === effectiveGroupId && a.channelId === null && active(a.priceListId),
    );
    if (forGroup) return { kind: 'price_list', priceListId: forGroup.priceListId };
    const group = catalog.groups.get(effectiveGroupId);
    // A v2 group can also point at a list through a `price_list` discount rule.
    const listRule = group?.discountRules.find((r) => r.type === 'price_list' && r.priceListId !== undefined && active(r.priceListId));
    if (listRule?.priceListId !== undefined) return { kind: 'price_list', priceListId: listRule.priceListId };
    const discounts = group?.discountRules.filter((r) => r.type !== 'price_list') ?? [];
    if (discounts.length > 0) return { kind: 'group_discount', rules: discounts };
  }
  const channelDefault = catalog.assignments.find(
    (a) => a.customerGroupId === null && a.channelId === channelId && active(a.priceListId),
  );
  if (channelDefault) return { kind: 'price_list', priceListId: channelDefault.priceListId };
  return { kind: 'catalog' };
}

function guestGroupId(catalog: Catalog): number | null {
  for (const g of catalog.groups.values()) if (g.isGroupForGuests) return g.id;
  return null;
}

/** The most specific rule wins: product, then category, then all (BigCommerce group discount precedence). */
function applicableRule(rules: SeedDiscountRule[], product: SeedProduct): SeedDiscountRule | undefined {
  return (
    rules.find((r) => r.type === 'product' && r.productId === product.entityId) ??
    rules.find((r) => r.type === 'category' && r.categoryId !== undefined && product.categoryIds.includes(r.categoryId)) ??
    rules.find((r) => r.type === 'all')
  );
}

function applyRule(rule: SeedDiscountRule, amount: number): number {
  const value = Number(rule.amount ?? '0');
  switch (rule.method) {
    case 'percent':
      return Math.max(0, amount * (1 - value / 100));
    case 'fixed':
      return Math.max(0, amount - value);
    case 'price':
      return value;
    default:
      return amount;
  }
}

/**
 * The price record of a variant in a list: the record in the requested currency if the list has one, else the record in
 * the store's default currency (converted later like catalog prices). A record in the requested currency is brought
 * back to default-currency units here (÷ rate) so the single conversion at the end restores its amounts exactly.
 */
function priceRecord(catalog: Catalog, priceListId: number, variantId: number, currencyCode: string, rate: number): SeedPriceRecord | undefined {
  const records = catalog.priceLists.get(priceListId)?.records ?? [];
  const wanted = currencyCode.toUpperCase();
  const own = wanted === defaultCurrencyCode(catalog) ? undefined : records.find((r) => r.variantId === variantId && r.currency === wanted);
  if (!own) return records.find((r) => r.variantId === variantId && r.currency === defaultCurrencyCode(catalog));
  const back = (v: number): number => v / rate;
  const opt = (v: number | undefined): number | undefined => (v === undefined ? undefined : back(v));
  return {
    ...own,
    price: back(own.price),
    salePrice: opt(own.salePrice),
    retailPrice: opt(own.retailPrice),
    mapPrice: opt(own.mapPrice),
    bulkPricingTiers: own.bulkPricingTiers?.map((t) => (t.type === 'percent' ? t : { ...t, amount: back(t.amount) })),
  };
}

/** The store's default currency (the one marked `default`; seed prices are in it). */
export function defaultCurrencyCode(catalog: Catalog): string {
  for (const c of catalog.currencies.values()) if (c.default) return c.code;
  return 'USD';
}

function variantPriceUsd(catalog: Catalog, product: SeedProduct, variant: SeedVariant, source: PriceSource, currencyCode: string, rate: number): Omit<VariantPrice, 'currencyCode'> {
  const basePrice = variant.price ?? product.price;
  const catalogSale = variant.salePrice ?? product.salePrice ?? null;
  const catalogRetail = variant.retailPrice ?? product.retailPrice ?? null;
  const catalogMap = variant.mapPrice ?? product.mapPrice ?? null;
  const productBulk = product.bulkPricing ?? [];
  const effective = (price: number, sale: number | null): number => (sale !== null && sale < price ? sale : price);

  if (source.kind === 'price_list') {
    const record = priceRecord(catalog, source.priceListId, variant.entityId, currencyCode, rate);
    if (record) {
      const salePrice = record.salePrice ?? null;
      const calculatedPrice = effective(record.price, salePrice);
      const retailPrice = record.retailPrice ?? catalogRetail;
      return {
        productId: product.entityId,
        variantId: variant.entityId,
        basePrice,
        price: record.price,
        salePrice,
        retailPrice,
        mapPrice: record.mapPrice ?? catalogMap,
        calculatedPrice,
        saved: retailPrice === null ? null : Math.max(0, retailPrice - calculatedPrice),
        // A variant with a price record loses product-level bulk pricing.
        bulkPricing: record.bulkPricingTiers ?? [],
        source: 'price_list',
      };
    }
  }
  let calculatedPrice = effective(basePrice, catalogSale);
  let kind: PriceSource['kind'] = 'catalog';
  if (source.kind === 'group_discount') {
    const rule = applicableRule(source.rules, product);
    if (rule) {
      calculatedPrice = applyRule(rule, calculatedPrice);
      kind = 'group_discount';
    }
  }
  return {
    productId: product.entityId,
    variantId: variant.entityId,
    basePrice,
    price: basePrice,
    salePrice: catalogSale,
    retailPrice: catalogRetail,
    mapPrice: catalogMap,
    calculatedPrice,
    saved: catalogRetail === null ? null : Math.max(0, catalogRetail - calculatedPrice),
    bulkPricing: productBulk,
    source: kind,
  };
}

function convert(value: number, rate: number): number {
  return round2(value * rate);
}

function convertTier(tier: SeedBulkTier, rate: number): SeedBulkTier {
  // Percentages do not depend on the currency; amounts do.
  return tier.type === 'percent' ? { ...tier } : { ...tier, amount: convert(tier.amount, rate) };
}

export function currencyRate(catalog: Catalog, currencyCode: string): number {
  const currency = catalog.currencies.get(currencyCode.toUpperCase());
  if (!currency) throw new UnknownCurrencyError(`Currency ${currencyCode} is not enabled on this store`);
  return currency.rate;
}

export interface PriceQuery {
  groupId: number | null;
  channelId: number;
  currencyCode: string;
}

/** Prices of one variant. */
export function priceVariant(catalog: Catalog, product: SeedProduct, variant: SeedVariant, query: PriceQuery): VariantPrice {
  const rate = currencyRate(catalog, query.currencyCode);
  const usd = variantPriceUsd(catalog, product, variant, priceSourceFor(catalog, query.groupId, query.channelId), query.currencyCode, rate);
  const opt = (v: number | null): number | null => (v === null ? null : convert(v, rate));
  return {
    ...usd,
    currencyCode: query.currencyCode.toUpperCase(),
    basePrice: convert(usd.basePrice, rate),
    price: convert(usd.price, rate),
    salePrice: opt(usd.salePrice),
    retailPrice: opt(usd.retailPrice),
    mapPrice: opt(usd.mapPrice),
    calculatedPrice: convert(usd.calculatedPrice, rate),
    saved: opt(usd.saved),
    bulkPricing: usd.bulkPricing.map((t) => convertTier(t, rate)),
  };
}

/** Prices of a product: the chosen variant (default: the first) plus ranges over all variants. */
export function priceProduct(catalog: Catalog, product: SeedProduct, variantId: number | undefined, query: PriceQuery): ProductPrice | null {
  const variant = variantId === undefined ? product.variants[0] : product.variants.find((v) => v.entityId === variantId);
  if (!variant) return null;
  const all = product.variants.map((v) => priceVariant(catalog, product, v, query));
  const chosen = all.find((p) => p.variantId === variant.entityId) ?? all[0];
  const calculated = all.map((p) => p.calculatedPrice);
  const retail = all.map((p) => p.retailPrice).filter((v): v is number => v !== null);
  return {
    ...chosen,
    priceRange: { min: Math.min(...calculated), max: Math.max(...calculated) },
    retailPriceRange: retail.length === 0 ? null : { min: Math.min(...retail), max: Math.max(...retail) },
  };
}

/** Unit price for a quantity, bulk tiers applied (carts use it). */
export function unitPriceForQuantity(price: VariantPrice, quantity: number): number {
  const tier = price.bulkPricing.find((t) => quantity >= t.quantityMin && (t.quantityMax === 0 || quantity <= t.quantityMax));
  if (!tier) return price.calculatedPrice;
  switch (tier.type) {
    case 'percent':
      return round2(price.calculatedPrice * (1 - tier.amount / 100));
    case 'price':
      return round2(Math.max(0, price.calculatedPrice - tier.amount));
    case 'fixed':
      return tier.amount;
  }
}
