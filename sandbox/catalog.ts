// Catalog indexes over the seed: products, variants, categories, groups, price lists, customers. The admin REST
// (catalog-products-rest.ts, price-list-*-rest.ts) edits products, price records and assignments in place; the
// indexes hold the same objects, so every reader sees an edit at once. Each sandbox builds its catalog from its own
// copy of the seed (index.ts), so one sandbox's edits never reach another's.
import type {
  Seed,
  SeedCategory,
  SeedCurrency,
  SeedCustomer,
  SeedCustomerGroup,
  SeedPriceList,
  SeedPriceListAssignment,
  SeedProduct,
  SeedVariant,
} from './seed';

export interface Catalog {
  storeName: string;
  products: SeedProduct[];
  productById: Map<number, SeedProduct>;
  variantById: Map<number, { product: SeedProduct; variant: SeedVariant }>;
  variantBySku: Map<string, { product: SeedProduct; variant: SeedVariant }>;
  categories: SeedCategory[];
  groups: Map<number, SeedCustomerGroup>;
  priceLists: Map<number, SeedPriceList>;
  assignments: SeedPriceListAssignment[];
  customers: Map<number, SeedCustomer>;
  customerByEmail: Map<string, SeedCustomer>;
  currencies: Map<string, SeedCurrency>;
}

export function buildCatalog(seed: Seed): Catalog {
  const variantById = new Map<number, { product: SeedProduct; variant: SeedVariant }>();
  const variantBySku = new Map<string, { product: SeedProduct; variant: SeedVariant }>();
  for (const product of seed.products) {
    for (const variant of product.variants) {
      variantById.set(variant.entityId, { product, variant });
      variantBySku.set(variant.sku.toLowerCase(), { product, variant });
    }
  }
  return {
    storeName: seed.storeName,
    products: seed.products,
    productById: new Map(seed.products.map((p) => [p.entityId, p])),
    variantById,
    variantBySku,
    categories: seed.categories,
    groups: new Map(seed.customerGroups.map((g) => [g.id, g])),
    priceLists: new Map(seed.priceLists.map((l) => [l.id, l])),
    assignments: seed.priceListAssignments,
    customers: new Map(seed.customers.map((c) => [c.id, c])),
    // Emails are case-insensitive for sign-in, as on BigCommerce.
    customerByEmail: new Map(seed.customers.map((c) => [c.email.toLowerCase(), c])),
    currencies: new Map(seed.currencies.map((c) => [c.code, c])),
  };
}

/** Whether the storefront shows a product (BigCommerce's `is_visible`; hidden products are not found on the storefront). */
export function isVisible(product: SeedProduct): boolean {
  return product.isVisible !== false;
}
