/**
 * Shared state is built once per gateway, never per schema: a storefront schema change (re-introspection,
 * `reloadSchema()`) must not forget spent single-use tokens, ended sessions or login counters.
 * In process: the fake storefront answers the start-up introspection and, later, a changed schema.
 */
import { SignJWT } from 'jose';
import { createMemoryStores } from '../../src/state/memory';
import { createInProcessGateway, RETAIL_CUSTOMER, TEST_STORE, WHOLESALE_CUSTOMER, type FakeCustomer, type InProcessGateway, type InProcessOptions } from '../helpers/inprocess';

/** The business clock: sessions, JWTs and login windows read it; it stands still unless a test moves it. */
const NOW = Date.UTC(2031, 4, 17, 9, 30, 0);
const now = () => NOW;

const EXCHANGE = /* GraphQL */ `
  mutation Exchange($jwt: String!) {
    loginWithCurrentCustomerJwt(currentCustomerJwt: $jwt) { sessionToken customer { entityId email customerGroupId source } }
  }
`;
const WHO_AM_I = /* GraphQL */ `
  query WhoAmI { currentCustomer { entityId email source } }
`;
const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $pass: String!) { login(email: $email, password: $pass) { result sessionToken } }
`;
const LOGOUT = /* GraphQL */ `
  mutation Logout { logout { result } }
`;

/** A storefront whose schema changed: one new type and one new root field. */
const SCHEMA_CHANGE = /* GraphQL */ `
  "Added by the storefront after the gateway started."
  type ReloadMarker { "Its id." id: ID! }
  extend type Query { "A field the first schema lacked." reloadMarker: ReloadMarker }
