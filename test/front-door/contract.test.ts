// The front door's contract with storefront servers, request by request (plain HTTP here; TLS is catalyst.test.ts's).
import { request } from 'undici';
import { startSandbox, type Sandbox } from '../../sandbox';
import { parseConfig } from '../../src/config';
import { mintClientToken } from '../../src/front-door/client-token';
import { startGateway, type GatewayServer } from '../helpers/stack';

const DOMAIN = 'gw.test';
const PRODUCTS = `query Listing { site { products(first: 20) { edges { node { entityId prices { price { value } } } } } } }`;

describe('front door contract', () => {
  let sandbox: Sandbox;
  let gateway: GatewayServer;
  const clientToken = mintClientToken();
  const graphqlCalls = () => sandbox.requestLog.filter((entry) => entry.path === '/graphql').length;

  async function post(body: unknown, headers: Record<string, string> = {}, host = `store-${sandbox.identity.storeHash}-1.${DOMAIN}`) {
    const response = await request(`${gateway.url}/graphql?operation=Test&type=query`, {
      method: 'POST',
      headers: { host, authorization: `Bearer ${clientToken}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, json: JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
  }
  const login = async (password = 'Wholesale1!', headers: Record<string, string> = {}) =>
    post({ query: `mutation { login(email: "wholesale@example.com", password: "${password}") { customerAccessToken { value } } }` }, headers);

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    gateway = await startGateway(sandbox, {
      authMode: 'customer-access-token',
      channelIds: [1, 2],
      config: {
        frontDoor: { domain: DOMAIN, channels: [1, 2], clientTokens: [clientToken], identitySeconds: 60 },
        loginLimits: { windowSeconds: 900, maxAttemptsPerIp: 30, maxFailuresPerEmail: 3 },
        // As in production: introspection off for everyone but storefront servers on the front door.
        limits: { ...parseConfig({}).limits, introspection: false },
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
  });

  it.each([
    ['no Authorization', {}, 'GraphQL credentials were missing. No token was sent.'],
    ['an empty one', { authorization: '' }, 'GraphQL credentials were missing. No token was sent.'],
    ['another scheme', { authorization: 'Basic abc' }, 'GraphQL invalid credentials. JWT signature is invalid'],
    ['the token with a byte more', { authorization: `Bearer ${clientToken}x` }, 'GraphQL invalid credentials. JWT signature is invalid'],
    ['the token with a byte less', { authorization: `Bearer ${clientToken.slice(0, -1)}` }, 'GraphQL invalid credentials. JWT signature is invalid'],
    ['a token minted elsewhere', { authorization: `Bearer ${mintClientToken()}` }, 'GraphQL invalid credentials. JWT signature is invalid'],
  ])('refuses %s with 401 and BigCommerce\'s body, before any upstream call', async (_label, headers, message) => {
    const before = graphqlCalls();
    const response = await request(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { host: `store-${sandbox.identity.storeHash}-1.${DOMAIN}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: PRODUCTS }),
    });
    expect(response.statusCode).toBe(401);
    expect(await response.body.json()).toEqual({ errors: [{ message }] });
    expect(graphqlCalls()).toBe(before);
  });

  it('a gateway session token is no storefront-server credential there, and a client token is no session elsewhere', async () => {
    expect((await post({ query: PRODUCTS }, { authorization: 'Bearer eyJhbGciOiJkaXIifQ..a.b.c' })).status).toBe(401);
    const elsewhere = await request(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: PRODUCTS }),
    });
    expect(elsewhere.statusCode).toBe(401);
    expect(((await elsewhere.body.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers GraphQL errors with 200 and upstream messages verbatim, with no Accept header', async () => {
    const invalid = await post({ query: `{ site { noSuchField } }` });
    expect(invalid.status).toBe(200);
    expect(invalid.json.errors?.length).toBeGreaterThan(0);
    const wrong = await login('wrong-password');
    expect(wrong.status).toBe(200);
    expect(wrong.json.errors?.[0].message).toBe('Invalid credentials');
    expect(wrong.json.data?.login ?? null).toBeNull();
  });

  it('identifies the shopper only by the customer access token: spoofed identity headers change nothing', async () => {
    const guest = await post({ query: PRODUCTS });
    const spoofed = await post({ query: PRODUCTS }, { 'x-bc-customer-id': '2', 'x-gateway-customer-group': '2' });
    expect(spoofed.json.data).toEqual(guest.json.data);
    const who = await post({ query: `{ currentCustomer { entityId customerGroupId } }` }, { 'x-bc-customer-id': '2' });
    expect(who.json.data).toEqual({ currentCustomer: null });
  });

  it('the token\'s customer is currentCustomer; a dead token without the error header is a guest, with it BigCommerce\'s error at HTTP 200', async () => {
    const token = ((await login()).json.data?.login as { customerAccessToken: { value: string } }).customerAccessToken.value;
    const who = await post({ query: `{ currentCustomer { entityId email customerGroupId } }` }, { 'x-bc-customer-access-token': token });
    expect(who.json.data).toEqual({ currentCustomer: { entityId: 2, email: 'wholesale@example.com', customerGroupId: expect.any(Number) } });
    await post({ query: `mutation { logout { result } }` }, { 'x-bc-customer-access-token': token });
    const dead = await post({ query: PRODUCTS }, { 'x-bc-customer-access-token': token, 'x-bc-error-on-invalid-customer-access-token': 'true' });
    expect(dead.status).toBe(200);
    expect(dead.json.errors?.[0].extensions?.code).toBe('INVALID_CUSTOMER_ACCESS_TOKEN');
    const quiet = await post({ query: `{ currentCustomer { entityId } }` }, { 'x-bc-customer-access-token': token });
    expect(quiet.json.data).toEqual({ currentCustomer: null });
  });

  it('holds the login limits per email through aliases and fragments, whichever shopper address the server names', async () => {
    const email = 'retail@example.com';
    const guesses = `mutation Guess { ...G b: login(email: "${email}", password: "x2") { customerAccessToken { value } } }
      fragment G on Mutation { a: login(email: "${email}", password: "x1") { customerAccessToken { value } } }`;
    await post({ query: guesses }, { 'true-client-ip': '198.51.100.7' });
    const third = await post({ query: `mutation { login(email: "${email}", password: "x3") { customerAccessToken { value } } }` }, { 'true-client-ip': '198.51.100.8' });
    const fourth = await post({ query: `mutation { login(email: "${email}", password: "Retail1!") { customerAccessToken { value } } }` }, { 'true-client-ip': '198.51.100.9' });
    expect([third.json.errors?.[0].extensions?.code, fourth.json.errors?.[0].extensions?.code]).toContain('RATE_LIMITED');
  });

  it('lets storefront servers introspect (the gateway\'s own fields included) and passes BigCommerce\'s complexity back', async () => {
    const schema = await post({ query: `{ __schema { queryType { fields { name } } } }` });
    const fields = (schema.json.data as { __schema: { queryType: { fields: Array<{ name: string }> } } }).__schema.queryType.fields.map((f) => f.name);
    expect(fields).toEqual(expect.arrayContaining(['site', 'customer', 'pricing', 'currentCustomer']));
    const elsewhere = await request(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: `{ __schema { queryType { name } } }` }),
    });
    expect(((await elsewhere.body.json()) as { errors?: unknown[] }).errors?.length).toBeGreaterThan(0);
    const listing = await post({ query: PRODUCTS });
    expect(Number(listing.headers['x-bc-graphql-complexity'])).toBeGreaterThan(0);
  });

  it('a storefront server is many shoppers behind one address: its refused documents never throttle the whole storefront', async () => {
    // Refused by the gateway's own limits (aliases), which is what the refused-document throttle counts.
    const tooManyAliases = `{ ${Array.from({ length: 120 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    for (let i = 0; i < 40; i++) expect((await post({ query: tooManyAliases })).json.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const after = await post({ query: PRODUCTS });
    expect(after.status).toBe(200);
    expect(after.json.data).toBeTruthy();
  });

  it('asks BigCommerce whom a token names once per request, however many operations a batch holds', async () => {
    const token = ((await login()).json.data?.login as { customerAccessToken: { value: string } }).customerAccessToken.value;
    const before = graphqlCalls();
    const batch = await post(
      [1, 2, 3].map(() => ({ query: `{ site { settings { storeName } } }` })),
      { 'x-bc-customer-access-token': token },
    );
    expect(batch.status).toBe(200);
    // One identity question, then one forwarded call per operation.
    expect(graphqlCalls() - before).toBe(4);
  });

  it('refuses an operation mixing BigCommerce\'s login with the gateway\'s own fields', async () => {
    const mixed = await post({ query: `mutation { login(email: "wholesale@example.com", password: "Wholesale1!") { customerAccessToken { value } } customerLoginUrl { url } }` });
    expect(mixed.json.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
