// REST over HTTP: pricing by customer group (the full Get Prices (Batch) shape of developer.bigcommerce.com/docs/rest-management/pricing, consistent with storefront prices),
// validate-credentials, cart redirect URLs, system time, rate limiting and bad input.
import type { Sandbox } from '../../sandbox';
import { createToken, fakeClock, gql, rest, restUrl, start } from './helpers';

const clock = fakeClock();
let s: Sandbox;
beforeAll(async () => {
  s = await start({ now: clock.now, rateLimitQuota: 1000 });
});
afterAll(() => s.close());

interface Amount {
  as_entered: number;
  entered_inclusive: boolean;
  tax_exclusive: number;
  tax_inclusive: number;
}
interface PriceItem {
  product_id: number;
  variant_id: number;
  options: unknown[];
  reference_request: Record<string, unknown>;
  price: Amount;
  sale_price?: Amount;
  retail_price?: Amount;
  calculated_price: Amount;
  saved: Amount;
  price_range: { minimum: Amount; maximum: Amount };
  retail_price_range: { minimum: Amount; maximum: Amount };
  bulk_pricing: { minimum: number; maximum: number; discount_amount: number; discount_type: string; tax_discount_amount: Amount[] }[];
}

async function prices(body: Record<string, unknown>): Promise<{ status: number; json: { data: PriceItem[]; meta: object } }> {
  const res = await rest(s, 'POST', '/v3/pricing/products', { channel_id: 1, currency_code: 'USD', ...body });
  return { status: res.status, json: (await res.json()) as { data: PriceItem[]; meta: object } };
}

const amountShape = { as_entered: expect.any(Number), entered_inclusive: expect.any(Boolean), tax_exclusive: expect.any(Number), tax_inclusive: expect.any(Number) };

