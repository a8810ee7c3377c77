// Essential REST calls (logins, checkout links) must not become the flood that the catalog reserve was kept from:
// every REST call made for a client counts against its budget (by address, by the /56, /48 or /24 around it, and
// by account), and once the store's quota is within the reserve only logins go on, each client's only up to its
// share. Done when no traffic from one /48, one /24 or one account makes a bystander's correct login fail — with
// the sandbox's REST rate limit shrunk so that every flood here exhausts BigCommerce's quota several times over.
import { parseConfig } from '../../src/config';
import { loginAs, RETAIL, startGateway, startStack, WHOLESALE, type Stack } from '../helpers/stack';

const QUOTA = 60;
/** Hundreds of requests through two servers in one process: more than jest's default on a busy machine. */
const FLOOD_TIMEOUT_MS = 90_000;
const BYSTANDER_IP = '192.0.2.50';
const LOGIN = `mutation($email: String!, $pass: String!) { login(email: $email, password: $pass) { sessionToken } }`;

type Result = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

let stack: Stack;
const restCalls = () => stack.sandbox.requestLog.filter((entry) => entry.path.startsWith('/stores/')).length;

async function post(url: string, body: unknown, ip: string, headers: Record<string, string> = {}): Promise<Result[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...headers },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Result | Result[];
  return Array.isArray(json) ? json : [json];
}

/** Runs `task` for every item, `width` at a time (a flood, without opening hundreds of sockets at once). */
async function flood<T>(items: T[], width: number, task: (item: T) => Promise<Result[]>): Promise<Result[]> {
  const results: Result[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(task))).flat());
  return results;
}

const reasonsOf = (results: Result[]) => new Set(results.flatMap((result) => (result.errors ?? []).map((error) => error.extensions?.reason)));

/** A wrong guess for an address of its own, so no email's failure limit is what stops the flood. */
const wrongLogin = (i: number) => ({ query: LOGIN, variables: { email: `nobody-${i}@example.com`, pass: 'wrong-password' } });

async function expectBystanderLogsIn(url = stack.gateway.graphqlUrl): Promise<void> {
  const [login] = await post(url, { query: LOGIN, variables: RETAIL }, BYSTANDER_IP);
  expect(login.errors).toBeUndefined();
  expect((login.data?.login as { sessionToken?: string } | undefined)?.sessionToken).toEqual(expect.any(String));
}

/** Login attempts (each one `validate-credentials` call) from `addresses`: one a request, or a batch of aliased ones. */
async function loginFlood(addresses: string[], batch?: { entries: number; aliases: number }): Promise<Result[]> {
  return flood(addresses, 16, (ip) => {
    const n = addresses.indexOf(ip);
    if (!batch) return post(stack.gateway.graphqlUrl, wrongLogin(n), ip);
    const entry = (e: number) => ({
      query: `mutation { ${Array.from({ length: batch.aliases }, (_, i) => `l${i}: login(email: "nobody-${n}-${e}-${i}@example.com", password: "wrong") { result }`).join(' ')} }`,
    });
    return post(stack.gateway.graphqlUrl, Array.from({ length: batch.entries }, (_, e) => entry(e)), ip);
  });
}

