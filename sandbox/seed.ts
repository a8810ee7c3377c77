// Typed view of seed.json, the sandbox store's readable data file.
import seedJson from './seed.json';

export type BulkTierType = 'percent' | 'price' | 'fixed';

/** A bulk pricing tier as BigCommerce stores it (quantityMax 0 = unbounded). */
export interface SeedBulkTier {
  quantityMin: number;
  quantityMax: number;
  type: BulkTierType;
  amount: number;
}

export interface SeedVariant {
  entityId: number;
  sku: string;
  price?: number;
  salePrice?: number;
  retailPrice?: number;
  mapPrice?: number;
  optionValues: { option: string; value: string }[];
}

export interface SeedProduct {
  entityId: number;
  name: string;
  sku: string;
  path: string;
  description: string;
  categoryIds: number[];
  price: number;
  salePrice?: number;
  retailPrice?: number;
  mapPrice?: number;
  bulkPricing?: SeedBulkTier[];
  /** Shown on the storefront; absent = true. PUT /v3/catalog/products/{id} can hide a product (`is_visible`). */
  isVisible?: boolean;
  variants: SeedVariant[];
}

export interface SeedCategory {
  id: number;
  name: string;
  path: string;
  description: string;
  parentId: number | null;
}

export interface SeedDiscountRule {
  type: 'price_list' | 'all' | 'category' | 'product';
  method?: 'percent' | 'fixed' | 'price';
  amount?: string;
  priceListId?: number;
  categoryId?: number;
  productId?: number;
}

export interface SeedCustomerGroup {
  id: number;
  name: string;
  isDefault: boolean;
  isGroupForGuests: boolean;
  discountRules: SeedDiscountRule[];
}

export interface SeedPriceRecord {
  variantId: number;
  currency: string;
  price: number;
  salePrice?: number;
  retailPrice?: number;
  mapPrice?: number;
  bulkPricingTiers?: SeedBulkTier[];
}

export interface SeedPriceList {
  id: number;
  name: string;
  active: boolean;
  records: SeedPriceRecord[];
}

export interface SeedPriceListAssignment {
  id: number;
  priceListId: number;
  customerGroupId: number | null;
  channelId: number | null;
}

export interface SeedCustomer {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  company: string;
  phone: string;
  customerGroupId: number;
  passwordHash: string;
}

export interface SeedCurrency {
  code: string;
  rate: number;
  symbol: string;
  default: boolean;
}

export interface Seed {
  storeName: string;
  currencies: SeedCurrency[];
  categories: SeedCategory[];
  customerGroups: SeedCustomerGroup[];
  priceLists: SeedPriceList[];
  priceListAssignments: SeedPriceListAssignment[];
  customers: SeedCustomer[];
  products: SeedProduct[];
}

// JSON imports widen string unions to string; the cast is checked by the seed test (values are enumerated there).
export const SEED: Seed = seedJson as unknown as Seed;

/** The demo accounts printed in the banner (ids are the stable seed ids). */
export const DEMO_ACCOUNTS: readonly { customerId: number; email: string; password: string; group: string }[] = [
  { customerId: 1, email: 'retail@example.com', password: 'Retail1!', group: 'Retail (group 1)' },
  { customerId: 2, email: 'wholesale@example.com', password: 'Wholesale1!', group: 'Wholesale (group 2, price list 1 on channel 1)' },
  { customerId: 3, email: 'vip@example.com', password: 'Vip1!', group: 'VIP (group 3, 10% group discount; its price list 3 applies once assigned)' },
];