describe('POST /v3/pricing/products', () => {
  it('returns the full price item shape', async () => {
    const { status, json } = await prices({ items: [{ product_id: 100 }, { product_id: 101, options: [{ option_id: 1, value_id: 2 }] }] });
    expect(status).toBe(200);
    expect(json.meta).toEqual({});
    expect(json.data).toHaveLength(2);
    expect(json.data[0]).toMatchObject({
      product_id: 100,
      variant_id: 1000,
      options: [],
      reference_request: { product_id: 100, options: [] },
      price: amountShape,
      retail_price: amountShape,
      calculated_price: amountShape,
      saved: amountShape,
      price_range: { minimum: amountShape, maximum: amountShape },
      retail_price_range: { minimum: amountShape, maximum: amountShape },
      bulk_pricing: [],
    });
    expect(json.data[0].price_range.maximum.as_entered).toBeGreaterThan(json.data[0].price_range.minimum.as_entered);
    expect(json.data[1]).toMatchObject({ options: [{ option_id: 1, value_id: 2 }], sale_price: amountShape, reference_request: { product_id: 101, options: [{ option_id: 1, value_id: 2 }] } });
    expect(json.data[1].saved.as_entered).toBeCloseTo(json.data[1].retail_price!.as_entered - json.data[1].calculated_price.as_entered, 2);
  });

  it('returns bulk pricing tiers with tax_discount_amount', async () => {
    const { json } = await prices({ items: [{ product_id: 102 }] });
    expect(json.data[0].bulk_pricing).toEqual([
      { minimum: 5, maximum: 9, discount_amount: 5, discount_type: 'percent', tax_discount_amount: [amountShape] },
      { minimum: 10, maximum: 0, discount_amount: 10, discount_type: 'percent', tax_discount_amount: [amountShape] },
    ]);
  });

  it('prices by customer group and by customer id, guests at catalog prices, consistent with storefront GraphQL', async () => {
    const guest = (await prices({ items: [{ product_id: 104 }] })).json.data[0];
    const wholesaleGroup = (await prices({ customer_group_id: 2, items: [{ product_id: 104 }] })).json.data[0];
    const wholesaleCustomer = (await prices({ customer_id: 2, items: [{ product_id: 104 }] })).json.data[0];
    const retail = (await prices({ customer_group_id: 1, items: [{ product_id: 104 }] })).json.data[0];
    expect(wholesaleGroup.calculated_price.as_entered).toBeLessThan(guest.calculated_price.as_entered);
    expect(wholesaleCustomer).toEqual(wholesaleGroup);
    expect(retail.calculated_price).toEqual(guest.calculated_price);

    const cit = await createToken(s, 'impersonation', {}, clock.now());
    const q = '{ site { product(entityId: 104) { prices { price { value } } } } }';
    const sfGuest = await gql(s, cit, q);
    const sfWholesale = await gql(s, cit, q, {}, { 'X-Bc-Customer-Id': '2' });
    const value = (r: typeof sfGuest): number => (r.body.data as { site: { product: { prices: { price: { value: number } } } } }).site.product.prices.price.value;
    expect(value(sfGuest)).toBe(guest.calculated_price.as_entered);
    expect(value(sfWholesale)).toBe(wholesaleGroup.calculated_price.as_entered);
  });

  it('falls back to the catalog price for variants without a price-list record', async () => {
    // Product 109 (every 10th product) has no wholesale price record.
    const guest = (await prices({ items: [{ product_id: 109 }] })).json.data[0];
    const wholesale = (await prices({ customer_group_id: 2, items: [{ product_id: 109 }] })).json.data[0];
    expect(wholesale.calculated_price).toEqual(guest.calculated_price);
  });

  it('prices a given variant and supports EUR at a fixed rate', async () => {
    const usd = (await prices({ items: [{ product_id: 100, variant_id: 1002 }] })).json.data[0];
    expect(usd.variant_id).toBe(1002);
    const eur = (await prices({ currency_code: 'EUR', items: [{ product_id: 100, variant_id: 1002 }] })).json.data[0];
    expect(eur.price.as_entered).toBeCloseTo(usd.price.as_entered * 0.92, 2);
  });

  it('leaves unknown products out of data', async () => {
    const { json } = await prices({ items: [{ product_id: 99999 }, { product_id: 100 }] });
    expect(json.data.map((d) => d.product_id)).toEqual([100]);
  });

  it.each([
    ['an unknown currency', { currency_code: 'XXX', items: [{ product_id: 100 }] }, 'currency_code'],
    ['missing items', { items: undefined }, 'items'],
    ['missing channel_id', { channel_id: undefined, items: [{ product_id: 100 }] }, 'channel_id'],
    ['an unknown customer group', { customer_group_id: 77, items: [{ product_id: 100 }] }, 'customer_group_id'],
  ])('422 for %s', async (_n, body, field) => {
    const res = await rest(s, 'POST', '/v3/pricing/products', { channel_id: 1, currency_code: 'USD', ...body });
    expect(res.status).toBe(422);
    const json = (await res.json()) as { status: number; title: string; type: string; errors: Record<string, string> };
    expect(json).toMatchObject({ status: 422, title: expect.any(String), type: expect.any(String) });
    expect(json.errors[field]).toEqual(expect.any(String));
  });
});

describe('validate-credentials, carts, time', () => {
  it('validates customer credentials', async () => {
    const ok = await rest(s, 'POST', '/v3/customers/validate-credentials', { email: 'wholesale@example.com', password: 'Wholesale1!' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ is_valid: true, customer_id: 2 });
    const bad = await rest(s, 'POST', '/v3/customers/validate-credentials', { email: 'wholesale@example.com', password: 'nope', channel_id: 1 });
    expect(await bad.json()).toEqual({ is_valid: false, customer_id: null });
    const missing = await rest(s, 'POST', '/v3/customers/validate-credentials', { email: 'x@example.com' });
    expect(missing.status).toBe(422);
  });

  it('creates cart redirect URLs on the sandbox origin, and 404 for an unknown cart', async () => {
    const sf = await createToken(s, 'storefront', {}, clock.now());
    const created = await gql(s, sf, 'mutation { cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: 100 }] }) { cart { entityId } } } }');
    const cartId = (created.body.data as { cart: { createCart: { cart: { entityId: string } } } }).cart.createCart.cart.entityId;
    const res = await rest(s, 'POST', `/v3/carts/${cartId}/redirect_urls`);
    expect(res.status).toBe(201);
    const json = (await res.json()) as { data: { cart_url: string; checkout_url: string; embedded_checkout_url: string }; meta: object };
    expect(json.meta).toEqual({});
    expect(json.data.cart_url).toMatch(new RegExp(`^${s.url}/cart\\.php\\?action=load&id=${cartId}&token=[0-9a-f]+$`));
    expect(json.data.checkout_url.startsWith(`${s.url}/cart.php?action=loadInCheckout&id=${cartId}`)).toBe(true);
    expect(json.data.embedded_checkout_url.startsWith(`${s.url}/cart.php?embedded=1&action=loadInCheckout&id=${cartId}&token=`)).toBe(true);
    expect((await fetch(json.data.embedded_checkout_url)).status).toBe(200);
    const unknown = await rest(s, 'POST', '/v3/carts/00000000-0000-0000-0000-000000000000/redirect_urls');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ status: 404, title: expect.any(String), type: expect.any(String) });
  });

  it('GET /v2/time answers the injected clock in unix seconds', async () => {
    const res = await rest(s, 'GET', '/v2/time');
    expect(await res.json()).toEqual({ time: Math.floor(clock.now() / 1000) });
  });
});

