// The response cache wraps what the pass-through fast path produces (gateway.ts: the cache comes after the
// pass-through plugin): the upstream receives the client's document unchanged (no cache bookkeeping selections
// added), a miss stores the upstream's own bytes, and a hit answers them without calling the fast path's executor.
import { parse, print } from 'graphql';
import { createInProcessGateway, type InProcessGateway } from '../helpers/inprocess';
import { CACHE_ON } from './helpers';

const PRODUCTS = /* GraphQL */ `
  query Products {
    site { products(first: 2) { edges { node { entityId name } } } }
  }
`;
const PRODUCTS_WITH_PRICING = /* GraphQL */ `
  query ProductsWithPricing {
    site { products(first: 2) { edges { node { entityId name pricing { price { asEntered } } } } } }
  }
`;

let t: InProcessGateway;
beforeAll(async () => {
  t = await createInProcessGateway({ config: { cache: CACHE_ON } });
});
afterAll(() => t.close());
beforeEach(() => t.http.clearCalls());

describe('cache after the pass-through fast path', () => {
  it('forwards the document unchanged on a miss and answers the hit with the same bytes, without the executor', async () => {
    const miss = await t.fetchGraphQL(PRODUCTS);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const storefrontCalls = t.http.calls.filter((call) => call.kind === 'storefront');
    expect(storefrontCalls).toHaveLength(1);
    // The fast path forwarded the client's document as written: nothing was added to it.
    expect(storefrontCalls[0].query).toBe(print(parse(PRODUCTS)));
    expect(storefrontCalls[0].query).not.toMatch(/__typename|__responseCache/);

    t.http.clearCalls();
    const hit = await t.fetchGraphQL(PRODUCTS);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(t.http.calls).toHaveLength(0);
    expect(hit.text).toBe(miss.text);
  });

  it('stores what the stitched path produced (gateway fields), and answers the hit without REST or storefront calls', async () => {
    const miss = await t.fetchGraphQL(PRODUCTS_WITH_PRICING);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(miss.body.errors).toBeUndefined();
    expect(t.http.calls.length).toBeGreaterThan(0);
    t.http.clearCalls();
    const hit = await t.fetchGraphQL(PRODUCTS_WITH_PRICING);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(t.http.calls).toHaveLength(0);
    expect(hit.text).toBe(miss.text);
  });
});
