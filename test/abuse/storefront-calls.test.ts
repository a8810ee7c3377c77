// One HTTP request must not multiply its Storefront API calls without bound: gateway fields that delegate to the
// storefront (`currentCustomer { customer }`, aliased, in every entry of a batch) each make a call, and
// GATEWAY_MAX_STOREFRONT_CALLS_PER_REQUEST bounds them for the request as a whole (a batch shares the count).
import { parseConfig } from '../../src/config';
import { loginAs, startStack, WHOLESALE, type Stack } from '../helpers/stack';

type Result = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

const CLOSED_SET = ['RATE_LIMITED', 'BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'UPSTREAM_ERROR', 'UPSTREAM_TIMEOUT', 'UNAVAILABLE'];
const aliasedCustomer = (count: number, selection = 'customer { entityId }') =>
  Array.from({ length: count }, (_, i) => `c${i}: currentCustomer { ${selection} }`).join(' ');

describe('storefront calls per request are bounded', () => {
  let stack: Stack;
  let cookie: string;
  const { maxStorefrontCallsPerRequest } = parseConfig({});
  const storefrontCalls = () => stack.sandbox.requestLog.filter((entry) => entry.method === 'POST' && entry.path === '/graphql').length;

  beforeAll(async () => {
    stack = await startStack();
    ({ cookie } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE));
  });
  afterAll(() => stack.close());

  async function post(body: unknown): Promise<Result[]> {
    const before = storefrontCalls();
    const response = await fetch(stack.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Result | Result[];
    made = storefrontCalls() - before;
    return Array.isArray(json) ? json : [json];
  }
  let made = 0;

  it.each<[string, unknown]>([
    ['a batch of 10 × 99 aliased currentCustomer { customer }', Array.from({ length: 10 }, () => ({ query: `{ ${aliasedCustomer(99)} }` }))],
    ['one operation of 99 aliases', { query: `{ ${aliasedCustomer(99)} }` }],
    ['aliases in a fragment spread by every batch entry', Array.from({ length: 10 }, () => ({ query: `query Q { ...F } fragment F on Query { ${aliasedCustomer(12)} }` }))],
    ['aliased nested customer fields', Array.from({ length: 8 }, () => ({ query: `{ ${aliasedCustomer(30, 'customer { a: entityId b: email }')} }` }))],
  ])('%s: at most the bound reaches the storefront, the rest refused with a code', async (_name, body) => {
    const results = await post(body);
    expect(made).toBeLessThanOrEqual(maxStorefrontCallsPerRequest);
    expect(made).toBeGreaterThan(0);
    const errors = results.flatMap((result) => result.errors ?? []);
    expect(errors.map((error) => error.extensions?.reason)).toContain('MAX_STOREFRONT_CALLS');
    for (const error of errors) expect(CLOSED_SET).toContain(error.extensions?.code);
    // What was answered within the bound stands: those aliases carry the shopper (which ones is the executor's order).
    const answered = results.flatMap((result) =>
      Object.values(result.data ?? {}).filter((value) => (value as { customer?: unknown } | null)?.customer),
    );
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length).toBeLessThanOrEqual(maxStorefrontCallsPerRequest);
  });

  it('an ordinary full batch (10 operations, a few delegated fields each) is answered in full', async () => {
    const query = `{ ${aliasedCustomer(3)} site { products(first: 2) { edges { node { entityId } } } } }`;
    const results = await post(Array.from({ length: 10 }, () => ({ query })));
    expect(results).toHaveLength(10);
    for (const result of results) expect(result.errors).toBeUndefined();
    expect(made).toBeLessThanOrEqual(maxStorefrontCallsPerRequest);
  });

  it('the bound is per request: the next request gets its own', async () => {
    await post({ query: `{ ${aliasedCustomer(99)} }` });
    const [next] = await post({ query: `{ ${aliasedCustomer(2)} }` });
    expect(next.errors).toBeUndefined();
  });
});
