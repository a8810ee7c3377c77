// Storefront GraphQL over HTTP: catalog queries, shopper identification (CIT + X-Bc-Customer-Id, CAT), group prices,
// login/logout, carts, batching and bad input.
import type { Sandbox } from '../../sandbox';
import { createToken, fakeClock, gql, start, type GraphQLResponse } from './helpers';

const clock = fakeClock();
let s: Sandbox;
let cit: string;
let priv: string;
let sf: string;
beforeAll(async () => {
  s = await start({ now: clock.now });
  cit = await createToken(s, 'impersonation', { expires_at: Math.floor(clock.now() / 1000) + 10 * 86400 }, clock.now());
  priv = await createToken(s, 'private', { expires_at: Math.floor(clock.now() / 1000) + 10 * 86400 }, clock.now());
  sf = await createToken(s, 'storefront', { expires_at: Math.floor(clock.now() / 1000) + 10 * 86400 }, clock.now());
});
afterAll(() => s.close());

const PRICE_QUERY = `query P($id: Int!) { site { product(entityId: $id) { entityId name prices { price { value currencyCode } basePrice { value } salePrice { value } retailPrice { value }
  priceRange { min { value } max { value } } bulkPricing { minimumQuantity maximumQuantity ... on BulkPricingPercentageDiscount { percentOff } } } } } }`;
const LOGIN = `mutation L($email: String!, $password: String!) { login(email: $email, password: $password) { result customer { entityId email customerGroupId customerGroupName } customerAccessToken { value expiresAt } } }`;

interface PriceData {
  site: { product: { prices: { price: { value: number; currencyCode: string }; basePrice: { value: number } } } };
}
const priceOf = (r: { body: GraphQLResponse }): number => (r.body.data as unknown as PriceData).site.product.prices.price.value;

async function login(email: string, password: string, token = priv): Promise<{ value: string; expiresAt: string }> {
  const r = await gql(s, token, LOGIN, { email, password });
  expect(r.body.errors).toBeUndefined();
  return (r.body.data as { login: { customerAccessToken: { value: string; expiresAt: string } } }).login.customerAccessToken;
}

describe('catalog', () => {
  it('pages products as a Relay connection, 10 by default and at most 50', async () => {
    const first = await gql(s, sf, '{ site { products { edges { cursor node { entityId } } pageInfo { hasNextPage endCursor } collectionInfo { totalItems } } } }');
    const conn = (first.body.data as { site: { products: { edges: { node: { entityId: number } }[]; pageInfo: { hasNextPage: boolean; endCursor: string }; collectionInfo: { totalItems: number } } } }).site.products;
    expect(conn.edges).toHaveLength(10);
    expect(conn.collectionInfo.totalItems).toBeGreaterThanOrEqual(50);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const next = await gql(s, sf, 'query N($after: String) { site { products(first: 50, after: $after) { edges { node { entityId } } } } }', { after: conn.pageInfo.endCursor });
    const nextIds = (next.body.data as { site: { products: { edges: { node: { entityId: number } }[] } } }).site.products.edges.map((e) => e.node.entityId);
    expect(nextIds.length).toBeGreaterThan(0);
    expect(nextIds).not.toContain(conn.edges[0].node.entityId);
    const tooMany = await gql(s, sf, '{ site { products(first: 51) { edges { node { entityId } } } } }');
    expect(tooMany.body.errors?.[0].message).toMatch(/50/);
  });

  it('filters products by entityIds and finds one product with variants', async () => {
    const r = await gql(s, sf, '{ site { products(entityIds: [101, 103]) { edges { node { entityId } } } product(entityId: 100) { id name sku path description variants { edges { node { entityId sku prices { price { value } } } } } } } }');
    const site = (r.body.data as { site: { products: { edges: { node: { entityId: number } }[] }; product: { variants: { edges: unknown[] }; id: string } } }).site;
    expect(site.products.edges.map((e) => e.node.entityId)).toEqual([101, 103]);
    expect(site.product.variants.edges.length).toBe(3);
    const node = await gql(s, sf, 'query N($id: ID!) { node(id: $id) { ... on Product { entityId } } }', { id: site.product.id });
    expect(node.body.data).toEqual({ node: { entityId: 100 } });
  });

  it('serves categoryTree and settings', async () => {
    const r = await gql(s, sf, '{ site { settings { storeName storeHash channelId } categoryTree { entityId name productCount hasChildren children { entityId name } } } }');
    const site = (r.body.data as { site: { settings: { storeName: string; storeHash: string }; categoryTree: { name: string; children: unknown[] }[] } }).site;
    expect(site.settings).toEqual({ storeName: 'Sandbox Store', storeHash: s.identity.storeHash, channelId: 1 });
    expect(site.categoryTree.find((c) => c.name === 'Kitchen')?.children.length).toBe(2);
  });

  it('shows sale prices and bulk pricing tiers', async () => {
    const sale = await gql(s, sf, PRICE_QUERY, { id: 101 });
    const p = (sale.body.data as { site: { product: { prices: { price: { value: number }; salePrice: { value: number }; basePrice: { value: number } } } } }).site.product.prices;
    expect(p.salePrice.value).toBeLessThan(p.basePrice.value);
    expect(p.price.value).toBe(p.salePrice.value);
    const bulk = await gql(s, sf, PRICE_QUERY, { id: 102 });
    expect((bulk.body.data as { site: { product: { prices: { bulkPricing: unknown[] } } } }).site.product.prices.bulkPricing).toEqual([
      { minimumQuantity: 5, maximumQuantity: 9, percentOff: 5 },
      { minimumQuantity: 10, maximumQuantity: null, percentOff: 10 },
    ]);
  });
});