describe('the REST reserve holds against essential calls', () => {
  beforeEach(async () => {
    stack = await startStack({ sandbox: { rateLimitQuota: QUOTA, rateLimitWindowMs: 60_000 }, config: { trustProxy: true } });
  });
  afterEach(() => stack.close());

  it('aliased checkoutLoginUrl × batch on one account’s own cart, from a new /48 every request', async () => {
    const { cookie } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    const [created] = await post(
      stack.gateway.graphqlUrl,
      { query: `mutation { cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: 100 }] }) { cart { entityId } } } }` },
      '198.51.100.1',
      { cookie },
    );
    const cartId = (created.data?.cart as { createCart: { cart: { entityId: string } } }).createCart.cart.entityId;
    const aliases = Array.from({ length: 10 }, (_, i) => `c${i}: checkoutLoginUrl(cartEntityId: "${cartId}") { url }`).join(' ');
    const batch = Array.from({ length: 10 }, () => ({ query: `mutation { ${aliases} }` }));
    const addresses = Array.from({ length: 15 }, (_, i) => `2001:db8:${(i + 1).toString(16)}::7`);
    const results = await flood(addresses, 1, (ip) => post(stack.gateway.graphqlUrl, batch, ip, { cookie }));
    expect(reasonsOf(results)).toContain('REST_QUOTA_RESERVED');
    // The gateway stopped before BigCommerce had to refuse: the quota was never overdrawn.
    expect(restCalls()).toBeLessThanOrEqual(QUOTA);
    await expectBystanderLogsIn();
  }, FLOOD_TIMEOUT_MS);

  it.each<[string, string[]]>([
    ['256 /64s of one /56', Array.from({ length: 256 }, (_, i) => `2001:db8:77:${(0x1200 + i).toString(16)}::1`)],
    ['256 /64s spread over the 16 /56s of one /48', Array.from({ length: 256 }, (_, i) => `2001:db8:88:${(((i % 16) << 8) | (i >> 4)).toString(16)}::${i.toString(16)}`)],
    ['every address of one IPv4 /24', Array.from({ length: 256 }, (_, i) => `198.51.100.${i}`)],
  ])('login attempts from %s do not make a bystander’s correct login fail', async (_name, addresses) => {
    const results = await loginFlood(addresses);
    const codes = new Set(results.flatMap((result) => (result.errors ?? []).map((error) => error.extensions?.code)));
    expect([...codes].every((code) => code === 'UNAUTHENTICATED' || code === 'RATE_LIMITED')).toBe(true);
    expect(restCalls()).toBeLessThanOrEqual(QUOTA);
    await expectBystanderLogsIn();
  }, FLOOD_TIMEOUT_MS);

  it('aliased logins × batch (3 × 10 a request) from 20 /64s of one /48', async () => {
    const addresses = Array.from({ length: 20 }, (_, i) => `2001:db8:99:${(i * 97).toString(16)}::1`);
    await loginFlood(addresses, { entries: 3, aliases: 10 });
    expect(restCalls()).toBeLessThanOrEqual(QUOTA);
    await expectBystanderLogsIn();
  }, FLOOD_TIMEOUT_MS);

  it('a flood of logins, checkout links and pricing together from one /48 and one account', async () => {
    const { cookie } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    const pricing = Array.from({ length: 10 }, (_, i) => `p${i}: pricing(input: { items: [{ productId: ${100 + i} }], currencyCode: "${['USD', 'EUR'][i % 2]}" }) { productId }`).join(' ');
    const addresses = Array.from({ length: 64 }, (_, i) => `2001:db8:aa:${(i << 4).toString(16)}::5`);
    await flood(addresses, 8, (ip) => post(stack.gateway.graphqlUrl, [wrongLogin(addresses.indexOf(ip)), { query: `{ ${pricing} }` }], ip, { cookie }));
    expect(restCalls()).toBeLessThanOrEqual(QUOTA);
    await expectBystanderLogsIn();
  }, FLOOD_TIMEOUT_MS);
});

describe('a burst sent before the gateway knows where the quota stands', () => {
  /** Short, so that the test can wait for the next window; long enough for one burst to fit in it. */
  const WINDOW_MS = 10_000;
  beforeEach(async () => {
    stack = await startStack({ sandbox: { rateLimitQuota: QUOTA, rateLimitWindowMs: WINDOW_MS }, config: { trustProxy: true } });
  });
  afterEach(() => stack.close());

  it('a burst of 200 concurrent logins from one /48, before the gateway has seen the quota and again at a window reset', async () => {
    const addresses = (round: number) => Array.from({ length: 200 }, (_, i) => `2001:db8:bb:${((round << 8) | (i % 10)).toString(16)}::${i.toString(16)}`);
    const burst = (round: number) =>
      Promise.all(addresses(round).map((ip, i) => post(stack.gateway.graphqlUrl, wrongLogin(round * 1000 + i), ip)));
    await burst(0);
    await expectBystanderLogsIn();
    // The next window of the store: the gateway has seen no answer in it yet when the burst arrives.
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    await burst(1);
    await expectBystanderLogsIn();
  }, FLOOD_TIMEOUT_MS);

});

