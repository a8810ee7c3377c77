// Limits of the sandbox's Storefront GraphQL endpoint, over HTTP: its complexity score in BigCommerce's response
// headers and BigCommerce's refusal above 10,000 (developer.bigcommerce.com/docs/storefront/graphql, "Complexity
// limits"), and page sizes: 50 for products, 250 for connections nested in a product.
import type { Sandbox } from '../../sandbox';
import { createToken, gql, start, type GraphQLResponse } from './helpers';

let s: Sandbox;
let sf: string;
let priv: string;
beforeAll(async () => {
  s = await start();
  sf = await createToken(s, 'storefront');
  priv = await createToken(s, 'private');
});
afterAll(() => s.close());

const tooComplex = (score: number) =>
  `The query is too complex as it has a complexity score of ${score} out of 10000. Please remove some elements and try again`;
/** `n` top-level `__typename` fields under distinct aliases: a query that scores exactly n. */
const typenames = (n: number) => Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ');

describe('X-Bc-Graphql-Complexity', () => {
  it('scores every field 1 and multiplies what a connection selects by its first', async () => {
    // site 1 + products (1 + 5 × (edges 1 + node 1 + entityId 1)) = 17
    const r = await gql(s, sf, '{ site { products(first: 5) { edges { node { entityId } } } } }');
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.headers.get('x-bc-graphql-complexity')).toBe('17');
    expect(r.headers.get('x-bc-graphql-operation-type')).toBe('query');
    expect(r.headers.get('x-bc-graphql-operation-name')).toBe('');
  });

  it('counts a connection without first/last as 10, and pageInfo like any field', async () => {
    // site 1 + products (1 + 10 × (edges 1 + node 1 + entityId 1 + name 1 + pageInfo 1 + hasNextPage 1)) = 62
    const r = await gql(s, sf, '{ site { products { edges { node { entityId name } } pageInfo { hasNextPage } } } }');
    expect(r.headers.get('x-bc-graphql-complexity')).toBe('62');
  });

  it('reads first from variables, counts fragments as if inline, and names the operation', async () => {
    const inline = await gql(s, sf, 'query Inline { site { products(first: 3) { edges { node { entityId sku } } } } }');
    const withFragment = await gql(
      s,
      sf,
      'query Catalog($n: Int) { site { products(first: $n) { edges { node { ...P } } } } } fragment P on Product { entityId sku }',
      { n: 3 },
    );
    // site 1 + products (1 + 3 × (edges 1 + node 1 + entityId 1 + sku 1)) = 14
    expect(inline.headers.get('x-bc-graphql-complexity')).toBe('14');
    expect(withFragment.headers.get('x-bc-graphql-complexity')).toBe('14');
    expect(withFragment.headers.get('x-bc-graphql-operation-name')).toBe('Catalog');
  });

  it('reports mutations as such', async () => {
    const r = await gql(s, sf, 'mutation NewCart { cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: 100 }] }) { cart { entityId } } } }');
    expect(r.body.errors).toBeUndefined();
    // cart 1 + createCart 1 + cart 1 + entityId 1
    expect(r.headers.get('x-bc-graphql-complexity')).toBe('4');
    expect(r.headers.get('x-bc-graphql-operation-type')).toBe('mutation');
    expect(r.headers.get('x-bc-graphql-operation-name')).toBe('NewCart');
  });

  it('accepts a score of exactly 10000', async () => {
    const r = await gql(s, sf, `{ ${typenames(10_000)} }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data?.t9999).toBe('Query');
    expect(r.headers.get('x-bc-graphql-complexity')).toBe('10000');
  });

  it('refuses a score above 10000 as BigCommerce does: HTTP 200, its message, no data', async () => {
    const over = await gql(s, sf, `{ ${typenames(10_001)} }`);
    expect(over.status).toBe(200);
    expect(over.body).toEqual({ errors: [{ message: tooComplex(10_001) }] });
    expect(over.headers.get('x-bc-graphql-complexity')).toBe('10001');

    // Nested collections multiply: products 50 × variants 250.
    // variants = 1 + 250 × (edges 1 + node 1 + entityId 1 + sku 1) = 1001; products = 1 + 50 × (1 + 1 + 1001) = 50151; + site 1
    const nested = await gql(s, sf, '{ site { products(first: 50) { edges { node { variants(first: 250) { edges { node { entityId sku } } } } } } } }');
    expect(nested.status).toBe(200);
    expect(nested.body).toEqual({ errors: [{ message: tooComplex(50_152) }] });
    expect(nested.headers.get('x-bc-graphql-complexity')).toBe('50152');
  });

  it('scores before execution: an over-limit mutation has no effect', async () => {
    const LOGIN = 'login(email: "retail@example.com", password: "Retail1!") { customerAccessToken { value } }';
    const first = await gql(s, priv, `mutation { ${LOGIN} }`);
    const cat = (first.body.data as { login: { customerAccessToken: { value: string } } }).login.customerAccessToken.value;
    // A login that ran would sign the customer out of the previous session (one device): CAT `cat` would die.
    const refused = await gql(s, priv, `mutation { ${LOGIN} ${typenames(10_000)} }`);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors?.[0].message).toMatch(/^The query is too complex as it has a complexity score of \d+ out of 10000\./);
    const me = await gql(s, priv, '{ customer { email } }', {}, { 'X-Bc-Customer-Access-Token': cat });
    expect(me.body).toEqual({ data: { customer: { email: 'retail@example.com' } } });
  });

  it('holds each operation of a batch to the limit on its own and reports the sum', async () => {
    const res = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sf}` },
      body: JSON.stringify([{ query: '{ site { settings { storeName } } }' }, { query: `{ ${typenames(10_001)} }` }]),
    });
    const body = (await res.json()) as GraphQLResponse[];
    expect(res.status).toBe(200);
    expect(body[0].data).toEqual({ site: { settings: { storeName: expect.any(String) } } });
    expect(body[1]).toEqual({ errors: [{ message: tooComplex(10_001) }] });
    expect(res.headers.get('x-bc-graphql-complexity')).toBe(String(3 + 10_001));
  });

  it('sends no score for an invalid query', async () => {
    const r = await gql(s, sf, '{ site { noSuchField } }');
    expect(r.body.errors?.length).toBeGreaterThan(0);
    expect(r.headers.get('x-bc-graphql-complexity')).toBeNull();
  });
});