describe('bad input', () => {
  it('400 for malformed JSON, 415 for a wrong content type, 413 for an oversized body, 404 for unknown routes', async () => {
    const url = restUrl(s, '/v3/pricing/products');
    const headers = { 'X-Auth-Token': s.identity.accessToken, 'Content-Type': 'application/json' };
    const malformed = await fetch(url, { method: 'POST', headers, body: '{"channel_id": ' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ status: 400, title: expect.any(String), type: expect.any(String), errors: {} });
    const wrongType = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/plain' }, body: '{}' });
    expect(wrongType.status).toBe(415);
    const big = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) });
    expect(big.status).toBe(413);
    expect((await rest(s, 'GET', '/v3/nothing-here')).status).toBe(404);
    expect((await rest(s, 'GET', '/v3/pricing/products')).status).toBe(405);
    expect((await rest(s, 'POST', '/v3/carts/%E0%A4%A/redirect_urls')).status).toBe(404);
    const badEscape = await fetch(`${s.url}/login/token/%E0%A4%A`, { redirect: 'manual' });
    expect(badEscape.status).toBe(302);
    expect(badEscape.headers.get('location')).toMatch(/^\/login\.php\?/);
    const elsewhere = await fetch(`${s.url}/no/such/page`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toMatchObject({ status: 404 });
  });
});

describe('rate limiting', () => {
  it('sends X-Rate-Limit-* headers from a real counter and 429 over quota, then refreshes after the window', async () => {
    const c = fakeClock();
    const limited = await start({ now: c.now, rateLimitQuota: 3, rateLimitWindowMs: 30000 });
    try {
      const lefts: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await rest(limited, 'GET', '/v2/time');
        expect(res.status).toBe(200);
        expect(res.headers.get('X-Rate-Limit-Requests-Quota')).toBe('3');
        expect(res.headers.get('X-Rate-Limit-Time-Window-Ms')).toBe('30000');
        expect(res.headers.get('X-Rate-Limit-Time-Reset-Ms')).toEqual(expect.any(String));
        lefts.push(res.headers.get('X-Rate-Limit-Requests-Left') ?? '');
        c.advance(1000);
      }
      expect(lefts).toEqual(['2', '1', '0']);
      const over = await rest(limited, 'POST', '/v3/pricing/products', { channel_id: 1, currency_code: 'USD', items: [] });
      expect(over.status).toBe(429);
      expect(await over.json()).toEqual({ status: 429, title: 'Too many requests', type: '/api-docs/getting-started/api-status-codes', errors: {} });
      expect(over.headers.get('X-Rate-Limit-Requests-Left')).toBe('0');
      expect(over.headers.get('X-Rate-Limit-Time-Reset-Ms')).toBe('27000');
      expect(over.headers.get('X-Retry-After')).toBe('27');
      // Storefront GraphQL is not counted.
      expect((await fetch(`${limited.url}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(401);
      c.advance(27000);
      const refreshed = await rest(limited, 'GET', '/v2/time');
      expect(refreshed.status).toBe(200);
      expect(refreshed.headers.get('X-Rate-Limit-Requests-Left')).toBe('2');
      // Unauthenticated REST responses carry the headers too.
      const unauth = await fetch(restUrl(limited, '/v2/time'));
      expect(unauth.status).toBe(401);
      expect(unauth.headers.get('X-Rate-Limit-Requests-Quota')).toBe('3');
    } finally {
      await limited.close();
    }
  });

  it('records every request in requestLog, path without query string', async () => {
    const before = s.requestLog.length;
    await fetch(`${s.url}/customer/current.jwt?app_client_id=x`);
    expect(s.requestLog.slice(before)).toEqual([{ method: 'GET', path: '/customer/current.jwt', at: clock.now() }]);
  });
});