describe('shopper identity and group prices', () => {
  it('prices differ between a guest and the wholesale shopper (impersonation token + X-Bc-Customer-Id)', async () => {
    const guest = await gql(s, cit, PRICE_QUERY, { id: 104 });
    const wholesale = await gql(s, cit, PRICE_QUERY, { id: 104 }, { 'X-Bc-Customer-Id': '2' });
    const retail = await gql(s, cit, PRICE_QUERY, { id: 104 }, { 'X-Bc-Customer-Id': '1' });
    expect(priceOf(wholesale)).toBeLessThan(priceOf(guest));
    expect(priceOf(retail)).toBe(priceOf(guest));
    // basePrice ignores customer group prices (the description of Prices.basePrice in BigCommerce's Storefront schema).
    expect((wholesale.body.data as unknown as PriceData).site.product.prices.basePrice.value).toBe(priceOf(guest));
    const customer = await gql(s, cit, '{ customer { entityId email firstName lastName customerGroupId customerGroupName } }', {}, { 'X-Bc-Customer-Id': '2' });
    expect(customer.body.data).toEqual({
      customer: { entityId: 2, email: 'wholesale@example.com', firstName: 'Wendy', lastName: 'Wholesale', customerGroupId: 2, customerGroupName: 'Wholesale' },
    });
    expect((await gql(s, cit, '{ customer { entityId } }')).body.data).toEqual({ customer: null });
  });

  it('applies a group discount when the group has no price list (VIP: 10% off)', async () => {
    const guest = await gql(s, cit, PRICE_QUERY, { id: 104 });
    const vip = await gql(s, cit, PRICE_QUERY, { id: 104 }, { 'X-Bc-Customer-Id': '3' });
    expect(priceOf(vip)).toBeCloseTo(priceOf(guest) * 0.9, 2);
  });

  it('ignores X-Bc-Customer-Id with storefront and private tokens', async () => {
    for (const token of [sf, priv]) {
      const r = await gql(s, token, '{ customer { entityId } }', {}, { 'X-Bc-Customer-Id': '2' });
      expect(r.body.data).toEqual({ customer: null });
    }
  });

  it('logs in with a private token: CAT format, customer, and wholesale prices with X-Bc-Customer-Access-Token', async () => {
    const r = await gql(s, priv, LOGIN, { email: 'wholesale@example.com', password: 'Wholesale1!' });
    const loginData = (r.body.data as { login: { result: string; customer: { entityId: number }; customerAccessToken: { value: string; expiresAt: string } } }).login;
    expect(loginData.result).toBe('success');
    expect(loginData.customer.entityId).toBe(2);
    expect(loginData.customerAccessToken.value).toMatch(/^[0-9a-f]{64}_\d+$/);
    const expiry = Number(loginData.customerAccessToken.value.split('_')[1]);
    expect(new Date(loginData.customerAccessToken.expiresAt).getTime()).toBe(expiry * 1000);
    const cat = loginData.customerAccessToken.value;
    const guest = await gql(s, priv, PRICE_QUERY, { id: 104 });
    const shopper = await gql(s, priv, PRICE_QUERY, { id: 104 }, { 'X-Bc-Customer-Access-Token': cat });
    expect(priceOf(shopper)).toBeLessThan(priceOf(guest));
    const viaStorefrontToken = await gql(s, sf, '{ customer { entityId } }', {}, { 'X-Bc-Customer-Access-Token': cat });
    expect(viaStorefrontToken.body.data).toEqual({ customer: { entityId: 2 } });
    // A CAT with an impersonation token is ignored.
    expect((await gql(s, cit, '{ customer { entityId } }', {}, { 'X-Bc-Customer-Access-Token': cat })).body.data).toEqual({ customer: null });
  });

  it('answers "Invalid credentials" with code INVALID_CREDENTIALS and data null for a wrong password or unknown email', async () => {
    for (const [email, password] of [['wholesale@example.com', 'wrong'], ['nobody@example.com', 'Wholesale1!']]) {
      const r = await gql(s, priv, LOGIN, { email, password });
      expect(r.status).toBe(200);
      expect(r.body.data ?? null).toBeNull();
      expect(r.body.errors?.[0]).toMatchObject({ message: 'Invalid credentials', extensions: { code: 'INVALID_CREDENTIALS' }, path: ['login'] });
    }
  });

  it('does not return a CAT in the body to a browser request', async () => {
    const browser = await createToken(s, 'storefront', { allowed_cors_origins: ['https://shop.example'], expires_at: Math.floor(clock.now() / 1000) + 86400 }, clock.now());
    const r = await gql(s, browser, LOGIN, { email: 'retail@example.com', password: 'Retail1!' }, { Origin: 'https://shop.example' });
    expect(r.body.errors?.[0].message).toMatch(/only returned for server-to-server requests/);
  });

  it('rejects an unknown CAT with INVALID_CUSTOMER_ACCESS_TOKEN', async () => {
    const r = await gql(s, priv, '{ customer { entityId } }', {}, { 'X-Bc-Customer-Access-Token': `${'a'.repeat(64)}_1999999999` });
    expect(r.status).toBe(200);
    expect(r.body.errors?.[0].extensions?.code).toBe('INVALID_CUSTOMER_ACCESS_TOKEN');
  });

  it('logout with the CAT invalidates it', async () => {
    const cat = await login('retail@example.com', 'Retail1!');
    const out = await gql(s, priv, 'mutation { logout { result cartUnassignResult { cart { entityId } errors { ... on Error { message } } } } }', {}, { 'X-Bc-Customer-Access-Token': cat.value });
    expect(out.body.data).toEqual({ logout: { result: 'success', cartUnassignResult: { cart: null, errors: [] } } });
    const after = await gql(s, priv, '{ customer { entityId } }', {}, { 'X-Bc-Customer-Access-Token': cat.value });
    expect(after.body.errors?.[0].extensions?.code).toBe('INVALID_CUSTOMER_ACCESS_TOKEN');
  });

  it('logging in again invalidates the previous CAT of that customer (one device)', async () => {
    const first = await login('vip@example.com', 'Vip1!');
    const second = await login('vip@example.com', 'Vip1!');
    expect((await gql(s, priv, '{ customer { entityId } }', {}, { 'X-Bc-Customer-Access-Token': second.value })).body.data).toEqual({ customer: { entityId: 3 } });
    const old = await gql(s, priv, '{ customer { entityId } }', {}, { 'X-Bc-Customer-Access-Token': first.value });
    expect(old.body.errors?.[0].extensions?.code).toBe('INVALID_CUSTOMER_ACCESS_TOKEN');
  });

  it('expires a CAT at its expiresAt (injected clock)', async () => {
    const cat = await login('retail@example.com', 'Retail1!');
    clock.set(new Date(cat.expiresAt).getTime() + 1000);
    const r = await gql(s, priv, '{ customer { entityId } }', {}, { 'X-Bc-Customer-Access-Token': cat.value });
    expect(r.body.errors?.[0].extensions?.code).toBe('INVALID_CUSTOMER_ACCESS_TOKEN');
  });
});