`;

/**
 * A BigCommerce Current Customer JWT (developer.bigcommerce.com/docs/start/authentication/current-customer):
 * HS256 with the client secret; `iat` from the business clock; a 15-minute life.
 */
async function currentCustomerJwt(customer: FakeCustomer, issuedAtSeconds = Math.floor(NOW / 1000)): Promise<string> {
  return new SignJWT({
    operation: 'current_customer',
    store_hash: TEST_STORE.storeHash,
    customer: { id: customer.entityId, email: customer.email, group_id: String(customer.customerGroupId) },
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('bc/apps')
    .setAudience(TEST_STORE.clientId)
    .setIssuedAt(issuedAtSeconds)
    .setExpirationTime(issuedAtSeconds + 900)
    .sign(new TextEncoder().encode(TEST_STORE.clientSecret));
}

const open: InProcessGateway[] = [];
async function gateway(options: InProcessOptions = {}): Promise<InProcessGateway> {
  // No `storefrontSchema`: the gateway introspects the fake at start, as a real one does.
  const t = await createInProcessGateway({ introspect: true, now, ...options });
  open.push(t);
  return t;
}
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

/** Changes the fake's schema and has the gateway re-introspect; the change must be taken into service. */
async function changeSchema(t: InProcessGateway): Promise<void> {
  expect(await t.gateway.reloadSchema()).toBe(false);
  t.http.setStorefrontExtension(SCHEMA_CHANGE);
  expect(await t.gateway.reloadSchema()).toBe(true);
  expect(t.gateway.schema.getQueryType()?.getFields().reloadMarker).toBeDefined();
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('shared state survives a schema reload', () => {
  it('the gateway introspected the fake storefront at start', async () => {
    const t = await gateway();
    expect(t.http.calls[0].kind).toBe('storefront');
    expect(t.http.calls[0].query).toContain('__schema');
    expect(t.gateway.schema.getQueryType()?.getFields().reloadMarker).toBeUndefined();
  });

  it('a Current Customer JWT exchanged before a reload is refused after it (ALREADY_USED)', async () => {
    const t = await gateway();
    const jwt = await currentCustomerJwt(WHOLESALE_CUSTOMER);
    const first = await t.fetchGraphQL<{ loginWithCurrentCustomerJwt: { sessionToken: string; customer: Record<string, unknown> } }>(EXCHANGE, { jwt });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.loginWithCurrentCustomerJwt.customer).toEqual({
      entityId: 7,
      email: 'wholesale@example.com',
      customerGroupId: 2,
      source: 'CURRENT_CUSTOMER_JWT',
    });
    expect(typeof first.body.data?.loginWithCurrentCustomerJwt.sessionToken).toBe('string');

    await changeSchema(t);

    const replay = await t.fetchGraphQL(EXCHANGE, { jwt });
    expect(replay.body.data).toBeNull();
    expect(replay.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ALREADY_USED' });
    expect(replay.headers.get('set-cookie')).toBeNull();

    // Control: the mutation itself still works after the reload — a token not yet spent is accepted.
    const fresh = await t.fetchGraphQL(EXCHANGE, { jwt: await currentCustomerJwt(RETAIL_CUSTOMER) });
    expect(fresh.body.errors).toBeUndefined();
  });

  it('a logged-out session stays logged out after a reload', async () => {
    const t = await gateway();
    const login = await t.fetchGraphQL<{ login: { sessionToken: string } }>(LOGIN, { email: 'wholesale@example.com', pass: 'Wholesale1!' });
    const token = login.body.data?.login.sessionToken;
    if (!token) throw new Error(`login failed: ${login.text}`);
    expect((await t.fetchGraphQL(WHO_AM_I, {}, bearer(token))).body.data).toEqual({
      currentCustomer: { entityId: 7, email: 'wholesale@example.com', source: 'SESSION' },
    });
    const logout = await t.fetchGraphQL(LOGOUT, {}, bearer(token));
    expect(logout.body.errors).toBeUndefined();

    await changeSchema(t);

    const after = await t.fetchGraphQL(WHO_AM_I, {}, bearer(token));
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    // Control: sessions as such survive the reload — a new one works.
    const again = await t.fetchGraphQL<{ login: { sessionToken: string } }>(LOGIN, { email: 'wholesale@example.com', pass: 'Wholesale1!' });
    const second = again.body.data?.login.sessionToken;
    if (!second) throw new Error(`second login failed: ${again.text}`);
    expect((await t.fetchGraphQL(WHO_AM_I, {}, bearer(second))).body.data).toEqual({
      currentCustomer: { entityId: 7, email: 'wholesale@example.com', source: 'SESSION' },
    });
  });

  it('login counters survive a reload: an email locked out before it stays locked out after it', async () => {
    const t = await gateway({ config: { loginLimits: { windowSeconds: 900, maxAttemptsPerIp: 100, maxFailuresPerEmail: 3 } } });
    for (let i = 0; i < 3; i++) {
      const failed = await t.fetchGraphQL(LOGIN, { email: 'wholesale@example.com', pass: `wrong-${i}` });
      expect(failed.body.errors?.[0]).toMatchObject({ message: 'Invalid credentials', extensions: { code: 'UNAUTHENTICATED' } });
    }
    const checks = () => t.http.callsTo((call) => call.path === '/v3/customers/validate-credentials').length;
    expect(checks()).toBe(3);

    await changeSchema(t);

    // Even the right password is refused now, before any upstream call.
    const locked = await t.fetchGraphQL(LOGIN, { email: 'wholesale@example.com', pass: 'Wholesale1!' });
    expect(locked.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(checks()).toBe(3);
  });

  it('injected stores are the ones used: a token spent on one gateway is refused by another sharing them', async () => {
    const stores = createMemoryStores(now);
    const a = await gateway({ stores });
    const b = await gateway({ stores });
    const jwt = await currentCustomerJwt(WHOLESALE_CUSTOMER);
    expect((await a.fetchGraphQL(EXCHANGE, { jwt })).body.errors).toBeUndefined();
    const replay = await b.fetchGraphQL(EXCHANGE, { jwt });
    expect(replay.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ALREADY_USED' });
  });
});

describe('shared state that was lost (a restart without Redis, a flushed or replaced Redis)', () => {
  it('refuses sessions and one-time tokens issued before the state began; new ones work', async () => {
    let clock = NOW;
    const movingNow = () => clock;
    const before = await gateway({ now: movingNow, stores: createMemoryStores(movingNow) });
    const login = await before.fetchGraphQL(LOGIN, { email: 'wholesale@example.com', pass: 'Wholesale1!' });
    const token = (login.body.data as { login: { sessionToken: string } }).login.sessionToken;
    await before.fetchGraphQL(LOGOUT, {}, { authorization: `Bearer ${token}` });
    expect((await before.fetchGraphQL(WHO_AM_I, {}, { authorization: `Bearer ${token}` })).status).toBe(401);
    const unspentBefore = await currentCustomerJwt(WHOLESALE_CUSTOMER, Math.floor(clock / 1000));

    // The state is lost: a new store begins a minute later and knows nothing of that logout.
    clock += 60_000;
    const after = await gateway({ now: movingNow, stores: createMemoryStores(movingNow) });
    const revived = await after.fetchGraphQL(WHO_AM_I, {}, { authorization: `Bearer ${token}` });
    expect(revived.status).toBe(401);
    expect(revived.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // A token from before may have been spent in the lost state: refused as used.
    const replay = await after.fetchGraphQL(EXCHANGE, { jwt: unspentBefore });
    expect(replay.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ALREADY_USED' });
    // What is issued now works.
    const fresh = await after.fetchGraphQL(LOGIN, { email: 'wholesale@example.com', pass: 'Wholesale1!' });
    const freshToken = (fresh.body.data as { login: { sessionToken: string } }).login.sessionToken;
    const me = await after.fetchGraphQL(WHO_AM_I, {}, { authorization: `Bearer ${freshToken}` });
    expect(me.body.data).toEqual({ currentCustomer: { entityId: WHOLESALE_CUSTOMER.entityId, email: WHOLESALE_CUSTOMER.email, source: 'SESSION' } });
    expect((await after.fetchGraphQL(EXCHANGE, { jwt: await currentCustomerJwt(WHOLESALE_CUSTOMER, Math.floor(clock / 1000)) })).body.errors).toBeUndefined();
  });
});
