// REST API under /stores/{hash}/v2|v3/...: X-Auth-Token auth, a rate-limit counter on every authenticated request,
// storefront token creation, pricing, validate-credentials, cart redirect URLs and the system time; then the admin
// routes of their own modules (catalog products, price list records and assignments, webhooks, customers, channels and currencies), behind the same
// authentication and rate limit.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalog } from './catalog';
import { createCatalogProductRoutes } from './catalog-products-rest';
import { createChannelRoutes, sandboxChannels } from './channels-rest';
import { createCustomerRoutes } from './customers-rest';
import { headerValue, restError, safeDecode, sendEmpty, sendJson } from './http-util';
import { verifyPassword } from './passwords';
import { createPriceListAssignmentRoutes } from './price-list-assignments-rest';
import { createPriceListRecordRoutes } from './price-list-records-rest';
import { priceProduct, UnknownCurrencyError, type ProductPrice } from './pricing';
import type { RateLimiter } from './rate-limit';
import { invalid, isInt, jsonBody, RestError, type Json, type RestRoutes } from './rest-util';
import type { SandboxState } from './state';
import type { StorefrontTokenService, TokenKind, TokenScope } from './storefront-tokens';
import type { PublishEvent } from './webhook-events';
import type { WebhookRegistry } from './webhook-registry';
import { createWebhooksRoutes } from './webhooks-rest';

export interface RestDeps {
  catalog: Catalog;
  state: SandboxState;
  tokens: StorefrontTokenService;
  rateLimiter: RateLimiter;
  storeHash: string;
  accessToken: string;
  channelId: number;
  /** Every channel of the store: the configured one first. */
  channelIds: number[];
  now: () => number;
  /** The sandbox's own origin, for cart redirect URLs. */
  baseUrl: () => string;
  webhooks: WebhookRegistry;
  /** Fires a webhook event (admin changes to the catalog and price lists). */
  publish: PublishEvent;
}

function tokenMatches(sent: string | undefined, expected: string): boolean {
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Exactly one of channel_id / channel_ids, each an existing channel (developer.bigcommerce.com/docs/rest-authentication/tokens). */
function channelIdsOf(body: Json, channels: number[]): number[] {
  const hasOne = body.channel_id !== undefined;
  const hasMany = body.channel_ids !== undefined;
  if (hasOne === hasMany) throw invalid({ channel_id: 'Send exactly one of channel_id or channel_ids.' });
  const ids = hasOne ? [body.channel_id] : body.channel_ids;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => isInt(id) && id >= 1)) {
    throw invalid({ channel_id: 'Channel ids must be integers >= 1.' });
  }
  if (!ids.every((id) => channels.includes(id))) throw invalid({ channel_id: `Channel not found; this store has channels ${channels.join(', ')}.` });
  return ids as number[];
}

async function createToken(kind: TokenKind, body: Json, deps: RestDeps): Promise<Json> {
  const channelIds = channelIdsOf(body, deps.channelIds);
  if (!isInt(body.expires_at) || body.expires_at < 0) throw invalid({ expires_at: 'expires_at is required: unix seconds, an integer >= 0.' });
  let corsOrigins: string[] = [];
  if (kind === 'storefront' && body.allowed_cors_origins !== undefined) {
    const origins = body.allowed_cors_origins;
    if (!Array.isArray(origins) || origins.length > 2 || !origins.every((o) => typeof o === 'string')) {
      throw invalid({ allowed_cors_origins: 'At most 2 origins, as strings.' });
    }
    corsOrigins = origins as string[];
  }
  let scopes: TokenScope[] | undefined;
  if (kind === 'private') {
    const allowed: TokenScope[] = ['Unauthenticated', 'Customer', 'B2B'];
    const s = body.scopes;
    if (!Array.isArray(s) || s.length === 0 || !s.every((x) => allowed.includes(x as TokenScope))) {
      throw invalid({ scopes: 'scopes is required: one or more of Unauthenticated, Customer, B2B.' });
    }
    scopes = s as TokenScope[];
  }
  const token = await deps.tokens.issue(kind, { channelIds, expiresAt: body.expires_at, corsOrigins, scopes });
  return { data: { token }, meta: {} };
}

function amount(value: number): Json {
  // The sandbox charges no tax: tax-inclusive and -exclusive amounts are the entered amount.
  return { as_entered: value, entered_inclusive: false, tax_exclusive: value, tax_inclusive: value };
}

function bulkDiscountPerItem(p: ProductPrice, type: string, value: number): number {
  if (type === 'percent') return Math.round(p.calculatedPrice * value) / 100;
  if (type === 'fixed') return Math.max(0, Math.round((p.calculatedPrice - value) * 100) / 100);
  return value;
}