describe('every REST call made for a client counts against its budget', () => {
  const restBudget = (clientCallsPerMinute: number) => ({ ...parseConfig({}).restBudget, clientCallsPerMinute });
  beforeEach(async () => {
    stack = await startStack({ config: { trustProxy: true } });
  });
  afterEach(() => stack.close());

  it('login attempts count, not only pricing; another client keeps its own budget', async () => {
    const gateway = await startGateway(stack.sandbox, { config: { trustProxy: true, restBudget: restBudget(3) } });
    try {
      const ip = '198.51.100.40';
      for (let i = 0; i < 3; i++) {
        const [attempt] = await post(gateway.graphqlUrl, wrongLogin(i), ip);
        expect(attempt.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      }
      const [refused] = await post(gateway.graphqlUrl, { query: LOGIN, variables: WHOLESALE }, ip);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'CLIENT_REST_BUDGET' });
      await expectBystanderLogsIn(gateway.graphqlUrl);
    } finally {
      await gateway.close();
    }
  });

  it('checkout links count too, and one account meets its budget from any number of /48s', async () => {
    const gateway = await startGateway(stack.sandbox, { config: { trustProxy: true, restBudget: restBudget(3) } });
    try {
      const { cookie } = await loginAs(gateway.graphqlUrl, WHOLESALE);
      const [created] = await post(
        gateway.graphqlUrl,
        { query: `mutation { cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: 100 }] }) { cart { entityId } } } }` },
        '2001:db8:100::1',
        { cookie },
      );
      const cartId = (created.data?.cart as { createCart: { cart: { entityId: string } } }).createCart.cart.entityId;
      const checkout = (ip: string) => post(gateway.graphqlUrl, { query: `mutation { checkoutLoginUrl(cartEntityId: "${cartId}") { url } }` }, ip, { cookie });
      for (let i = 0; i < 3; i++) expect((await checkout(`2001:db8:${(0x101 + i).toString(16)}::1`))[0].errors).toBeUndefined();
      const [refused] = await checkout('2001:db8:1ff::1');
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'CLIENT_REST_BUDGET' });
      // A guest from the same address is not that account.
      const [guest] = await post(gateway.graphqlUrl, { query: `{ pricing(input: { items: [{ productId: 100 }] }) { productId } }` }, '2001:db8:1ff::1');
      expect(guest.errors).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });

  it.each<[string, (i: number) => string, string]>([
    ['/64s of one /56', (i) => `2001:db8:5:${(0x3400 + i).toString(16)}::1`, '2001:db8:5:3500::1'],
    ['addresses of one /24', (i) => `203.0.113.${i + 1}`, '203.0.114.1'],
  ])('new %s each request meet the wider block’s allowance; the next block is not held', async (_name, address, outside) => {
    const gateway = await startGateway(stack.sandbox, { config: { trustProxy: true, restBudget: restBudget(1) } });
    try {
      const ask = (ip: string) => post(gateway.graphqlUrl, { query: `{ pricing(input: { items: [{ productId: 100 }] }) { productId } }` }, ip);
      const results = [];
      for (let i = 0; i < 20; i++) results.push((await ask(address(i)))[0]);
      const refused = results.filter((result) => result.errors?.[0].extensions?.reason === 'CLIENT_REST_BUDGET');
      // Each address had room for its one call: only the block's allowance can refuse them.
      expect(refused.length).toBeGreaterThan(0);
      expect(results.filter((result) => !result.errors).length).toBeGreaterThan(1);
      expect((await ask(outside))[0].errors).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });

  it('one address refused over its own allowance does not use up its neighbours’ block', async () => {
    const gateway = await startGateway(stack.sandbox, { config: { trustProxy: true, restBudget: restBudget(1) } });
    try {
      const ask = (ip: string) => post(gateway.graphqlUrl, { query: `{ pricing(input: { items: [{ productId: 100 }] }) { productId } }` }, ip);
      for (let i = 0; i < 30; i++) await ask('203.0.113.200');
      expect((await ask('203.0.113.200'))[0].errors?.[0].extensions?.reason).toBe('CLIENT_REST_BUDGET');
      expect((await ask('203.0.113.201'))[0].errors).toBeUndefined();
      expect((await ask('2001:db8:cc:1::1'))[0].errors).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });
});
