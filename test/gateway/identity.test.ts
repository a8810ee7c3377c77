import { EncryptJWT } from 'jose';
import { hkdfSync } from 'node:crypto';
import { startProxiedStack, type ProxiedStack } from '../helpers/fault-proxy';
import { gql, loginAs, startGateway, WHOLESALE, type GatewayServer } from '../helpers/stack';

const LOGIN_OP = `mutation Login($email: String!, $pass: String!) { login(email: $email, password: $pass) { result } }`;
const PRICES = `{ site { products(first: 10) { edges { node { entityId prices { price { value } } } } } } customer { entityId } }`;

describe('identity rules over HTTP', () => {
  let stack: ProxiedStack;
  let offsetMs = 0;
  const clockNow = () => Date.now() + offsetMs;
  /** Headers of the storefront requests the gateway sent, recorded by a real proxy in front of the sandbox. */
  const sent = () => stack.proxy.requests.filter((r) => r.path === '/graphql').map((r) => new Headers(r.headers as Record<string, string>));
  beforeAll(async () => {
    stack = await startProxiedStack({ now: clockNow, through: ['storefront'] });
  });
  afterAll(() => stack.close());
  afterEach(() => {
    offsetMs = 0;
  });

  it('ignores a guest spoofing X-Bc-Customer-Id, Authorization-less X-Bc headers and cookies', async () => {
    const { cookie } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    const me = await gql<{ customer: { entityId: number } }>(stack.gateway.graphqlUrl, PRICES, {}, { cookie });
    const wholesaleId = me.body.data!.customer.entityId;

    // Both upstream paths: forwarded unchanged (storefront fields only) and stitched (with a gateway field).
    for (const query of [PRICES, PRICES.replace('customer { entityId }', 'customer { entityId } currentCustomer { entityId }')]) {
      const guest = await gql(stack.gateway.graphqlUrl, query);
      stack.proxy.requests.length = 0;
      const spoofed = await gql(stack.gateway.graphqlUrl, query, {}, {
        'x-bc-customer-id': String(wholesaleId),
        'x-bc-customer-access-token': 'a'.repeat(64) + '_9999999999',
        cookie: 'SHOP_TOKEN=stolen; other=1',
      });
      expect(spoofed.status).toBe(200);
      expect(spoofed.body).toEqual(guest.body);
      expect((spoofed.body.data as { customer: unknown }).customer).toBeNull();
      expect(sent().length).toBeGreaterThan(0);
      for (const headers of sent()) {
        expect(headers.get('x-bc-customer-id')).toBeNull();
        expect(headers.get('x-bc-customer-access-token')).toBeNull();
        expect(headers.get('cookie')).toBeNull();
      }
    }
  });

  it('never forwards the inbound Authorization header: upstream sees the server token and the verified shopper', async () => {
    const { token } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    stack.proxy.requests.length = 0;
    const response = await gql<{ customer: { entityId: number } }>(stack.gateway.graphqlUrl, PRICES, {}, {
      authorization: `Bearer ${token}`,
      'x-bc-customer-id': '999999',
    });
    expect(response.body.errors).toBeUndefined();
    const upstream = sent().filter((h) => h.get('x-bc-customer-id') !== null);
    expect(upstream.length).toBeGreaterThan(0);
    for (const headers of sent()) {
      expect(headers.get('authorization')).not.toContain(token);
      expect(headers.get('x-bc-customer-id')).not.toBe('999999');
    }
    expect(upstream[0].get('x-bc-customer-id')).toBe(String(response.body.data!.customer.entityId));
  });

  it('forwards a correlation id (generated when absent) and Accept-Language', async () => {
    stack.proxy.requests.length = 0;
    await gql(stack.gateway.graphqlUrl, `{ customer { entityId } }`, {}, { 'x-correlation-id': 'corr-123', 'accept-language': 'de-DE' });
    expect(sent()[0].get('x-correlation-id')).toBe('corr-123');
    expect(sent()[0].get('accept-language')).toBe('de-DE');
    stack.proxy.requests.length = 0;
    await gql(stack.gateway.graphqlUrl, `{ customer { entityId } }`);
    expect(sent()[0].get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['a tampered token', (token: string) => token.slice(0, -6) + (token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA')],
    ['a truncated token', (token: string) => token.split('.').slice(0, 3).join('.')],
    ['garbage', () => 'not-a-session'],
    ['a plain JWT with alg none', () => 'eyJhbGciOiJub25lIn0.eyJjaWQiOjF9.'],
  ])('refuses %s with UNAUTHENTICATED and HTTP 401, by bearer and by cookie', async (_name, forge) => {
    const { token } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    const forged = forge(token);
    for (const headers of [{ authorization: `Bearer ${forged}` }, { cookie: `sfgw_session=${forged}` }] as Array<Record<string, string>>) {
      const response = await gql(stack.gateway.graphqlUrl, PRICES, {}, headers);
      expect(response.status).toBe(401);
      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('deletes a refused session cookie, so a browser is a guest again on its next request', async () => {
    const refused = await gql(stack.gateway.graphqlUrl, PRICES, {}, { cookie: 'sfgw_session=forged.token' });
    expect(refused.status).toBe(401);
    expect(refused.headers.getSetCookie().find((c) => c.startsWith('sfgw_session='))).toMatch(/Max-Age=0/);
    const bearer = await gql(stack.gateway.graphqlUrl, PRICES, {}, { authorization: 'Bearer forged.token' });
    expect(bearer.status).toBe(401);
    expect(bearer.headers.getSetCookie()).toEqual([]);
  });

  it('sets and clears the cookie from any operation of an HTTP batch', async () => {
    const batch = (body: unknown[], headers: Record<string, string> = {}) =>
      fetch(stack.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const login = await batch([{ query: LOGIN_OP, variables: WHOLESALE }, { query: '{ __typename }' }]);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sfgw_session=') && !c.includes('Max-Age=0'));
    expect(cookie).toBeDefined();
    const logout = await batch([{ query: 'mutation { logout { result } }' }, { query: '{ __typename }' }], { cookie: cookie!.split(';')[0] });
    expect(logout.headers.getSetCookie().find((c) => c.startsWith('sfgw_session='))).toMatch(/Max-Age=0/);
  });

  it('refuses a malformed Authorization header instead of treating the request as a guest', async () => {
    const response = await gql(stack.gateway.graphqlUrl, PRICES, {}, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an expired session (clock injected, no sleeping)', async () => {
    const { token } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    offsetMs += 3600 * 1000 + 60_000;
    const response = await gql(stack.gateway.graphqlUrl, PRICES, {}, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]).toMatchObject({ message: 'Session expired; log in again', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses a session encrypted with another secret, even with well-formed claims', async () => {
    const key = new Uint8Array(hkdfSync('sha256', Buffer.from('another-secret-another-secret-another'), 'storefront-gateway', 'session-encryption-v1', 32));
    const forged = await new EncryptJWT({ cid: 1, em: WHOLESALE.email, grp: 2 })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuer('storefront-gateway')
      .setAudience('storefront-gateway')
      .setJti('forged')
      .setIssuedAt()
      .setExpirationTime('1h')
      .encrypt(key);
    const response = await gql(stack.gateway.graphqlUrl, PRICES, {}, { authorization: `Bearer ${forged}` });
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses sessions issued by a gateway with a different GATEWAY_SESSION_SECRET', async () => {
    let other: GatewayServer | undefined;
    try {
      other = await startGateway(stack.sandbox, { config: { session: { secret: 'x'.repeat(40), ttlSeconds: 3600, cookieName: 'sfgw_session', cookieSecure: false } } });
      const { token } = await loginAs(other.graphqlUrl, WHOLESALE);
      const response = await gql(stack.gateway.graphqlUrl, PRICES, {}, { authorization: `Bearer ${token}` });
      expect(response.status).toBe(401);
    } finally {
      await other?.close();
    }
  });

  it('keeps secrets and tokens out of responses and log lines', async () => {
    const { token } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    await gql(stack.gateway.graphqlUrl, PRICES, {}, { authorization: `Bearer ${token}` });
    const logs = stack.gateway.logs.join('\n');
    const { store } = stack.gateway.gateway.config;
    for (const secret of [token, WHOLESALE.pass, store.clientSecret, store.accessToken, store.storefrontToken]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('customer-access-token mode headers', () => {
  it('sends the session CAT with the private token, asks BigCommerce to refuse an invalid one, and never forwards client values', async () => {
    const { gateway, proxy, close } = await startProxiedStack({ authMode: 'customer-access-token', through: ['storefront'] });
    try {
      const { token } = await loginAs(gateway.graphqlUrl, WHOLESALE);
      proxy.requests.length = 0;
      for (const query of [`{ customer { email } }`, `{ customer { email } currentCustomer { entityId } }`]) {
        const response = await gql<{ customer: { email: string } }>(gateway.graphqlUrl, query, {}, {
          authorization: `Bearer ${token}`,
          'x-bc-customer-access-token': 'client-supplied',
        });
        expect(response.body.data?.customer.email).toBe(WHOLESALE.email);
      }
      const sentHeaders = proxy.requests.filter((r) => r.path === '/graphql').map((r) => r.headers);
      expect(sentHeaders.length).toBeGreaterThanOrEqual(2);
      for (const headers of sentHeaders) {
        expect(headers['x-bc-customer-access-token']).toMatch(/^[0-9a-f]{64}_\d+$/);
        expect(headers['x-bc-error-on-invalid-customer-access-token']).toBe('true');
        expect(headers['x-bc-customer-id']).toBeUndefined();
        expect(headers.authorization).toBe(`Bearer ${gateway.gateway.config.store.storefrontToken}`);
      }
    } finally {
      await close();
    }
  });
});

describe('the two upstream paths', () => {
  it('forwards a storefront-only operation unchanged in one request, and plans operations with gateway fields', async () => {
    const { gateway, proxy, close } = await startProxiedStack({ through: ['storefront'] });
    try {
      proxy.requests.length = 0; // start-up introspection
      const storefrontOnly = `query Catalog($n: Int) { site { products(first: $n) { edges { node { entityId name } } } } customer { entityId } }`;
      const direct = await gql(gateway.graphqlUrl, storefrontOnly, { n: 2 });
      expect(direct.body.errors).toBeUndefined();
      const forwarded = proxy.requests.filter((r) => r.path === '/graphql').map((r) => JSON.parse(r.body) as { query: string; variables: unknown });
      expect(forwarded).toHaveLength(1);
      expect(forwarded[0].variables).toEqual({ n: 2 });
      expect(forwarded[0].query).toContain('query Catalog($n: Int)');

      proxy.requests.length = 0;
      const mixed = await gql(gateway.graphqlUrl, `{ site { products(first: 2) { edges { node { entityId pricing { price { asEntered } } } } } } }`);
      expect(mixed.body.errors).toBeUndefined();
      const planned = proxy.requests.filter((r) => r.path === '/graphql').map((r) => JSON.parse(r.body) as { query: string });
      expect(planned).toHaveLength(1);
      expect(planned[0].query).not.toContain('pricing');
      expect(planned[0].query).toContain('entityId');
    } finally {
      await close();
    }
  });
});
