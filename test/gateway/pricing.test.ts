import type { Sandbox } from '../../sandbox';
import { startProxiedStack, type FaultProxy, type ProxiedStack } from '../helpers/fault-proxy';
import { gql, loginAs, RETAIL, SERVER_KEY, WHOLESALE, type GatewayServer } from '../helpers/stack';

const PRICING_PATH = /\/v3\/pricing\/products$/;
const FULL_PRICING = `productId variantId options { optionId valueId }
  price { asEntered enteredInclusive taxExclusive taxInclusive }
  salePrice { asEntered enteredInclusive taxExclusive taxInclusive }
  retailPrice { asEntered enteredInclusive taxExclusive taxInclusive }
  minimumAdvertisedPrice { asEntered enteredInclusive taxExclusive taxInclusive }
  calculatedPrice { asEntered enteredInclusive taxExclusive taxInclusive }
  saved { asEntered enteredInclusive taxExclusive taxInclusive }
  priceRange { minimum { asEntered enteredInclusive taxExclusive taxInclusive } maximum { asEntered enteredInclusive taxExclusive taxInclusive } }
  retailPriceRange { minimum { asEntered enteredInclusive taxExclusive taxInclusive } maximum { asEntered enteredInclusive taxExclusive taxInclusive } }
  bulkPricing { minimum maximum discountAmount discountType taxDiscountAmount { asEntered enteredInclusive taxExclusive taxInclusive } }`;
const PRODUCTS_WITH_PRICING = `query { site { products(first: 50) { edges { node { entityId name pricing { ${FULL_PRICING} } } } } } }`;

type Amount = { as_entered: number; entered_inclusive: boolean; tax_exclusive: number; tax_inclusive: number } | null | undefined;
type RestItem = Record<string, unknown> & { product_id: number };
type ProductsData = { site: { products: { edges: Array<{ node: { entityId: number; name: string; pricing: Record<string, unknown> | null } }> } } };

const camelAmount = (a: Amount) =>
  a ? { asEntered: a.as_entered, enteredInclusive: a.entered_inclusive, taxExclusive: a.tax_exclusive, taxInclusive: a.tax_inclusive } : null;
type RestRange = { minimum?: Amount; maximum?: Amount } | null | undefined;
const camelRange = (r: RestRange) => (r ? { minimum: camelAmount(r.minimum), maximum: camelAmount(r.maximum) } : null);

/** The REST answer re-expressed in the gateway's GraphQL case, written independently of the gateway's mapper. */
function expectedFromRest(item: RestItem) {
  const tiers = (item.bulk_pricing as Array<Record<string, unknown>> | undefined) ?? [];
  return {
    productId: item.product_id,
    variantId: (item.variant_id as number | undefined) ?? null,
    options: ((item.options as Array<{ option_id: number; value_id: number }> | undefined) ?? []).map((o) => ({ optionId: o.option_id, valueId: o.value_id })),
    price: camelAmount(item.price as Amount),
    salePrice: camelAmount(item.sale_price as Amount),
    retailPrice: camelAmount(item.retail_price as Amount),
    minimumAdvertisedPrice: camelAmount(item.minimum_advertised_price as Amount),
    calculatedPrice: camelAmount(item.calculated_price as Amount),
    saved: camelAmount(item.saved as Amount),
    priceRange: camelRange(item.price_range as RestRange),
    retailPriceRange: camelRange(item.retail_price_range as RestRange),
    bulkPricing: tiers.map((t) => ({
      minimum: t.minimum,
      maximum: t.maximum,
      discountAmount: t.discount_amount,
      discountType: t.discount_type,
      taxDiscountAmount: ((t.tax_discount_amount as Amount[] | undefined) ?? []).map(camelAmount),
    })),
  };
}

