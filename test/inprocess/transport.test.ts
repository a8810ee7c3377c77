/**
 * The storefront transport's deadline, retry and circuit-breaker behaviour, the fast path, the body limit and
 * complexity reporting — through `gateway.yoga.fetch`, a fake HttpClient and jest's fake clock. Every timing
 * assertion is exact: nothing here waits on a real timer.
 */
import { createYoga, type Plugin } from 'graphql-yoga';
import { parseConfig } from '../../src/config';
import type { GatewayContext } from '../../src/context';
import { storefrontPassthroughPlugin } from '../../src/plugins/storefront-passthrough';
import { createResilience } from '../../src/remote/resilience';
import { createStorefrontClient } from '../../src/remote/storefront-client';
import {
  behave,
  createInProcessGateway,
  FakeUpstream,
  flush,
  restPath,
  settleOnFakeClock,
  settleWithoutClock,
  storefrontQuery,
  TEST_STORE,
  track,
  useFakeClock,
  type InProcessGateway,
  type InProcessOptions,
  type InProcessResponse,
} from '../helpers/inprocess';

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
const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $pass: String!) {
    login(email: $email, password: $pass) { result sessionToken }
  }
`;
const WHOLESALE = { email: 'wholesale@example.com', pass: 'Wholesale1!' };
const CREATE_CART = /* GraphQL */ `
  mutation CreateCart {
    cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: 101 }] }) { cart { entityId } } }
  }