/** One PriceItem of Get Prices (Batch) (developer.bigcommerce.com/docs/rest-management/pricing). sale_price, retail_price and minimum_advertised_price are left out when unset. */
function priceItem(p: ProductPrice, options: unknown[], request: Json): Json {
  return {
    product_id: p.productId,
    variant_id: p.variantId,
    options,
    reference_request: request,
    price: amount(p.price),
    ...(p.salePrice !== null ? { sale_price: amount(p.salePrice) } : {}),
    ...(p.retailPrice !== null ? { retail_price: amount(p.retailPrice) } : {}),
    ...(p.mapPrice !== null ? { minimum_advertised_price: amount(p.mapPrice) } : {}),
    calculated_price: amount(p.calculatedPrice),
    saved: amount(p.saved ?? 0),
    price_range: { minimum: amount(p.priceRange.min), maximum: amount(p.priceRange.max) },
    ...(p.retailPriceRange !== null
      ? { retail_price_range: { minimum: amount(p.retailPriceRange.min), maximum: amount(p.retailPriceRange.max) } }
      : {}),
    bulk_pricing: p.bulkPricing.map((t) => ({
      minimum: t.quantityMin,
      maximum: t.quantityMax,
      discount_amount: t.amount,
      discount_type: t.type,
      tax_discount_amount: [amount(bulkDiscountPerItem(p, t.type, t.amount))],
    })),
  };
}

function pricing(body: Json, deps: RestDeps): Json {
  const errors: Record<string, string> = {};
  if (!isInt(body.channel_id)) errors.channel_id = 'channel_id is required (integer).';
  else if (!sandboxChannels(deps.channelId).some((c) => c.id === body.channel_id)) errors.channel_id = `Channel ${body.channel_id} not found.`;
  if (typeof body.currency_code !== 'string') errors.currency_code = 'currency_code is required (string).';
  else if (!deps.catalog.currencies.has(body.currency_code.toUpperCase())) errors.currency_code = `Currency ${body.currency_code} is not enabled on this store.`;
  if (!Array.isArray(body.items)) errors.items = 'items is required (array).';
  else if (!body.items.every((i) => typeof i === 'object' && i !== null && isInt((i as Json).product_id))) {
    errors.items = 'Each item needs an integer product_id.';
  }
  let groupId: number | null = null;
  if (body.customer_id !== undefined && body.customer_id !== null) {
    const customer = isInt(body.customer_id) ? deps.catalog.customers.get(body.customer_id) : undefined;
    if (!customer) errors.customer_id = 'Customer not found.';
    else groupId = customer.customerGroupId;
  } else if (body.customer_group_id !== undefined && body.customer_group_id !== null) {
    if (!isInt(body.customer_group_id) || (body.customer_group_id !== 0 && !deps.catalog.groups.has(body.customer_group_id))) {
      errors.customer_group_id = 'Customer group not found.';
    } else {
      // Group 0 means "no group", i.e. guest pricing.
      groupId = body.customer_group_id === 0 ? null : body.customer_group_id;
    }
  }
  if (body.country_code !== undefined && (typeof body.country_code !== 'string' || !/^[A-Za-z]{2}$/.test(body.country_code))) {
    errors.country_code = 'country_code must be an ISO 3166-1 alpha-2 code.';
  }
  if (Object.keys(errors).length > 0) throw invalid(errors);

  const data: Json[] = [];
  for (const raw of body.items as Json[]) {
    const product = deps.catalog.productById.get(raw.product_id as number);
    // Unknown products (and variants of another product) are left out of `data`.
    if (!product) continue;
    const variantId = isInt(raw.variant_id) ? raw.variant_id : undefined;
    try {
      const p = priceProduct(deps.catalog, product, variantId, {
        groupId,
        channelId: body.channel_id as number,
        currencyCode: body.currency_code as string,
      });
      if (!p) continue;
      const options = Array.isArray(raw.options) ? raw.options : [];
      const reference: Json = { product_id: raw.product_id, ...(variantId !== undefined ? { variant_id: variantId } : {}), options };
      data.push(priceItem(p, options, reference));
    } catch (err) {
      if (err instanceof UnknownCurrencyError) throw invalid({ currency_code: err.message });
      throw err;
    }
  }
  return { data, meta: {} };
}

async function validateCredentials(body: Json, deps: RestDeps): Promise<Json> {
  const errors: Record<string, string> = {};
  if (typeof body.email !== 'string' || body.email === '') errors.email = 'email is required.';
  if (typeof body.password !== 'string' || body.password === '') errors.password = 'password is required.';
  if (body.channel_id !== undefined && body.channel_id !== null && !isInt(body.channel_id)) errors.channel_id = 'channel_id must be an integer.';
  if (Object.keys(errors).length > 0) throw invalid(errors);
  const customer = deps.catalog.customerByEmail.get((body.email as string).trim().toLowerCase());
  const ok = await verifyPassword(body.password as string, customer?.passwordHash);
  return customer && ok ? { is_valid: true, customer_id: customer.id } : { is_valid: false, customer_id: null };
}

