// One anonymous client must not be able to spend the store's REST quota: all REST work of a request is batched
// (aliases, fragments and batch entries share one call per pricing scope), a request makes at most
// GATEWAY_MAX_REST_CALLS_PER_REQUEST calls, a client at most GATEWAY_CLIENT_REST_CALLS_PER_MINUTE calls, and the
// last GATEWAY_REST_QUOTA_RESERVE_PERCENT of the store's quota is kept for logins (rest-quota-essential.test.ts).
import { gql, startGateway, startStack, WHOLESALE, type Stack } from '../helpers/stack';
import { parseConfig } from '../../src/config';

const QUOTA = 60;
const PRICING_PATH = /\/v3\/pricing\/products$/;
const ITEMS = Array.from({ length: 10 }, (_, i) => `{ productId: ${100 + (i % 20)}, variantId: ${i + 1} }`).join(', ');
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'NZD', 'MXN', 'BRL'];

/** Countries that exist (ISO 3166-1): with the store's two currencies, each alias below is a scope of its own. */
const COUNTRIES = ['US', 'CA', 'MX', 'GB', 'FR', 'DE', 'IT', 'ES', 'NL', 'BE', 'SE', 'NO', 'DK', 'PL', 'JP'];

/** `count` aliased Query.pricing fields; with `currencies`, each alias asks in its own currency and country (its own scope). */
function aliasedPricing(count: number, currencies: boolean): string {
  return Array.from({ length: count }, (_, i) => {
    const currency = currencies ? `, currencyCode: "${i % 2 === 0 ? 'USD' : 'EUR'}", countryCode: "${COUNTRIES[i % COUNTRIES.length]}"` : '';
    return `p${i}: pricing(input: { items: [${ITEMS}]${currency} }) { productId }`;
  }).join(' ');
}

const batchOf = (size: number, query: string) => JSON.stringify(Array.from({ length: size }, () => ({ query })));

async function postBatch(url: string, body: string, ip: string): Promise<Array<{ errors?: Array<{ extensions?: Record<string, unknown> }> }>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body });
  return (await response.json()) as Array<{ errors?: Array<{ extensions?: Record<string, unknown> }> }>;
}

describe('REST quota: an anonymous request cannot spend the store budget', () => {
  let stack: Stack;
  const pricingCalls = () => stack.sandbox.requestLog.filter((entry) => PRICING_PATH.test(entry.path)).length;

  beforeEach(async () => {
    // A fresh store per case, with BigCommerce's quota shrunk so the attack would exhaust it many times over.
    stack = await startStack({ sandbox: { rateLimitQuota: QUOTA, rateLimitWindowMs: 60_000 }, config: { trustProxy: true } });
  });
  afterEach(() => stack.close());

  it('batches 10 operations × 30 aliased pricing fields of one scope into one REST call', async () => {
    const results = await postBatch(stack.gateway.graphqlUrl, batchOf(10, `{ ${aliasedPricing(30, false)} }`), '198.51.100.10');
    expect(results).toHaveLength(10);
    for (const result of results) expect(result.errors).toBeUndefined();
    expect(pricingCalls()).toBe(1);
  });

  it.each<[string, string]>([
    ['aliases in 15 scopes (currency and country) × a batch of 10', batchOf(10, `{ ${aliasedPricing(30, true)} }`)],
    ['aliases in fragments spread by every batch entry', batchOf(10, `query Q { ...F } fragment F on Query { ${aliasedPricing(15, true)} }`)],
    ['Product.pricing in 15 currencies', batchOf(5, `{ site { products(first: 50) { edges { node { ${CURRENCIES.map((c, i) => `c${i}: pricing(currencyCode: "${c}") { productId }`).join(' ')} } } } } }`)],
  ])('bounds %s to the per-request limit, refused with a code', async (_name, body) => {
    const { maxCallsPerRequest } = parseConfig({}).restBudget;
    const results = await postBatch(stack.gateway.graphqlUrl, body, '198.51.100.11');
    expect(pricingCalls()).toBeLessThanOrEqual(maxCallsPerRequest);
    const codes = results.flatMap((result) => (result.errors ?? []).map((error) => error.extensions?.code));
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(['RATE_LIMITED', 'BAD_USER_INPUT']).toContain(code);
  });

  it('keeps the reserve for logins: after a flood from many addresses, a correct login still succeeds', async () => {
    const flood = Array.from({ length: 12 }, (_, i) => postBatch(stack.gateway.graphqlUrl, batchOf(10, `{ ${aliasedPricing(30, true)} }`), `203.0.113.${i + 1}`));
    const results = (await Promise.all(flood)).flat();
    const reasons = new Set(results.flatMap((result) => (result.errors ?? []).map((error) => error.extensions?.reason)));
    expect(reasons).toContain('REST_QUOTA_RESERVED');
    // BigCommerce never had to refuse anything: the gateway stopped catalog calls first.
    expect(pricingCalls()).toBeLessThan(QUOTA * (1 - parseConfig({}).restBudget.reserveFraction) + 1);
    const login = await gql<{ login: { sessionToken: string } }>(
      stack.gateway.graphqlUrl,
      `mutation($email: String!, $pass: String!) { login(email: $email, password: $pass) { sessionToken } }`,
      WHOLESALE,
      { 'x-forwarded-for': '192.0.2.50' },
    );
    expect(login.body.errors).toBeUndefined();
    expect(login.body.data?.login.sessionToken).toEqual(expect.any(String));
  });

  it('bounds one client address per minute; trusted servers are exempt', async () => {
    const gateway = await startGateway(stack.sandbox, { config: { trustProxy: true, restBudget: { ...parseConfig({}).restBudget, clientCallsPerMinute: 3 } } });
    try {
      const ask = (ip: string, headers: Record<string, string> = {}) =>
        gql(gateway.graphqlUrl, `{ pricing(input: { items: [{ productId: 100 }] }) { productId } }`, {}, { 'x-forwarded-for': ip, ...headers });
      for (let i = 0; i < 3; i++) expect((await ask('198.51.100.77')).body.errors).toBeUndefined();
      const refused = await ask('198.51.100.77');
      expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'CLIENT_REST_BUDGET' });
      expect((await ask('198.51.100.78')).body.errors).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });
});