`;

const VALIDATE_CREDENTIALS = restPath('/v3/customers/validate-credentials');
const PRICING = restPath('/v3/pricing/products');
const PROFILE = storefrontQuery('GatewayCustomerProfile');

function firstError(response: InProcessResponse) {
  const error = response.body.errors?.[0];
  if (!error) throw new Error(`expected an error, got ${response.text}`);
  return error;
}

/** The gauge's value for the storefront breaker, as /metrics shows it (undefined before its first change). */
async function circuitGauge(t: InProcessGateway): Promise<number | undefined> {
  const match = /^gateway_upstream_circuit_open\{upstream="storefront"\} (\S+)$/m.exec(await t.metrics());
  return match ? Number(match[1]) : undefined;
}

let current: InProcessGateway | undefined;
async function gateway(options: InProcessOptions = {}): Promise<InProcessGateway> {
  current = await createInProcessGateway(options);
  return current;
}

beforeEach(() => useFakeClock());
afterEach(async () => {
  await current?.close();
  current = undefined;
  jest.useRealTimers();
});

describe('deadline: UPSTREAM_TIMEOUT_MS bounds the whole upstream part of a request, retries included', () => {
  it('a hanging upstream answers UPSTREAM_TIMEOUT after exactly the 2000 ms budget, after one call (not timeout × retries)', async () => {
    const t = await gateway({ config: { upstreamTimeoutMs: 2000, upstreamRetries: 2 } });
    t.http.scriptAlways('storefront', behave.hang());
    const start = Date.now();
    const pending = track(t.fetchGraphQL(PRODUCTS));
    const [call] = await t.http.waitForCalls(1, 'storefront');
    // The fake clock has not moved: the budget starts with the call.
    expect(call.at).toBe(start);

    await jest.advanceTimersByTimeAsync(1999);
    await flush();
    expect(pending.settled()).toBe(false);

    await jest.advanceTimersByTimeAsync(1);
    // Settles with no further time passing (polls the job queues only; fails if it needed the clock).
    await settleWithoutClock(pending.promise);

    const response = await pending.promise;
    const error = firstError(response);
    expect(error.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.message).toContain('2000 ms');
    expect(response.body.data).toBeNull();
    // The upstream saw the abort at the deadline.
    expect(call.outcome).toBe('rejected');
    expect(call.endedAt).toBe(start + 2000);
    // Long after: still one call. A timeout is never retried (the budget is spent).
    await jest.advanceTimersByTimeAsync(10_000);
    expect(t.http.calls).toHaveLength(1);
  });

  it('a login whose credential check took 1500 ms leaves 500 ms for the storefront profile look-up', async () => {
    const t = await gateway({ config: { upstreamTimeoutMs: 2000, upstreamRetries: 2 } });
    t.http.script(VALIDATE_CREDENTIALS, behave.after(1500));
    t.http.scriptAlways(PROFILE, behave.hang());
    const start = Date.now();
    const pending = track(t.fetchGraphQL(LOGIN, WHOLESALE));
    await t.http.waitForCalls(1, VALIDATE_CREDENTIALS);

    await jest.advanceTimersByTimeAsync(1500);
    const [profile] = await t.http.waitForCalls(1, PROFILE);
    expect(profile.at).toBe(start + 1500);

    await jest.advanceTimersByTimeAsync(499);
    await flush();
    expect(pending.settled()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await settleWithoutClock(pending.promise);

    const error = firstError(await pending.promise);
    expect(error.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.message).toContain('2000 ms');
    expect(profile.endedAt).toBe(start + 2000);
    expect(t.http.callsTo(PROFILE)).toHaveLength(1);
  });

  it('a storefront call that took 1500 ms leaves 500 ms for the REST pricing call of Product.pricing', async () => {
    const t = await gateway({ config: { upstreamTimeoutMs: 2000, upstreamRetries: 2 } });
    t.http.script('storefront', behave.after(1500));
    t.http.scriptAlways(PRICING, behave.hang());
    const start = Date.now();
    const pending = track(t.fetchGraphQL(PRODUCTS_WITH_PRICING));
    await t.http.waitForCalls(1, 'storefront');

    await jest.advanceTimersByTimeAsync(1500);
    const [pricing] = await t.http.waitForCalls(1, PRICING);
    expect(pricing.at).toBe(start + 1500);

    await jest.advanceTimersByTimeAsync(499);
    await flush();
    expect(pending.settled()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await settleWithoutClock(pending.promise);

    const response = await pending.promise;
    // The storefront data arrived; only the priced fields failed, with the request's budget in the message.
    const edges = (response.body.data as { site: { products: { edges: Array<{ node: { entityId: number; pricing: unknown } }> } } }).site.products.edges;
    expect(edges.map((edge) => edge.node)).toEqual([
      { entityId: 101, name: 'Product 101', pricing: null },
      { entityId: 102, name: 'Product 102', pricing: null },
    ]);
    const error = firstError(response);
    expect(error.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(error.message).toContain('2000 ms');
    expect(pricing.endedAt).toBe(start + 2000);
    expect(t.http.callsTo(PRICING)).toHaveLength(1);
  });
});

describe('retries: only what can succeed on retry', () => {
  // One gateway for the block (composing one costs more than all these requests together).
  let shared: InProcessGateway | undefined;
  beforeAll(async () => {
    shared = await createInProcessGateway({ config: { upstreamTimeoutMs: 2000, upstreamRetries: 2 } });
  });
  afterAll(async () => {
    await shared?.close();
  });
  beforeEach(async () => {
    if (!shared) throw new Error('no gateway');
    shared.http.reset();
    // A success resets both breakers' count of consecutive failures: no test inherits another's.
    const warm = await settleOnFakeClock(shared.fetchGraphQL(PRODUCTS_WITH_PRICING));
    expect(warm.body.errors).toBeUndefined();
    shared.http.clearCalls();
  });
  const gateway = async (): Promise<InProcessGateway> => {
    if (!shared) throw new Error('no gateway');
    return shared;
  };

  it('storefront 401 (the gateway credentials refused): exactly one call, UPSTREAM_ERROR', async () => {
    const t = await gateway();
    t.http.scriptAlways('storefront', behave.json(401, { errors: [{ message: 'Invalid token' }] }));
    const response = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS));
    await jest.advanceTimersByTimeAsync(5000);
    expect(firstError(response).extensions?.code).toBe('UPSTREAM_ERROR');
    expect(t.http.calls).toHaveLength(1);
  });

  it('storefront 500: 1 + UPSTREAM_RETRIES calls, with backoff 100 ms then 200 ms', async () => {
    const t = await gateway();
    t.http.scriptAlways('storefront', behave.reply(500, 'Internal Server Error', { 'content-type': 'text/plain' }));
    const start = Date.now();
    const response = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS), { stepMs: 1 });
    await jest.advanceTimersByTimeAsync(5000);
    const error = firstError(response);
    expect(error.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toBe('Storefront API answered 500');
    expect(t.http.calls.map((call) => call.at - start)).toEqual([0, 100, 300]);
  });

  it('transport failure (rejected promise): retried, and the retry succeeds', async () => {
    const t = await gateway();
    t.http.script('storefront', behave.reject());
    const start = Date.now();
    const response = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS), { stepMs: 1 });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      site: { products: { edges: [{ node: { entityId: 101, name: 'Product 101' } }, { node: { entityId: 102, name: 'Product 102' } }] } },
    });
    expect(t.http.calls.map((call) => [call.at - start, call.outcome])).toEqual([
      [0, 'rejected'],
      [100, 200],
    ]);
  });

  it('429 with x-rate-limit-time-reset-ms: 50 is retried after exactly 50 ms and succeeds', async () => {
    const t = await gateway();
    t.http.script('storefront', behave.json(429, { errors: [{ message: 'Too many requests' }] }, { 'x-rate-limit-time-reset-ms': '50' }));
    const start = Date.now();
    const response = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS), { stepMs: 1 });
    expect(response.body.errors).toBeUndefined();
    expect(t.http.calls.map((call) => [call.at - start, call.outcome])).toEqual([
      [0, 429],
      [50, 200],
    ]);
  });

  it('429 whose reset comes after the deadline: not retried, RATE_LIMITED with retryAfterMs, answered at once', async () => {
    const t = await gateway();
    t.http.scriptAlways('storefront', behave.json(429, { errors: [{ message: 'Too many requests' }] }, { 'x-rate-limit-time-reset-ms': '5000' }));
    const start = Date.now();
    const response = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS), { stepMs: 1 });
    expect(Date.now() - start).toBeLessThan(10);
    await jest.advanceTimersByTimeAsync(10_000);
    const error = firstError(response);
    expect(error.extensions?.code).toBe('RATE_LIMITED');
    expect(error.extensions?.retryAfterMs).toBe(5000);
    expect(t.http.calls).toHaveLength(1);
  });

  it('a malformed body (not JSON): one call, UPSTREAM_ERROR', async () => {
    const t = await gateway();
    t.http.scriptAlways('storefront', behave.reply(200, '<html>Service temporarily unavailable</html>', { 'content-type': 'text/html' }));
    const response = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS));
    await jest.advanceTimersByTimeAsync(5000);
    const error = firstError(response);
    expect(error.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toBe('Storefront API returned a malformed response');
    expect(response.text).not.toContain('<html>');
    expect(t.http.calls).toHaveLength(1);
  });

  it('a mutation against a 500: one call (mutations are not idempotent)', async () => {
    const t = await gateway();
    t.http.scriptAlways('storefront', behave.reply(500, 'Internal Server Error'));
    const response = await settleOnFakeClock(t.fetchGraphQL(CREATE_CART));
    await jest.advanceTimersByTimeAsync(5000);
    expect(firstError(response).extensions?.code).toBe('UPSTREAM_ERROR');
    expect(t.http.calls).toHaveLength(1);
    expect(t.http.calls[0].query).toContain('createCart');
  });

  it("the gateway's own storefront query (login's profile look-up) is retried after a 500, like any query", async () => {
    const t = await gateway();
    t.http.script(PROFILE, behave.reply(500, 'Internal Server Error'));
    const start = Date.now();
    const response = await settleOnFakeClock(t.fetchGraphQL<{ login: { result: string; sessionToken: string } }>(LOGIN, WHOLESALE), { stepMs: 1 });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.login.result).toBe('success');
    expect(t.http.callsTo(VALIDATE_CREDENTIALS)).toHaveLength(1);
    const profiles = t.http.callsTo(PROFILE);
    expect(profiles.map((call) => [call.at - start, call.outcome])).toEqual([
      [0, 500],
      [100, 200],
    ]);
    // Asked as the customer the credentials named.
    expect(profiles[1].headers['x-bc-customer-id']).toBe('7');
  });

  it("the gateway's own storefront query is not retried after a 401", async () => {
    const t = await gateway();
    t.http.scriptAlways(PROFILE, behave.json(401, { errors: [{ message: 'Invalid token' }] }));
    const response = await settleOnFakeClock(t.fetchGraphQL(LOGIN, WHOLESALE));
    await jest.advanceTimersByTimeAsync(5000);
    expect(firstError(response).extensions?.code).toBe('UPSTREAM_ERROR');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(t.http.callsTo(PROFILE)).toHaveLength(1);
  });

  it('REST validate-credentials (a POST that is not a read) is not retried after a 500', async () => {
    const t = await gateway();
    t.http.scriptAlways(VALIDATE_CREDENTIALS, behave.reply(500, 'Internal Server Error'));
    const response = await settleOnFakeClock(t.fetchGraphQL(LOGIN, WHOLESALE));
    await jest.advanceTimersByTimeAsync(5000);
    expect(firstError(response).extensions?.code).toBe('UPSTREAM_ERROR');
    expect(t.http.callsTo(VALIDATE_CREDENTIALS)).toHaveLength(1);
    expect(t.http.callsTo(PROFILE)).toHaveLength(0);
  });
});

describe('half-open circuit', () => {
  it('opens after 5 consecutive failures, fails fast while open, lets exactly one probe through, and closes on its success', async () => {
    // No retries: each failing request is one failure of the breaker.
    const t = await gateway({ config: { upstreamTimeoutMs: 2000, upstreamRetries: 0 } });
    t.http.scriptAlways('storefront', behave.reply(500, 'Internal Server Error'));
    for (let i = 0; i < 5; i++) {
      const response = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS));
      expect(firstError(response).message).toBe('Storefront API answered 500');
    }
    expect(t.http.calls).toHaveLength(5);
    const openedAt = Date.now();
    expect(await circuitGauge(t)).toBe(1);

    // Open window: failing at once, nothing sent upstream.
    t.http.reset();
    const refused = firstError(await settleWithoutClock(t.fetchGraphQL(PRODUCTS)));
    expect(refused.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(refused.message).toBe('Storefront API is unavailable; retrying shortly');
    await jest.advanceTimersByTimeAsync(openedAt + 1999 - Date.now());
    expect(firstError(await settleWithoutClock(t.fetchGraphQL(PRODUCTS))).extensions?.code).toBe('UPSTREAM_ERROR');
    expect(t.http.calls).toHaveLength(5);
    expect(await circuitGauge(t)).toBe(1);

    // After the window: 20 concurrent requests, one probe (held open by the fake), 19 failing fast.
    await jest.advanceTimersByTimeAsync(1);
    const probe = behave.held();
    t.http.script('storefront', probe.behaviour);
    const burst = Array.from({ length: 20 }, () => track(t.fetchGraphQL(PRODUCTS)));
    await t.http.waitForCalls(6);
    for (let turn = 0; turn < 1000 && burst.filter((request) => request.settled()).length < 19; turn++) await flush(1);
    await flush();
    expect(t.http.calls).toHaveLength(6);
    const failedFast = burst.filter((request) => request.settled());
    expect(failedFast).toHaveLength(19);
    for (const request of failedFast) {
      const error = firstError(await request.promise);
      expect(error.extensions?.code).toBe('UPSTREAM_ERROR');
      expect(error.message).toBe('Storefront API is unavailable; retrying shortly');
    }
    expect(await circuitGauge(t)).toBe(0.5);

    // The probe succeeds: closed, and requests go upstream again.
    probe.release();
    const probed = burst.find((request) => !request.settled());
    if (!probed) throw new Error('no probe in flight');
    const probeResponse = await probed.promise;
    expect(probeResponse.body.errors).toBeUndefined();
    expect(await circuitGauge(t)).toBe(0);
    for (let i = 0; i < 3; i++) {
      const response = await settleOnFakeClock(t.fetchGraphQL(PRODUCTS));
      expect(response.body.errors).toBeUndefined();
    }
    expect(t.http.calls).toHaveLength(9);
    expect(await circuitGauge(t)).toBe(0);
  });
});

describe('fast path keeps what plugins add', () => {
  /** Unusual but valid JSON: a re-serialisation could never reproduce these bytes. */
  const ODD_BYTES = '{ "data" :{"site":  {"settings" : {"storeName":"Odd\\u0020spacing" ,"channelId" : 1.0 } } }\n}';
  const SETTINGS = `query Settings { site { settings { storeName channelId } } }`;

  function smallYoga(fake: FakeUpstream, later: Plugin) {
    const resilience = createResilience({ upstream: 'storefront', retries: 0, backoffMs: 100, breaker: { failureThreshold: 5, halfOpenAfterMs: 2000 } });
    const executor = createStorefrontClient({ store: TEST_STORE, http: fake.request, resilience, timeoutMs: 2000, maxCallsPerRequest: 50 });
    const context = (): GatewayContext => ({
      session: null,
      shopper: null,
      clientIp: '',
      correlationId: 'fast-path-test',
      trustedServer: false,
      channelId: TEST_STORE.channelId,
      responseCookies: [],
      tally: { upstreamCalls: 0 },
      loaders: new Map(),
    });
    return createYoga({
      schema: fake.storefrontSchema,
      context,
      logging: false,
      plugins: [storefrontPassthroughPlugin({ executor, gatewayFields: () => new Set(), frontDoorFields: () => new Set() }) as Plugin, later],
    });
  }

  async function post(yoga: ReturnType<typeof smallYoga>, query: string): Promise<string> {
    const response = await yoga.fetch('http://gateway.invalid/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(200);
    return response.text();
  }

  const noop: Plugin = {};

  it('an unchanged result is sent as the upstream bytes, byte for byte (gateway and bare yoga alike)', async () => {
    const fake = new FakeUpstream({ store: TEST_STORE });
    fake.scriptAlways('storefront', behave.reply(200, ODD_BYTES, { 'content-type': 'application/json' }));
    expect(await post(smallYoga(fake, noop), SETTINGS)).toBe(ODD_BYTES);

    const t = await gateway();
    t.http.scriptAlways('storefront', behave.reply(200, ODD_BYTES, { 'content-type': 'application/json' }));
    const response = await t.fetchGraphQL(SETTINGS);
    expect(response.text).toBe(ODD_BYTES);
  });

  it('extensions added in onExecuteDone (in place) reach the response', async () => {
    const fake = new FakeUpstream({ store: TEST_STORE });
    fake.scriptAlways('storefront', behave.reply(200, ODD_BYTES));
    const addInPlace: Plugin = {
      onExecute: () => ({
        onExecuteDone({ result }) {
          if (!('data' in result)) throw new Error('expected a single result');
          result.extensions = { traced: 'in-place' };
        },
      }),
    };
    const body = JSON.parse(await post(smallYoga(fake, addInPlace), SETTINGS)) as unknown;
    expect(body).toEqual({ data: { site: { settings: { storeName: 'Odd spacing', channelId: 1 } } }, extensions: { traced: 'in-place' } });
  });

  it('extensions added with setResult in onExecuteDone reach the response', async () => {
    const fake = new FakeUpstream({ store: TEST_STORE });
    fake.scriptAlways('storefront', behave.reply(200, ODD_BYTES));
    const replace: Plugin = {
      onExecute: () => ({
        onExecuteDone({ result, setResult }) {
          if (!('data' in result)) throw new Error('expected a single result');
          setResult({ ...result, extensions: { traced: 'replaced' } });
        },
      }),
    };
    const body = JSON.parse(await post(smallYoga(fake, replace), SETTINGS)) as unknown;
    expect(body).toEqual({ data: { site: { settings: { storeName: 'Odd spacing', channelId: 1 } } }, extensions: { traced: 'replaced' } });
  });

  it('extensions added in onResultProcess reach the response', async () => {
    const fake = new FakeUpstream({ store: TEST_STORE });
    fake.scriptAlways('storefront', behave.reply(200, ODD_BYTES));
    const late: Plugin = {
      onResultProcess({ result }) {
        if (Array.isArray(result) || !('data' in result)) throw new Error('expected a single result');
        const mutable = result as { extensions?: Record<string, unknown> };
        mutable.extensions = { cache: 'MISS' };
      },
    };
    const body = JSON.parse(await post(smallYoga(fake, late), SETTINGS)) as unknown;
    expect(body).toEqual({ data: { site: { settings: { storeName: 'Odd spacing', channelId: 1 } } }, extensions: { cache: 'MISS' } });
  });
});

describe('one request path: the body limit applies through yoga.fetch', () => {
  const limits = { ...parseConfig({}).limits, maxBodyBytes: 1024 };
  const padded = JSON.stringify({ query: PRODUCTS, variables: { pad: 'x'.repeat(2000) } });

  it('a Content-Length above limits.maxBodyBytes gets 413 BAD_USER_INPUT, and nothing goes upstream', async () => {
    const t = await gateway({ config: { limits } });
    const response = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(padded)) },
      body: padded,
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(t.http.calls).toHaveLength(0);

    // The same operation within the limit goes through.
    const small = await t.fetchGraphQL(PRODUCTS);
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
  });

  it('a chunked body without Content-Length gets 411', async () => {
    const t = await gateway({ config: { limits } });
    const bytes = new TextEncoder().encode(JSON.stringify({ query: PRODUCTS }));
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      }),
      duplex: 'half',
    };
    const response = await t.fetch('/graphql', init);
    expect(response.status).toBe(411);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(t.http.calls).toHaveLength(0);
  });
});

describe("BigCommerce's complexity score is observed", () => {
  it('x-bc-graphql-complexity reaches gateway_storefront_complexity in /metrics', async () => {
    const t = await gateway({ storefrontHeaders: { 'x-bc-graphql-complexity': '1234' } });
    const response = await t.fetchGraphQL(PRODUCTS);
    expect(response.body.errors).toBeUndefined();
    const metrics = await t.metrics();
    expect(metrics).toMatch(/^gateway_storefront_complexity_sum 1234$/m);
    expect(metrics).toMatch(/^gateway_storefront_complexity_count 1$/m);
    expect(metrics).toMatch(/^gateway_storefront_complexity_bucket\{le="1000"\} 0$/m);
    expect(metrics).toMatch(/^gateway_storefront_complexity_bucket\{le="2500"\} 1$/m);
  });

  it('the request log line carries the complexity of the request', async () => {
    const t = await gateway({ storefrontHeaders: { 'x-bc-graphql-complexity': '1234' } });
    const response = await t.fetchGraphQL(PRODUCTS);
    expect(response.body.errors).toBeUndefined();
    const lines = t.logEntries('graphql request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ operationName: 'Products', upstreamCalls: 1, complexity: 1234 });
  });
});
