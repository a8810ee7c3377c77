// Issue 15, "Done when" 1: guest, retail, wholesale and VIP shoppers each load 50 products with prices twice; the
// second answer is a HIT, byte-equal to their own first (uncached) answer, made without any upstream call, and no
// group ever sees another group's prices.
import type { Sandbox } from '../../sandbox';
import type { GatewayServer } from '../helpers/stack';
import { CATALOG_FAST_PATH, CATALOG_PAGE, query, shoppers, startCacheSandbox, startCachedGateway, upstreamCalls, type Shopper } from './helpers';

let sandbox: Sandbox;
let gateway: GatewayServer;
let people: Shopper[];

beforeAll(async () => {
  sandbox = await startCacheSandbox();
  gateway = await startCachedGateway(sandbox);
  people = await shoppers(gateway.graphqlUrl);
});
afterAll(async () => {
  await gateway?.close();
  await sandbox?.close();
});

interface CatalogData {
  site: { products: { edges: Array<{ node: { entityId: number; prices: { price: { value: number } }; pricing: { calculatedPrice: { asEntered: number } } | null } }> } };
}

const pricesOf = (text: string) =>
  new Map(
    (JSON.parse(text) as { data: CatalogData }).data.site.products.edges.map(({ node }) => [node.entityId, [node.prices.price.value, node.pricing?.calculatedPrice.asEntered]]),
  );

describe.each([
  ['stitched (storefront prices + REST pricing)', CATALOG_PAGE],
  ['pass-through fast path (storefront only)', CATALOG_FAST_PATH],
])('%s', (_name, document) => {
  const first = new Map<string, string>();

  it('answers each shopper MISS then HIT, byte for byte the same, with no upstream call on the hit', async () => {
    for (const shopper of people) {
      const miss = await query(gateway.graphqlUrl, document, {}, shopper.headers);
      expect({ who: shopper.name, status: miss.status, cache: miss.cache }).toEqual({ who: shopper.name, status: 200, cache: 'MISS' });
      expect(JSON.parse(miss.text).errors).toBeUndefined();
      expect(JSON.parse(miss.text).data.site.products.edges).toHaveLength(50);
      first.set(shopper.name, miss.text);
    }
    for (const shopper of people) {
      const before = sandbox.requestLog.length;
      const hit = await query(gateway.graphqlUrl, document, {}, shopper.headers);
      expect({ who: shopper.name, cache: hit.cache, calls: upstreamCalls(sandbox, before) }).toEqual({ who: shopper.name, cache: 'HIT', calls: 0 });
      expect(hit.text).toBe(first.get(shopper.name));
    }
  });

  it('keeps groups apart: wholesale and retail answers differ, and each is what that group is priced', () => {
    const retail = first.get('retail') as string;
    const wholesale = first.get('wholesale') as string;
    const vip = first.get('vip') as string;
    expect(wholesale).not.toBe(retail);
    expect(vip).not.toBe(retail);
    expect(vip).not.toBe(wholesale);
    const retailPrices = pricesOf(retail);
    const wholesalePrices = pricesOf(wholesale);
    const differing = [...wholesalePrices].filter(([id, prices]) => JSON.stringify(prices) !== JSON.stringify(retailPrices.get(id)));
    expect(differing.length).toBeGreaterThan(0);
  });
});

describe('REST pricing cached in the same scope', () => {
  it('serves Product.pricing of another document without a REST call once the group has been priced', async () => {
    // A different document (another response-cache entry) needing the same prices.
    const other = /* GraphQL */ `query PricesOnly { site { products(first: 50) { edges { node { entityId pricing { productId calculatedPrice { asEntered } price { asEntered } salePrice { asEntered } } } } } } }`;
    for (const shopper of people) {
      const before = sandbox.requestLog.length;
      const answer = await query(gateway.graphqlUrl, other, {}, shopper.headers);
      expect({ who: shopper.name, cache: answer.cache, rest: upstreamCalls(sandbox, before, /\/v3\/pricing\/products$/) }).toEqual({ who: shopper.name, cache: 'MISS', rest: 0 });
      const prices = (JSON.parse(answer.text) as { data: CatalogData }).data.site.products.edges.map(({ node }) => node.pricing?.calculatedPrice.asEntered);
      expect(prices.every((price) => typeof price === 'number')).toBe(true);
    }
  });

  it('asks REST again in another currency (currency is part of the scope)', async () => {
    const before = sandbox.requestLog.length;
    const answer = await query(gateway.graphqlUrl, '{ site { products(first: 3) { edges { node { entityId pricing(currencyCode: "EUR") { calculatedPrice { asEntered } } } } } } }', {}, people[2].headers);
    expect(answer.cache).toBe('MISS');
    expect(upstreamCalls(sandbox, before, /\/v3\/pricing\/products$/)).toBe(1);
  });
});

describe('scope comes from the verified session only', () => {
  it('a client header claiming a group changes nothing: a guest with X-Bc-Customer-Id still gets the guest entry', async () => {
    const guest = await query(gateway.graphqlUrl, CATALOG_FAST_PATH);
    const spoofed = await query(gateway.graphqlUrl, CATALOG_FAST_PATH, {}, { 'x-bc-customer-id': '2', 'x-customer-group-id': '2' });
    expect(spoofed.cache).toBe('HIT');
    expect(spoofed.text).toBe(guest.text);
  });

  it('Accept-Language is part of the scope', async () => {
    const english = await query(gateway.graphqlUrl, CATALOG_FAST_PATH, {}, { 'accept-language': 'en-US' });
    expect(english.cache).toBe('MISS');
    expect((await query(gateway.graphqlUrl, CATALOG_FAST_PATH, {}, { 'accept-language': 'en-US' })).cache).toBe('HIT');
    expect((await query(gateway.graphqlUrl, CATALOG_FAST_PATH, {}, { 'accept-language': 'fr-FR' })).cache).toBe('MISS');
  });

  it('variables and operation name are part of the key', async () => {
    const doc = 'query P($id: Int!) { site { product(entityId: $id) { entityId name } } }';
    expect((await query(gateway.graphqlUrl, doc, { id: 100 })).cache).toBe('MISS');
    expect((await query(gateway.graphqlUrl, doc, { id: 101 })).cache).toBe('MISS');
    const hit = await query(gateway.graphqlUrl, doc, { id: 100 });
    expect(hit.cache).toBe('HIT');
    expect(JSON.parse(hit.text).data.site.product.entityId).toBe(100);
  });
});