describe('carts', () => {
  it('creates a cart, adds line items and reads it back through site.cart', async () => {
    const created = await gql(
      s,
      cit,
      `mutation C($input: CreateCartInput!) { cart { createCart(input: $input) { cart { entityId lineItems { physicalItems { productEntityId variantEntityId quantity } totalQuantity } } } } }`,
      { input: { lineItems: [{ quantity: 2, productEntityId: 101 }, { quantity: 1, productEntityId: 100, variantEntityId: 1001 }] } },
      { 'X-Bc-Customer-Id': '2' },
    );
    expect(created.body.errors).toBeUndefined();
    const cart = (created.body.data as { cart: { createCart: { cart: { entityId: string; lineItems: { totalQuantity: number } } } } }).cart.createCart.cart;
    expect(cart.entityId).toMatch(/^[0-9a-f-]{36}$/);
    expect(cart.lineItems.totalQuantity).toBe(3);
    const added = await gql(
      s,
      cit,
      `mutation A($input: AddCartLineItemsInput!) { cart { addCartLineItems(input: $input) { cart { lineItems { physicalItems { productEntityId quantity } } amount { value } } } } }`,
      { input: { cartEntityId: cart.entityId, data: { lineItems: [{ quantity: 3, productEntityId: 101 }] } } },
      { 'X-Bc-Customer-Id': '2' },
    );
    expect(added.body.errors).toBeUndefined();
    const read = await gql(s, cit, 'query R($id: String) { site { cart(entityId: $id) { entityId lineItems { physicalItems { productEntityId quantity } } } } }', { id: cart.entityId }, { 'X-Bc-Customer-Id': '2' });
    expect((read.body.data as { site: { cart: { lineItems: { physicalItems: unknown[] } } } }).site.cart.lineItems.physicalItems).toEqual([
      { productEntityId: 101, quantity: 5 },
      { productEntityId: 100, quantity: 1 },
    ]);
    // A customer's cart is not visible to other shoppers.
    const other = await gql(s, cit, 'query R($id: String) { site { cart(entityId: $id) { entityId } } }', { id: cart.entityId }, { 'X-Bc-Customer-Id': '1' });
    expect(other.body.data).toEqual({ site: { cart: null } });
  });

  it('rejects unknown products without creating a cart', async () => {
    const r = await gql(s, sf, 'mutation { cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: 99999 }] }) { cart { entityId } } } }');
    expect(r.body.errors?.[0].message).toMatch(/not found/);
  });
});