describe('pricing over HTTP (REST Pricing API behind a counting proxy)', () => {
  let sandbox: Sandbox;
  let proxy: FaultProxy;
  let gateway: GatewayServer;
  const pricingCalls = () => proxy.requests.filter((r) => PRICING_PATH.test(r.path));

  async function restPrices(productIds: number[], customerGroupId?: number): Promise<Map<number, RestItem>> {
    const response = await fetch(`${sandbox.url}/stores/${sandbox.identity.storeHash}/v3/pricing/products`, {
      method: 'POST',
      headers: { 'x-auth-token': sandbox.identity.accessToken, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel_id: 1,
        currency_code: 'USD',
        items: productIds.map((id) => ({ product_id: id })),
        ...(customerGroupId === undefined ? {} : { customer_group_id: customerGroupId }),
      }),
    });
    const body = (await response.json()) as { data: RestItem[] };
    return new Map(body.data.map((item) => [item.product_id, item]));
  }

  let stack: ProxiedStack;
  beforeAll(async () => {
    // The budget covers a whole request's upstream work (storefront and REST): generous enough that no ordinary
    // request races a busy machine, short enough that the hanging-REST case ends soon.
    stack = await startProxiedStack({ sandbox: { rateLimitQuota: 100_000 }, through: ['rest'], config: { upstreamTimeoutMs: 4000 } });
    ({ sandbox, proxy, gateway } = stack);
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    proxy.clearFaults();
    proxy.requests.length = 0;
  });

  it.each([
    ['a guest', undefined],
    ['the wholesale shopper', WHOLESALE],
  ])('prices 50 products for %s with exactly one REST call, every value equal to the REST answer', async (_who, account) => {
    const headers: Record<string, string> = account ? { cookie: (await loginAs(gateway.graphqlUrl, account)).cookie } : {};
    proxy.requests.length = 0;
    const response = await gql<ProductsData>(gateway.graphqlUrl, PRODUCTS_WITH_PRICING, {}, headers);
    expect(response.body.errors).toBeUndefined();
    const edges = response.body.data!.site.products.edges;
    expect(edges).toHaveLength(50);
    expect(pricingCalls()).toHaveLength(1);
    const sent = JSON.parse(pricingCalls()[0].body) as { items: unknown[]; customer_group_id?: number };
    expect(sent.items).toHaveLength(50);

    const groupId = account ? 2 : undefined;
    expect(sent.customer_group_id).toBe(groupId);
    const rest = await restPrices(edges.map((e) => e.node.entityId), groupId);
    for (const { node } of edges) {
      expect(node.pricing).toEqual(expectedFromRest(rest.get(node.entityId)!));
    }
  });

  it('gives the wholesale shopper different values than a guest where the price list says so', async () => {
    const guest = await gql<ProductsData>(gateway.graphqlUrl, PRODUCTS_WITH_PRICING);
    const { cookie } = await loginAs(gateway.graphqlUrl, WHOLESALE);
    const wholesale = await gql<ProductsData>(gateway.graphqlUrl, PRODUCTS_WITH_PRICING, {}, { cookie });
    const price = (data: ProductsData | null | undefined) =>
      new Map(data!.site.products.edges.map((e) => [e.node.entityId, JSON.stringify(e.node.pricing)]));
    const guestPrices = price(guest.body.data);
    const wholesalePrices = price(wholesale.body.data);
    const differing = [...guestPrices.keys()].filter((id) => guestPrices.get(id) !== wholesalePrices.get(id));
    expect(differing.length).toBeGreaterThan(0);
  });

  it('makes one REST call per distinct currency, and keeps loaders per request', async () => {
    const query = `{ site { products(first: 10) { edges { node { entityId usd: pricing { price { asEntered } } eur: pricing(currencyCode: "EUR") { price { asEntered } } again: pricing(currencyCode: "usd") { price { asEntered } } } } } } }`;
    const response = await gql(gateway.graphqlUrl, query);
    expect(response.body.errors).toBeUndefined();
    const calls = pricingCalls().map((c) => (JSON.parse(c.body) as { currency_code: string }).currency_code).sort();
    expect(calls).toEqual(['EUR', 'USD']);
    await gql(gateway.graphqlUrl, query);
    expect(pricingCalls()).toHaveLength(4);
  });

  it('answers Query.pricing with every REST field for items by product, variant and options', async () => {
    const items = [{ product_id: 100 }, { product_id: 101 }, { product_id: 102 }];
    const response = await gql<{ pricing: Array<Record<string, unknown>> }>(
      gateway.graphqlUrl,
      `query P($input: PricingInput!) { pricing(input: $input) { ${FULL_PRICING} } }`,
      { input: { items: items.map((i) => ({ productId: i.product_id })), currencyCode: 'USD', countryCode: 'US', channelId: 1 } },
    );
    expect(response.body.errors).toBeUndefined();
    const rest = await restPrices(items.map((i) => i.product_id));
    expect(response.body.data!.pricing).toEqual(items.map((i) => expectedFromRest(rest.get(i.product_id)!)));
    const sent = JSON.parse(pricingCalls()[0].body) as Record<string, unknown>;
    expect(sent).toMatchObject({ channel_id: 1, currency_code: 'USD', country_code: 'US' });
    expect(sent.customer_group_id).toBeUndefined();
  });

  it('refuses customerGroupId from a guest and from a shopper, honours it for the trusted server key', async () => {
    const query = `query P($input: PricingInput!) { pricing(input: $input) { productId calculatedPrice { asEntered } } }`;
    const input = { items: [{ productId: 100 }], customerGroupId: 2 };
    const guest = await gql(gateway.graphqlUrl, query, { input });
    expect(guest.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const { cookie } = await loginAs(gateway.graphqlUrl, RETAIL);
    const retail = await gql(gateway.graphqlUrl, query, { input }, { cookie });
    expect(retail.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const wrongKey = await gql(gateway.graphqlUrl, query, { input }, { 'x-gateway-server-key': 'x'.repeat(SERVER_KEY.length) });
    expect(wrongKey.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(pricingCalls()).toHaveLength(0);

    const server = await gql<{ pricing: Array<{ calculatedPrice: { asEntered: number } }> }>(gateway.graphqlUrl, query, { input }, { 'x-gateway-server-key': SERVER_KEY });
    expect(server.body.errors).toBeUndefined();
    const rest = await restPrices([100], 2);
    expect(server.body.data!.pricing[0].calculatedPrice.asEntered).toBe((rest.get(100)!.calculated_price as { as_entered: number }).as_entered);
  });

  it('handles bad input: empty items, too many items, malformed currency, unknown products', async () => {
    const query = `query P($input: PricingInput!) { pricing(input: $input) { productId } }`;
    const empty = await gql(gateway.graphqlUrl, query, { input: { items: [] } });
    expect(empty.body).toEqual({ data: { pricing: [] } });
    expect(pricingCalls()).toHaveLength(0);

    const tooMany = await gql(gateway.graphqlUrl, query, { input: { items: Array.from({ length: 51 }, (_, i) => ({ productId: 100 + i })) } });
    expect(tooMany.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badCurrency = await gql(gateway.graphqlUrl, query, { input: { items: [{ productId: 100 }], currencyCode: 'US-DOLLAR' } });
    expect(badCurrency.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badField = await gql(gateway.graphqlUrl, `{ site { product(entityId: 100) { pricing(currencyCode: "1$") { price { asEntered } } } } }`);
    expect(badField.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(pricingCalls()).toHaveLength(0);

    const mixed = await gql<{ pricing: Array<{ productId: number }> }>(gateway.graphqlUrl, query, { input: { items: [{ productId: 100 }, { productId: 999999 }, { productId: 101 }] } });
    expect(mixed.body.errors).toBeUndefined();
    expect(mixed.body.data!.pricing.map((p) => p.productId)).toEqual([100, 101]);
  });

  // A 500 may be cured by a retry (UPSTREAM_RETRIES, 2 by default); a 429 whose reset is past the deadline and a
  // timeout (the deadline is spent) are not retried.
  it.each<[string, () => void, string, number]>([
    ['a 500', () => proxy.setFault((p) => PRICING_PATH.test(p), { kind: 'respond', status: 500, body: '{"status":500,"title":"Internal"}' }), 'UPSTREAM_ERROR', 3],
    [
      'a 429 with a long reset',
      () => proxy.setFault((p) => PRICING_PATH.test(p), { kind: 'respond', status: 429, headers: { 'x-rate-limit-time-reset-ms': '15000', 'x-rate-limit-requests-left': '0' } }),
      'RATE_LIMITED',
      1,
    ],
    ['a timeout', () => proxy.setFault((p) => PRICING_PATH.test(p), { kind: 'hang' }), 'UPSTREAM_TIMEOUT', 1],
  ])('isolates %s: pricing is null with %s, product data intact', async (_name, inject, code, calls) => {
    inject();
    const response = await gql<ProductsData>(gateway.graphqlUrl, `{ site { products(first: 3) { edges { node { entityId name pricing { price { asEntered } } } } } } }`);
    const edges = response.body.data!.site.products.edges;
    expect(edges).toHaveLength(3);
    for (const { node } of edges) {
      expect(node.name).toEqual(expect.any(String));
      expect(node.pricing).toBeNull();
    }
    expect(response.body.errors!.length).toBe(3);
    for (const error of response.body.errors!) {
      expect(error.extensions?.code).toBe(code);
      expect(error.path?.slice(-1)).toEqual(['pricing']);
    }
    expect(pricingCalls()).toHaveLength(calls);
  });

  it('retries a 429 once when the quota resets soon', async () => {
    let calls = 0;
    proxy.setFault(
      (p) => PRICING_PATH.test(p),
      () => (calls++ === 0 ? { kind: 'respond', status: 429, headers: { 'x-rate-limit-time-reset-ms': '50' } } : { kind: 'pass' }),
    );
    const response = await gql<ProductsData>(gateway.graphqlUrl, `{ site { products(first: 3) { edges { node { entityId pricing { price { asEntered } } } } } } }`);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.site.products.edges.every((e) => e.node.pricing !== null)).toBe(true);
    expect(pricingCalls()).toHaveLength(2);
  });
});