function redirectUrls(cartId: string, deps: RestDeps): Json {
  const cart = deps.state.carts.get(cartId);
  if (!cart) throw new RestError(404, 'Cart not found');
  const base = deps.baseUrl();
  const q = `id=${encodeURIComponent(cart.entityId)}&token=${cart.urlToken}`;
  return {
    data: {
      cart_url: `${base}/cart.php?action=load&${q}`,
      checkout_url: `${base}/cart.php?action=loadInCheckout&${q}`,
      embedded_checkout_url: `${base}/cart.php?embedded=1&action=loadInCheckout&${q}`,
    },
    meta: {},
  };
}

/** Handles every request whose path starts with /stores/. */
export function createRestHandler(deps: RestDeps) {
  const adminRoutes: RestRoutes[] = [
    createCatalogProductRoutes(deps.catalog, deps.publish),
    createPriceListRecordRoutes(deps.catalog, deps.publish),
    createPriceListAssignmentRoutes(deps.catalog, deps.channelId, deps.publish),
    createWebhooksRoutes(deps.webhooks),
    createCustomerRoutes(deps.catalog, deps.channelId, deps.publish, deps.now),
    createChannelRoutes(deps.catalog, deps.channelId),
  ];
  return async function handleRest(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const m = /^\/stores\/([^/]+)\/(v2|v3)(\/.*)?$/.exec(path);
    const method = req.method ?? 'GET';
    // Headers reflect the counter even on 401 (which does not consume quota: only authenticated calls count).
    const authorised = m !== null && m[1] === deps.storeHash && tokenMatches(headerValue(req, 'x-auth-token'), deps.accessToken);
    const limit = deps.rateLimiter.take(authorised);
    const send = (status: number, body: unknown): void => sendJson(res, status, body, limit.headers);
    if (!authorised) {
      // Missing token, wrong token or a token of another store: BigCommerce answers 401 for all three.
      send(401, restError(401, 'No valid credentials were found in this request'));
      return;
    }
    if (!limit.allowed) {
      send(429, restError(429, 'Too many requests'));
      return;
    }
    const route = `${m[2]}${m[3] ?? ''}`;
    try {
      if (route === 'v2/time' && method === 'GET') return send(200, { time: Math.floor(deps.now() / 1000) });
      const tokenRoutes: Record<string, TokenKind> = {
        'v3/storefront/api-token': 'storefront',
        'v3/storefront/api-token-private': 'private',
        'v3/storefront/api-token-customer-impersonation': 'impersonation',
      };
      if (route in tokenRoutes && method === 'POST') return send(200, await createToken(tokenRoutes[route], await jsonBody(req), deps));
      if (route === 'v3/storefront/api-token' && method === 'DELETE') {
        const token = headerValue(req, 'sf-api-token');
        if (!token || !(await deps.tokens.revoke(token))) throw invalid({ 'Sf-Api-Token': 'Invalid JWT token provided or missing JWT token header.' });
        return send(200, { data: {}, meta: {} });
      }
      if (route === 'v3/pricing/products' && method === 'POST') return send(200, pricing(await jsonBody(req), deps));
      if (route === 'v3/customers/validate-credentials' && method === 'POST') return send(200, await validateCredentials(await jsonBody(req), deps));
      const cartMatch = /^v3\/carts\/([^/]+)\/redirect_urls$/.exec(route);
      if (cartMatch && method === 'POST') {
        // BigCommerce takes an empty body here; drain whatever came so the connection stays usable.
        req.resume();
        return send(201, redirectUrls(safeDecode(cartMatch[1]), deps));
      }
      for (const routes of adminRoutes) {
        const reply = await routes({ method, route, query, req });
        if (!reply) continue;
        if (reply.body === undefined) return sendEmpty(res, reply.status, limit.headers);
        return send(reply.status, reply.body);
      }
      const known = ['v2/time', 'v3/pricing/products', 'v3/customers/validate-credentials', ...Object.keys(tokenRoutes)].includes(route) || cartMatch !== null;
      if (known) throw new RestError(405, 'Method Not Allowed');
      throw new RestError(404, 'The requested resource was not found.');
    } catch (err) {
      if (err instanceof RestError) {
        // A refusal may come before the body was read: drain it so the connection stays usable.
        req.resume();
        send(err.status, restError(err.status, err.title, err.errors));
        return;
      }
      throw err;
    }
  };
}