describe('transport and bad input', () => {
  it('answers a JSON array of operations with a JSON array of results', async () => {
    const res = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${cit}`, 'X-Bc-Customer-Id': '2' },
      body: JSON.stringify([{ query: '{ customer { entityId } }' }, { query: 'query Q($id: Int!) { site { product(entityId: $id) { entityId } } }', variables: { id: 105 }, operationName: 'Q' }]),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ data: { customer: { entityId: 2 } } }, { data: { site: { product: { entityId: 105 } } } }]);
  });

  const post = (body: string, contentType = 'application/json'): Promise<Response> =>
    fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'Content-Type': contentType, Authorization: `Bearer ${sf}` }, body });

  it('400 with {errors:[{message}]} for malformed JSON or a body without query', async () => {
    for (const body of ['{"query": ', '{"variables": {}}', '[]', '42']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as { errors: { message: string }[] };
      expect(json.errors[0].message).toEqual(expect.any(String));
    }
  });

  it('415 for a non-JSON content type, 413 for an oversized body, 405 for GET', async () => {
    expect((await post('{ site { settings { storeName } } }', 'text/plain')).status).toBe(415);
    const big = await post(JSON.stringify({ query: `{ site { settings { storeName } } } #${'x'.repeat(1_100_000)}` }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { errors: unknown[] }).errors).toHaveLength(1);
    expect((await fetch(`${s.url}/graphql`)).status).toBe(405);
  });

  it('answers invalid GraphQL with errors (syntax and validation) and keeps serving', async () => {
    const syntax = await gql(s, sf, '{ site { ');
    expect(syntax.body.errors?.[0].message).toMatch(/Syntax Error/);
    const unknownField = await gql(s, sf, '{ site { nope } }');
    expect(unknownField.body.errors?.[0].message).toMatch(/Cannot query field "nope"/);
    expect((await gql(s, sf, '{ site { settings { storeName } } }')).body.data).toEqual({ site: { settings: { storeName: 'Sandbox Store' } } });
  });
});
