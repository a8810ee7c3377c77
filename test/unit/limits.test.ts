import { buildSchema, parse } from 'graphql';
import { getComplexity } from 'graphql-query-complexity';
import { createLoginThrottle } from '../../src/auth/login-throttle';
import { createMemoryCounterStore } from '../../src/state/memory';
import { storefrontComplexity } from '../../src/plugins/complexity';

describe('storefrontComplexity (BigCommerce page-size model)', () => {
  const schema = buildSchema(/* GraphQL */ `
    type Query { site: Site }
    type Site { products(first: Int, last: Int): ProductConnection! }
    type ProductConnection { edges: [ProductEdge!]! }
    type ProductEdge { node: Product! }
    type Product { name: String sku: String variants(first: Int): VariantConnection! }
    type VariantConnection { edges: [VariantEdge!]! }
    type VariantEdge { node: Variant! }
    type Variant { sku: String }
  `);
  const score = (query: string, variables: Record<string, unknown> = {}) =>
    getComplexity({ schema, query: parse(query), variables, estimators: [storefrontComplexity] });

  it('multiplies what a paginated field selects by its page size, 10 when omitted', () => {
    // site 1 + products 1 + n × (edges 1 + node 1 + name 1 + sku 1)
    expect(score(`{ site { products(first: 1) { edges { node { name sku } } } } }`)).toBe(2 + 4 * 1);
    expect(score(`{ site { products(first: 50) { edges { node { name sku } } } } }`)).toBe(2 + 4 * 50);
    expect(score(`{ site { products { edges { node { name sku } } } } }`)).toBe(score(`{ site { products(first: 10) { edges { node { name sku } } } } }`));
  });

  it('reads page sizes from variables and nests multiplications', () => {
    const query = `query($n: Int) { site { products(first: $n) { edges { node { variants(first: $n) { edges { node { sku } } } } } } } }`;
    // site 1 + products 1 + n × (edges 1 + node 1 + variants 1 + n × (edges 1 + node 1 + sku 1))
    expect(score(query, { n: 50 })).toBe(2 + 50 * (3 + 50 * 3));
    expect(score(query, { n: 80 })).toBeGreaterThan(10_000);
    expect(score(query, { n: 2 })).toBeLessThan(100);
  });
});

describe('login throttle', () => {
  const limits = { windowSeconds: 60, maxAttemptsPerIp: 4, maxFailuresPerEmail: 2 };

  it('counts an attempt against the email before it is made; a success clears the count', async () => {
    const now = 1_000_000;
    const throttle = createLoginThrottle({ store: createMemoryCounterStore(() => now), limits, now: () => now });
    await throttle.beforeAttempt('1.1.1.1', 'A@example.com');
    await throttle.beforeAttempt('1.1.1.2', 'a@example.com ');
    await expect(throttle.beforeAttempt('1.1.1.3', 'a@example.com')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfterMs: 60_000 } });
    await throttle.succeeded('a@example.com');
    await expect(throttle.beforeAttempt('1.1.1.4', 'a@example.com')).resolves.toBeUndefined();
  });

  it('limits attempts per address across emails, until the window ends', async () => {
    let now = 1_000_000;
    const throttle = createLoginThrottle({ store: createMemoryCounterStore(() => now), limits, now: () => now });
    for (let i = 0; i < 4; i++) await throttle.beforeAttempt('9.9.9.9', `u${i}@example.com`);
    await expect(throttle.beforeAttempt('9.9.9.9', 'u9@example.com')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    now += 61_000;
    await expect(throttle.beforeAttempt('9.9.9.9', 'u9@example.com')).resolves.toBeUndefined();
  });
});