describe('page sizes', () => {
  type Edges = { edges: { node: { entityId: number } }[] };
  const VARIANTS = 'query V($first: Int, $last: Int) { site { product(entityId: 100) { variants(first: $first, last: $last) { edges { node { entityId } } } } } }';

  it('caps products at 50 per query (BigCommerce platform limit)', async () => {
    const fifty = await gql(s, sf, '{ site { products(first: 50) { edges { node { entityId } } } } }');
    expect(fifty.body.errors).toBeUndefined();
    expect((fifty.body.data as { site: { products: Edges } }).site.products.edges).toHaveLength(50);
    const more = await gql(s, sf, '{ site { products(first: 51) { edges { node { entityId } } } } }');
    expect(more.body.errors?.[0]).toMatchObject({ message: 'Argument "first" must be between 0 and 50.', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('allows up to 250 on a product\'s variants, as storefront product pages ask for', async () => {
    for (const args of [{ first: 250 }, { last: 250 }]) {
      const r = await gql(s, sf, VARIANTS, args);
      expect(r.body.errors).toBeUndefined();
      // Product 100 has three variants: all of them come back.
      expect((r.body.data as { site: { product: { variants: Edges } } }).site.product.variants.edges).toHaveLength(3);
    }
    const over = await gql(s, sf, VARIANTS, { first: 251 });
    expect(over.body.errors?.[0]).toMatchObject({ message: 'Argument "first" must be between 0 and 250.', extensions: { code: 'BAD_USER_INPUT' } });
    const overLast = await gql(s, sf, VARIANTS, { last: 251 });
    expect(overLast.body.errors?.[0].message).toBe('Argument "last" must be between 0 and 250.');
  });
});
