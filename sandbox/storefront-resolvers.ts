// Resolvers of the sandbox Storefront GraphQL subset (schema/sandbox.graphql).
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { IResolvers } from '@graphql-tools/utils';
import { isVisible, type Catalog } from './catalog';
import { CustomerLoginRejected, type VerifiedCustomerLogin } from './customer-login';
import { priceProduct, priceVariant, round2, unitPriceForQuantity, UnknownCurrencyError, type ProductPrice } from './pricing';
import type { SeedBulkTier, SeedCustomer, SeedProduct, SeedVariant } from './seed';
import type { CartRecord } from './state';
import type { StorefrontContext } from './storefront-context';
import type { TokenScope } from './storefront-tokens';
import { verifyPassword } from './passwords';

/** `extensions.code` of a failed `login` (wrong email or password). The message is "Invalid credentials". */
export const INVALID_CREDENTIALS_CODE = 'INVALID_CREDENTIALS';

/**
 * A refused `loginWithCustomerLoginJwt` token (bad signature, stale iat, reused jti, wrong claims...). BigCommerce
 * does not document this error, so message and `extensions.code` are the sandbox's; the reason is never
 * disclosed (as GET /login/token/{jwt} shows only a generic message), so a forger learns nothing about which
 * check failed.
 */
export const INVALID_JWT_MESSAGE = 'Invalid JWT';
export const INVALID_JWT_CODE = 'INVALID_JWT';

/**
 * Page-size caps of `first`/`last`, by connection field. BigCommerce's platform limit is "50 products per query"
 * (developer.bigcommerce.com/docs/storefront/graphql, "Platform limitations"): the sandbox applies it to the
 * top-level catalog connections (products, categories, brands) and to any connection it does not list below.
 * Connections nested in one product are not products: real storefronts ask for more (Catalyst's product page
 * selects `variants(first: 250)`), so those take up to 250. The subset schema serves only `variants` of these
 * today; the others are listed so a field added later gets the same cap as on a product page.
 */
export const MAX_PAGE_SIZE = 50;
export const MAX_NESTED_PAGE_SIZE = 250;
const NESTED_PRODUCT_CONNECTIONS: ReadonlySet<string> = new Set([
  'variants',
  'options',
  'productOptions',
  'values',
  'images',
  'customFields',
  'videos',
  'reviews',
  'relatedProducts',
]);

/** The largest `first`/`last` a connection field accepts. */
export function pageSizeLimit(fieldName: string): number {
  return NESTED_PRODUCT_CONNECTIONS.has(fieldName) ? MAX_NESTED_PAGE_SIZE : MAX_PAGE_SIZE;
}

/** Page size when `first`/`last` are omitted (developer.bigcommerce.com/docs/storefront/graphql, "Pagination"). */
export const DEFAULT_PAGE_SIZE = 10;

interface ProductParent {
  product: SeedProduct;
  /** Variant chosen by `site.product(variantEntityId)`; prices are that variant's. */
  variantId?: number;
}
interface VariantParent {
  product: SeedProduct;
  variant: SeedVariant;
}
interface MoneyValue {
  currencyCode: string;
  value: number;
}
interface PricesParent {
  p: ProductPrice;
}
interface BulkTierParent {
  tier: SeedBulkTier;
}
interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}
interface PricesArgs {
  includeTax?: boolean | null;
  currencyCode?: string | null;
}
interface CartLineItemInput {
  quantity: number;
  productEntityId?: number | null;
  variantEntityId?: number | null;
  sku?: string | null;
}

export function globalId(type: string, id: number | string): string {
  return Buffer.from(`${type}:${id}`).toString('base64');
}

function decodeGlobalId(id: string): { type: string; id: string } | null {
  const decoded = Buffer.from(id, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i > 0 ? { type: decoded.slice(0, i), id: decoded.slice(i + 1) } : null;
}

function cursorFor(index: number): string {
  return Buffer.from(`arrayconnection:${index}`).toString('base64');
}

function indexFromCursor(cursor: string): number {
  const m = /^arrayconnection:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!m) throw new GraphQLError(`Invalid cursor: ${cursor}`, { extensions: { code: 'BAD_USER_INPUT' } });
  return Number(m[1]);
}

