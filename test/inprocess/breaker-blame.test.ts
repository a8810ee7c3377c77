/**
 * The circuit breakers count only the upstream's own failures: a call cut by its request's deadline (its earlier
 * calls spent the budget) is the request's doing, and a request that keeps doing it must not open the circuit of a
 * healthy upstream. A call that had the upstream's per-call timeout and did not answer still counts. Fake clock,
 * fake HttpClient: every duration below is exact.
 */
import {
  behave,
  createInProcessGateway,
  restPath,
  settleOnFakeClock,
  settleWithoutClock,
  storefrontQuery,
  useFakeClock,
  type InProcessGateway,
  type InProcessResponse,
} from '../helpers/inprocess';

const BUDGET_MS = 2000;
const PRODUCTS_WITH_PRICING = /* GraphQL */ `
  query ProductsWithPricing { site { products(first: 2) { edges { node { entityId pricing { price { asEntered } } } } } } }
`;
const PRICING_ONLY = /* GraphQL */ `{ pricing(input: { items: [{ productId: 101 }] }) { productId } }`;
const PRODUCTS = /* GraphQL */ `query Products { site { products(first: 1) { edges { node { entityId } } } } }`;
const LOGIN = /* GraphQL */ `mutation Login($email: String!, $pass: String!) { login(email: $email, password: $pass) { result } }`;
const WHOLESALE = { email: 'wholesale@example.com', pass: 'Wholesale1!' };
const PRICING = restPath('/v3/pricing/products');
const VALIDATE_CREDENTIALS = restPath('/v3/customers/validate-credentials');
const PROFILE = storefrontQuery('GatewayCustomerProfile');
/** More than the breakers' threshold of consecutive failures (5). */
const REQUESTS = 8;

const codes = (response: InProcessResponse) => (response.body.errors ?? []).map((error) => error.extensions?.code);
const messages = (response: InProcessResponse) => (response.body.errors ?? []).map((error) => error.message);

async function circuitGauge(t: InProcessGateway, upstream: 'rest' | 'storefront'): Promise<number | undefined> {
  const match = new RegExp(`^gateway_upstream_circuit_open\\{upstream="${upstream}"\\} (\\S+)$`, 'm').exec(await t.metrics());
  return match ? Number(match[1]) : undefined;
}

let t: InProcessGateway;
beforeEach(async () => {
  useFakeClock();
  // No retries: each request is one call of each upstream, so each timeout is one candidate breaker failure.
  // Timed-out logins count as failures of their email: its limit is raised past the requests made here.
  const loginLimits = { windowSeconds: 900, maxAttemptsPerIp: 100, maxFailuresPerEmail: 100 };
  t = await createInProcessGateway({ config: { upstreamTimeoutMs: BUDGET_MS, upstreamRetries: 0, loginLimits } });
});
afterEach(async () => {
  await t.close();
  jest.useRealTimers();
});

describe('a call cut by its own request deadline is not a breaker failure', () => {
  it.each([
    ['1990 ms of storefront work leave 10 ms for a REST call that needs 50', 1990, 50],
    ['1999 ms leave 1 ms for a REST call that needs 30', 1999, 30],
    ['1200 ms leave 800 ms for a REST call that needs 900', 1200, 900],
  ])('REST stays closed when %s, request after request', async (_name, storefrontMs, restMs) => {
    t.http.script('storefront', ...Array.from({ length: REQUESTS }, () => behave.after(storefrontMs)));
    t.http.scriptAlways(PRICING, behave.after(restMs));
    for (let i = 0; i < REQUESTS; i++) {
      const response = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS_WITH_PRICING));
      expect(codes(response)).toContain('UPSTREAM_TIMEOUT');
    }
    expect(t.http.callsTo(PRICING)).toHaveLength(REQUESTS);
    expect(await circuitGauge(t, 'rest')).not.toBe(1);

    // A request with its whole budget reaches REST (no fail-fast) and gets its prices.
    const fresh = await settleOnFakeClock(t.fetchGraphQL(PRICING_ONLY));
    expect(fresh.body.errors).toBeUndefined();
    expect(t.http.callsTo(PRICING)).toHaveLength(REQUESTS + 1);
  });

  it('the storefront stays closed when slow credential checks leave the profile look-up too little time', async () => {
    t.http.script(VALIDATE_CREDENTIALS, ...Array.from({ length: REQUESTS }, () => behave.after(1980)));
    t.http.scriptAlways(PROFILE, behave.after(40));
    for (let i = 0; i < REQUESTS; i++) {
      const response = await settleOnFakeClock(t.fetchGraphQL(LOGIN, WHOLESALE));
      expect(codes(response)).toEqual(['UPSTREAM_TIMEOUT']);
    }
    expect(t.http.callsTo(PROFILE)).toHaveLength(REQUESTS);
    expect(await circuitGauge(t, 'storefront')).not.toBe(1);
    t.http.reset();
    const products = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS));
    expect(products.body.errors).toBeUndefined();
    const login = await settleOnFakeClock(t.fetchGraphQL(LOGIN, WHOLESALE));
    expect(login.body.errors).toBeUndefined();
  });
});

describe("the upstream's own timeouts still open the circuit", () => {
  it('a REST API that hangs for requests with their whole budget opens after 5, then fails fast', async () => {
    t.http.scriptAlways(PRICING, behave.hang());
    for (let i = 0; i < 5; i++) {
      const response = await settleOnFakeClock(t.fetchGraphQL(PRICING_ONLY));
      expect(codes(response)).toEqual(['UPSTREAM_TIMEOUT']);
    }
    expect(await circuitGauge(t, 'rest')).toBe(1);
    const refused = await settleWithoutClock(t.fetchGraphQL(PRICING_ONLY));
    expect(messages(refused)).toEqual(['BigCommerce REST API is unavailable; retrying shortly']);
    expect(t.http.callsTo(PRICING)).toHaveLength(5);
  });

  it('a call that hung for most of the budget after a quick first call counts too', async () => {
    // 200 ms of storefront work, then a REST call that never answers: it had 1800 ms, far past its own timeout.
    t.http.script('storefront', ...Array.from({ length: 5 }, () => behave.after(200)));
    t.http.scriptAlways(PRICING, behave.hang());
    for (let i = 0; i < 5; i++) await settleOnFakeClock(t.fetchGraphQL(PRODUCTS_WITH_PRICING));
    expect(await circuitGauge(t, 'rest')).toBe(1);
  });

  it('the half-open probe goes only with a request that has the per-call timeout left', async () => {
    t.http.scriptAlways(PRICING, behave.hang());
    for (let i = 0; i < 5; i++) await settleOnFakeClock(t.fetchGraphQL(PRICING_ONLY));
    expect(await circuitGauge(t, 'rest')).toBe(1);
    t.http.reset();
    await jest.advanceTimersByTimeAsync(2000);

    // REST is well again, but this request reaches it with 10 ms left: no probe (its outcome would say nothing).
    t.http.script('storefront', behave.after(1990));
    const short = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS_WITH_PRICING));
    expect(messages(short)).toContain('BigCommerce REST API is unavailable; retrying shortly');
    expect(t.http.callsTo(PRICING)).toHaveLength(5);
    expect(await circuitGauge(t, 'rest')).toBe(1);

    // A fresh request probes, the probe succeeds, the circuit closes.
    const probe = await settleOnFakeClock(t.fetchGraphQL(PRICING_ONLY));
    expect(probe.body.errors).toBeUndefined();
    expect(t.http.callsTo(PRICING)).toHaveLength(6);
    expect(await circuitGauge(t, 'rest')).toBe(0);
  });
});