/** Relay pagination over an in-memory list (first/after, last/before), capped at the field's pageSizeLimit. */
function connection<T>(fieldName: string, items: T[], args: ConnectionArgs) {
  const max = pageSizeLimit(fieldName);
  for (const name of ['first', 'last'] as const) {
    const v = args[name];
    if (v !== undefined && v !== null && (v < 0 || v > max)) {
      throw new GraphQLError(`Argument "${name}" must be between 0 and ${max}.`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
  }
  let start = args.after ? indexFromCursor(args.after) + 1 : 0;
  let end = args.before ? indexFromCursor(args.before) : items.length;
  start = Math.max(0, Math.min(start, items.length));
  end = Math.max(start, Math.min(end, items.length));
  if (args.first !== undefined && args.first !== null) end = Math.min(end, start + args.first);
  else if (args.last !== undefined && args.last !== null) start = Math.max(start, end - args.last);
  else end = Math.min(end, start + DEFAULT_PAGE_SIZE);
  const edges = items.slice(start, end).map((node, k) => ({ node, cursor: cursorFor(start + k) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges.length > 0 ? edges[0].cursor : null,
      endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null,
    },
    collectionInfo: { totalItems: items.length },
  };
}

/** Private tokens need the scope of every field they select (developer.bigcommerce.com/docs/start/authentication/graphql-storefront). */
function requireScope(ctx: StorefrontContext, scope: TokenScope, path: string): void {
  if (ctx.scopes === null || ctx.scopes.includes(scope)) return;
  throw new GraphQLError('The provided token does not include the scopes required to resolve this field.', {
    extensions: { code: 'INSUFFICIENT_ACCESS_SCOPE', requiredScopes: [scope] },
    path: [path],
  });
}

function groupIdOf(ctx: StorefrontContext, customerId: number | null): number | null {
  if (customerId === null) return null;
  return ctx.catalog.customers.get(customerId)?.customerGroupId ?? null;
}

function pricesFor(ctx: StorefrontContext, product: SeedProduct, variantId: number | undefined, args: PricesArgs, customerId: number | null): PricesParent | null {
  try {
    const p = priceProduct(ctx.catalog, product, variantId, {
      groupId: groupIdOf(ctx, customerId),
      channelId: ctx.channelId,
      currencyCode: args.currencyCode ?? 'USD',
    });
    return p ? { p } : null;
  } catch (err) {
    if (err instanceof UnknownCurrencyError) throw new GraphQLError(err.message, { extensions: { code: 'BAD_USER_INPUT' } });
    throw err;
  }
}

function money(currencyCode: string, value: number): MoneyValue {
  return { currencyCode, value };
}

// A product hidden through the admin REST (`is_visible: false`) is not found on the storefront.
const visibleProduct = (p: SeedProduct | undefined): SeedProduct | undefined => (p && isVisible(p) ? p : undefined);
function visibleVariant<T extends { product: SeedProduct }>(found: T | undefined): T | undefined {
  return found && isVisible(found.product) ? found : undefined;
}

function resolveLine(catalog: Catalog, input: CartLineItemInput): { product: SeedProduct; variant: SeedVariant } {
  if (!Number.isInteger(input.quantity) || input.quantity < 1) {
    throw new GraphQLError('Quantity must be a positive integer.', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  if (input.variantEntityId !== undefined && input.variantEntityId !== null) {
    const found = visibleVariant(catalog.variantById.get(input.variantEntityId));
    if (!found || (input.productEntityId !== undefined && input.productEntityId !== null && found.product.entityId !== input.productEntityId)) {
      throw new GraphQLError(`Variant ${input.variantEntityId} not found.`, { extensions: { code: 'NOT_FOUND' } });
    }
    return found;
  }
  if (input.productEntityId !== undefined && input.productEntityId !== null) {
    const product = visibleProduct(catalog.productById.get(input.productEntityId));
    if (!product) throw new GraphQLError(`Product ${input.productEntityId} not found.`, { extensions: { code: 'NOT_FOUND' } });
    return { product, variant: product.variants[0] };
  }
  if (input.sku) {
    const found = visibleVariant(catalog.variantBySku.get(input.sku.toLowerCase()));
    if (!found) throw new GraphQLError(`SKU ${input.sku} not found.`, { extensions: { code: 'NOT_FOUND' } });
    return found;
  }
  throw new GraphQLError('A line item needs productEntityId, variantEntityId or sku.', { extensions: { code: 'BAD_USER_INPUT' } });
}

function addLines(ctx: StorefrontContext, cart: CartRecord, inputs: CartLineItemInput[]): void {
  // Validate everything first so a bad line leaves the cart untouched.
  const resolved = inputs.map((input) => ({ input, ...resolveLine(ctx.catalog, input) }));
  for (const { input, product, variant } of resolved) {
    const existing = cart.lines.find((l) => l.variantId === variant.entityId);
    if (existing) existing.quantity += input.quantity;
    else cart.lines.push({ entityId: randomUUID(), productId: product.entityId, variantId: variant.entityId, quantity: input.quantity });
  }
  cart.updatedAt = ctx.now();
  cart.version += 1;
}

/** A cart assigned to a customer is visible only to that customer (guest carts to anyone with the id). */
function accessibleCart(ctx: StorefrontContext, entityId: string | null | undefined): CartRecord | null {
  if (!entityId) return null;
  const cart = ctx.state.carts.get(entityId);
  if (!cart) return null;
  if (cart.customerId !== null && cart.customerId !== ctx.customerId) return null;
  return cart;
}

interface CartLineView {
  entityId: string;
  productEntityId: number;
  variantEntityId: number;
  sku: string;
  name: string;
  path: string;
  quantity: number;
  listPrice: MoneyValue;
  salePrice: MoneyValue;
  extendedListPrice: MoneyValue;
  extendedSalePrice: MoneyValue;
}

function cartLines(ctx: StorefrontContext, cart: CartRecord): CartLineView[] {
  const groupId = groupIdOf(ctx, cart.customerId);
  return cart.lines.flatMap((line) => {
    const found = ctx.catalog.variantById.get(line.variantId);
    if (!found) return [];
    const price = priceVariant(ctx.catalog, found.product, found.variant, { groupId, channelId: ctx.channelId, currencyCode: cart.currencyCode });
    const unit = unitPriceForQuantity(price, line.quantity);
    return [
      {
        entityId: line.entityId,
        productEntityId: line.productId,
        variantEntityId: line.variantId,
        sku: found.variant.sku,
        name: found.product.name,
        path: found.product.path,
        quantity: line.quantity,
        listPrice: money(cart.currencyCode, price.calculatedPrice),
        salePrice: money(cart.currencyCode, unit),
        extendedListPrice: money(cart.currencyCode, round2(price.calculatedPrice * line.quantity)),
        extendedSalePrice: money(cart.currencyCode, round2(unit * line.quantity)),
      },
    ];
  });
}

/** Login assigns the shopper's guest cart (or a cart already theirs) to them; anyone else's cart is left alone. */
function assignGuestCart(ctx: StorefrontContext, guestCartEntityId: string | null | undefined, customerId: number): CartRecord | null {
  if (!guestCartEntityId) return null;
  const guestCart = ctx.state.carts.get(guestCartEntityId);
  if (!guestCart || (guestCart.customerId !== null && guestCart.customerId !== customerId)) return null;
  guestCart.customerId = customerId;
  return guestCart;
}

/** A CAT is returned in the body only server-to-server (developer.bigcommerce.com/docs/start/authentication/graphql-storefront); browsers would get an httpOnly cookie. */
function serverToServerAccessToken(r: { customerAccessToken: unknown }, _a: unknown, ctx: StorefrontContext): unknown {
  if (ctx.fromBrowser) {
    throw new GraphQLError(
      "Customer access token was requested in the body, but it's only returned for server-to-server requests. For browser requests it's set as an httpOnly cookie instead.",
    );
  }
  return r.customerAccessToken;
}

function formatMoney(ctx: StorefrontContext, m: MoneyValue): string {
  const symbol = ctx.catalog.currencies.get(m.currencyCode)?.symbol ?? `${m.currencyCode} `;
  return `${symbol}${m.value.toFixed(2)}`;
}

export function createStorefrontResolvers(): IResolvers {
  return {
    Query: {
      site: () => ({}),
      customer: (_p: unknown, _a: unknown, ctx: StorefrontContext): SeedCustomer | null => {
        requireScope(ctx, 'Customer', 'customer');
        return ctx.customerId === null ? null : ctx.catalog.customers.get(ctx.customerId) ?? null;
      },
      node: (_p: unknown, args: { id: string }, ctx: StorefrontContext) => {
        const decoded = decodeGlobalId(args.id);
        if (!decoded) return null;
        if (decoded.type === 'Product') {
          const product = visibleProduct(ctx.catalog.productById.get(Number(decoded.id)));
          return product ? { __typename: 'Product', product } : null;
        }
        if (decoded.type === 'Variant') {
          const found = visibleVariant(ctx.catalog.variantById.get(Number(decoded.id)));
          return found ? { __typename: 'Variant', ...found } : null;
        }
        if (decoded.type === 'Cart') {
          const cart = accessibleCart(ctx, decoded.id);
          return cart ? { __typename: 'Cart', ...cart } : null;
        }
        return null;
      },
    },
    Node: {
      __resolveType: (obj: { __typename?: string }) => obj.__typename ?? null,
    },
    Site: {
      categoryTree: (_p: unknown, args: { rootEntityId?: number | null }, ctx: StorefrontContext) => {
        const build = (parentId: number | null): unknown[] =>
          ctx.catalog.categories
            .filter((c) => c.parentId === parentId)
            .map((c) => {
              const children = build(c.id);
              const descendants = new Set([c.id, ...ctx.catalog.categories.filter((d) => d.parentId === c.id).map((d) => d.id)]);
              return {
                entityId: c.id,
                name: c.name,
                path: c.path,
                description: c.description,
                productCount: ctx.catalog.products.filter((p) => isVisible(p) && p.categoryIds.some((id) => descendants.has(id))).length,
                hasChildren: children.length > 0,
                children,
              };
            });
        return build(args.rootEntityId ?? null);
      },
      products: (_p: unknown, args: ConnectionArgs & { ids?: string[] | null; entityIds?: number[] | null }, ctx: StorefrontContext) => {
        requireScope(ctx, 'Unauthenticated', 'site');
        let products = ctx.catalog.products.filter(isVisible);
        if (args.entityIds && args.entityIds.length > 0) {
          const wanted = new Set(args.entityIds);
          products = products.filter((p) => wanted.has(p.entityId));
        }
        if (args.ids && args.ids.length > 0) {
          const wanted = new Set(args.ids);
          products = products.filter((p) => wanted.has(globalId('Product', p.entityId)));
        }
        const conn = connection('products', products, args);
        return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: { product: e.node } satisfies ProductParent })) };
      },
      product: (
        _p: unknown,
        args: { id?: string | null; entityId?: number | null; variantEntityId?: number | null; sku?: string | null },
        ctx: StorefrontContext,
      ): ProductParent | null => {
        requireScope(ctx, 'Unauthenticated', 'site');
        if (args.entityId !== undefined && args.entityId !== null) {
          const product = visibleProduct(ctx.catalog.productById.get(args.entityId));
          if (!product) return null;
          const variantId = args.variantEntityId ?? undefined;
          if (variantId !== undefined && !product.variants.some((v) => v.entityId === variantId)) return null;
          return { product, variantId };
        }
        if (args.id) {
          const decoded = decodeGlobalId(args.id);
          const product = decoded?.type === 'Product' ? visibleProduct(ctx.catalog.productById.get(Number(decoded.id))) : undefined;
          return product ? { product } : null;
        }
        if (args.variantEntityId !== undefined && args.variantEntityId !== null) {
          const found = visibleVariant(ctx.catalog.variantById.get(args.variantEntityId));
          return found ? { product: found.product, variantId: found.variant.entityId } : null;
        }
        if (args.sku) {
          const found = visibleVariant(ctx.catalog.variantBySku.get(args.sku.toLowerCase()));
          return found ? { product: found.product, variantId: found.variant.entityId } : null;
        }
        return null;
      },
      settings: (_p: unknown, _a: unknown, ctx: StorefrontContext) => ({
        storeName: ctx.catalog.storeName,
        storeHash: ctx.storeHash,
        channelId: ctx.channelId,
        status: 'LAUNCHED',
      }),
      cart: (_p: unknown, args: { entityId?: string | null }, ctx: StorefrontContext) => accessibleCart(ctx, args.entityId),
    },
    Product: {
      id: (p: ProductParent) => globalId('Product', p.product.entityId),
      entityId: (p: ProductParent) => p.product.entityId,
      sku: (p: ProductParent) => p.product.sku,
      path: (p: ProductParent) => p.product.path,
      name: (p: ProductParent) => p.product.name,
      description: (p: ProductParent) => p.product.description,
      plainTextDescription: (p: ProductParent, args: { characterLimit?: number | null }) => {
        const text = p.product.description.replace(/<[^>]*>/g, '').trim();
        const limit = args.characterLimit ?? 120;
        return text.length > limit ? `${text.slice(0, limit)}...` : text;
      },
      addToCartUrl: (p: ProductParent) => `/cart.php?action=add&product_id=${p.product.entityId}`,
      prices: (p: ProductParent, args: PricesArgs, ctx: StorefrontContext) => pricesFor(ctx, p.product, p.variantId, args, ctx.customerId),
      variants: (p: ProductParent, args: ConnectionArgs & { entityIds?: number[] | null; skus?: string[] | null }) => {
        let variants = p.product.variants;
        if (args.entityIds && args.entityIds.length > 0) {
          const wanted = new Set(args.entityIds);
          variants = variants.filter((v) => wanted.has(v.entityId));
        }
        if (args.skus && args.skus.length > 0) {
          const wanted = new Set(args.skus);
          variants = variants.filter((v) => wanted.has(v.sku));
        }
        const conn = connection('variants', variants, args);
        return { pageInfo: conn.pageInfo, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: { product: p.product, variant: e.node } satisfies VariantParent })) };
      },
    },
    Variant: {
      id: (v: VariantParent) => globalId('Variant', v.variant.entityId),
      entityId: (v: VariantParent) => v.variant.entityId,
      sku: (v: VariantParent) => v.variant.sku,
      isPurchasable: () => true,
      prices: (v: VariantParent, args: PricesArgs, ctx: StorefrontContext): PricesParent | null => {
        const prices = pricesFor(ctx, v.product, v.variant.entityId, args, ctx.customerId);
        // A variant's ranges are its own price (BigCommerce reports ranges per product).
        return prices
          ? {
              p: {
                ...prices.p,
                priceRange: { min: prices.p.calculatedPrice, max: prices.p.calculatedPrice },
                retailPriceRange: prices.p.retailPrice === null ? null : { min: prices.p.retailPrice, max: prices.p.retailPrice },
              },
            }
          : null;
      },
    },
    Prices: {
      price: ({ p }: PricesParent) => money(p.currencyCode, p.calculatedPrice),
      salePrice: ({ p }: PricesParent) => (p.salePrice === null ? null : money(p.currencyCode, p.salePrice)),
      basePrice: ({ p }: PricesParent) => money(p.currencyCode, p.basePrice),
      retailPrice: ({ p }: PricesParent) => (p.retailPrice === null ? null : money(p.currencyCode, p.retailPrice)),
      mapPrice: ({ p }: PricesParent) => (p.mapPrice === null ? null : money(p.currencyCode, p.mapPrice)),
      saved: ({ p }: PricesParent) => (p.saved === null || p.saved <= 0 ? null : money(p.currencyCode, round2(p.saved))),
      priceRange: ({ p }: PricesParent) => ({ min: money(p.currencyCode, p.priceRange.min), max: money(p.currencyCode, p.priceRange.max) }),
      retailPriceRange: ({ p }: PricesParent) =>
        p.retailPriceRange === null ? null : { min: money(p.currencyCode, p.retailPriceRange.min), max: money(p.currencyCode, p.retailPriceRange.max) },
      bulkPricing: ({ p }: PricesParent): BulkTierParent[] => p.bulkPricing.map((tier) => ({ tier })),
    },
    Money: {
      formattedV2: (m: MoneyValue, _a: unknown, ctx: StorefrontContext) => formatMoney(ctx, m),
    },
    BulkPricingTier: {
      __resolveType: ({ tier }: BulkTierParent) =>
        tier.type === 'fixed' ? 'BulkPricingFixedPriceDiscount' : tier.type === 'percent' ? 'BulkPricingPercentageDiscount' : 'BulkPricingRelativePriceDiscount',
    },
    BulkPricingFixedPriceDiscount: {
      price: ({ tier }: BulkTierParent) => tier.amount,
      minimumQuantity: ({ tier }: BulkTierParent) => tier.quantityMin,
      maximumQuantity: ({ tier }: BulkTierParent) => (tier.quantityMax === 0 ? null : tier.quantityMax),
    },
    BulkPricingPercentageDiscount: {
      percentOff: ({ tier }: BulkTierParent) => tier.amount,
      minimumQuantity: ({ tier }: BulkTierParent) => tier.quantityMin,
      maximumQuantity: ({ tier }: BulkTierParent) => (tier.quantityMax === 0 ? null : tier.quantityMax),
    },
    BulkPricingRelativePriceDiscount: {
      priceAdjustment: ({ tier }: BulkTierParent) => tier.amount,
      minimumQuantity: ({ tier }: BulkTierParent) => tier.quantityMin,
      maximumQuantity: ({ tier }: BulkTierParent) => (tier.quantityMax === 0 ? null : tier.quantityMax),
    },
    Customer: {
      entityId: (c: SeedCustomer) => c.id,
      customerGroupId: (c: SeedCustomer) => c.customerGroupId,
      customerGroupName: (c: SeedCustomer, _a: unknown, ctx: StorefrontContext) => ctx.catalog.groups.get(c.customerGroupId)?.name ?? null,
    },
    CustomerAccessToken: {
      expiresAt: (t: { expiresAtMs: number }) => new Date(t.expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    LoginResult: {
      customerAccessToken: serverToServerAccessToken,
    },
    LoginWithCustomerLoginJwtResult: {
      customerAccessToken: serverToServerAccessToken,
    },
    CartUnassignError: {
      __resolveType: () => 'CartUnassignNotAllowedError',
    },
    Cart: {
      id: (c: CartRecord) => globalId('Cart', c.entityId),
      isTaxIncluded: () => false,
      baseAmount: (c: CartRecord, _a: unknown, ctx: StorefrontContext) =>
        money(c.currencyCode, round2(cartLines(ctx, c).reduce((sum, l) => sum + l.extendedListPrice.value, 0))),
      amount: (c: CartRecord, _a: unknown, ctx: StorefrontContext) =>
        money(c.currencyCode, round2(cartLines(ctx, c).reduce((sum, l) => sum + l.extendedSalePrice.value, 0))),
      lineItems: (c: CartRecord, _a: unknown, ctx: StorefrontContext) => {
        const physicalItems = cartLines(ctx, c);
        return { physicalItems, totalQuantity: physicalItems.reduce((sum, l) => sum + l.quantity, 0) };
      },
      createdAt: (c: CartRecord) => ({ utc: new Date(c.createdAt).toISOString() }),
      updatedAt: (c: CartRecord) => ({ utc: new Date(c.updatedAt).toISOString() }),
    },
    Mutation: {
      cart: () => ({}),
      login: async (
        _p: unknown,
        args: { email: string; password: string; guestCartEntityId?: string | null },
        ctx: StorefrontContext,
      ) => {
        requireScope(ctx, 'Customer', 'login');
        const customer = ctx.catalog.customerByEmail.get(args.email.trim().toLowerCase());
        const ok = await verifyPassword(args.password, customer?.passwordHash);
        if (!customer || !ok) {
          throw new GraphQLError('Invalid credentials', { extensions: { code: INVALID_CREDENTIALS_CODE } });
        }
        const cat = ctx.state.issueCustomerAccessToken(customer.id);
        const cart = assignGuestCart(ctx, args.guestCartEntityId, customer.id);
        return { result: 'success', customer, cart, customerAccessToken: cat };
      },
      loginWithCustomerLoginJwt: async (_p: unknown, args: { jwt: string; guestCartEntityId?: string | null }, ctx: StorefrontContext) => {
        // Gated like `login`: a Customer-scope field (developer.bigcommerce.com/docs/start/authentication/graphql-storefront); browser use of private/impersonation tokens is
        // already refused with 403 before execution.
        requireScope(ctx, 'Customer', 'loginWithCustomerLoginJwt');
        let verified: VerifiedCustomerLogin;
        try {
          verified = await ctx.verifyCustomerLoginJwt(args.jwt);
        } catch (err) {
          if (err instanceof CustomerLoginRejected) throw new GraphQLError(INVALID_JWT_MESSAGE, { extensions: { code: INVALID_JWT_CODE } });
          throw err;
        }
        const customer = ctx.catalog.customers.get(verified.customerId);
        // The verifier checked customer_id against the catalog; this only satisfies the type checker.
        if (!customer) throw new GraphQLError(INVALID_JWT_MESSAGE, { extensions: { code: INVALID_JWT_CODE } });
        // Same token as `login`: format, lifetime, and the one-device rule (the customer's previous CATs are revoked).
        const cat = ctx.state.issueCustomerAccessToken(customer.id);
        const cart = assignGuestCart(ctx, args.guestCartEntityId, customer.id);
        return { redirectTo: verified.redirectTo, customer, cart, customerAccessToken: cat };
      },
      logout: (_p: unknown, args: { cartEntityId?: string | null }, ctx: StorefrontContext) => {
        requireScope(ctx, 'Customer', 'logout');
        if (ctx.customerAccessToken) ctx.state.revokeCustomerAccessToken(ctx.customerAccessToken);
        // After logout the cart reverts to a guest cart (developer.bigcommerce.com/docs/start/authentication/graphql-storefront).
        const cart = accessibleCart(ctx, args.cartEntityId);
        if (cart) cart.customerId = null;
        return { result: 'success', cartUnassignResult: { cart, errors: [] } };
      },
    },
    CartMutations: {
      createCart: (_p: unknown, args: { input: { lineItems?: CartLineItemInput[] | null; currencyCode?: string | null; locale?: string | null } }, ctx: StorefrontContext) => {
        requireScope(ctx, 'Unauthenticated', 'cart');
        const currencyCode = (args.input.currencyCode ?? 'USD').toUpperCase();
        if (!ctx.catalog.currencies.has(currencyCode)) {
          throw new GraphQLError(`Currency ${currencyCode} is not enabled on this store`, { extensions: { code: 'BAD_USER_INPUT' } });
        }
        const lines = args.input.lineItems ?? [];
        lines.forEach((l) => resolveLine(ctx.catalog, l));
        const cart = ctx.state.createCart(ctx.customerId, currencyCode, args.input.locale ?? 'en');
        addLines(ctx, cart, lines);
        cart.version = 1;
        return { cart };
      },
      addCartLineItems: (
        _p: unknown,
        args: { input: { cartEntityId: string; data: { lineItems?: CartLineItemInput[] | null }; version?: number | null } },
        ctx: StorefrontContext,
      ) => {
        requireScope(ctx, 'Unauthenticated', 'cart');
        const cart = accessibleCart(ctx, args.input.cartEntityId);
        if (!cart) throw new GraphQLError(`Cart ${args.input.cartEntityId} not found.`, { extensions: { code: 'NOT_FOUND' } });
        addLines(ctx, cart, args.input.data.lineItems ?? []);
        return { cart };
      },
    },
  };
}
