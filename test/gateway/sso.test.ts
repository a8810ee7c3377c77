import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { gql, loginAs, startGateway, startStack, WHOLESALE, type Stack } from '../helpers/stack';

const CLIENT_SECRET = 'sso-test-client-secret-chosen-at-test-time';
const LOGIN_URL = `mutation Url($redirectTo: String, $channelId: Int) { customerLoginUrl(redirectTo: $redirectTo, channelId: $channelId) { url redirectTo expiresAt } }`;
const CURRENT = `query Current($jwt: String) { currentCustomer(currentCustomerJwt: $jwt) { entityId email customerGroupId source customer { email customerGroupId } } }`;

type UrlData = { customerLoginUrl: { url: string; redirectTo: string; expiresAt: string } };

describe('SSO login URLs and currentCustomer over HTTP', () => {
  let stack: Stack;
  let auth: { cookie: string; token: string };
  let shopper: { entityId: number; customerGroupId: number };
  let offsetMs = 0;
  const clockNow = () => Date.now() + offsetMs;
  beforeAll(async () => {
    stack = await startStack({ sandbox: { clientSecret: CLIENT_SECRET }, now: clockNow });
    auth = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    const me = await gql<{ customer: { entityId: number; customerGroupId: number } }>(
      stack.gateway.graphqlUrl,
      `{ customer { entityId customerGroupId } }`,
      {},
      { cookie: auth.cookie },
    );
    shopper = me.body.data!.customer;
  });
  afterAll(() => stack.close());
  afterEach(() => {
    offsetMs = 0;
  });

  const loginUrl = (variables: Record<string, unknown>, headers: Record<string, string> = { cookie: auth.cookie }) =>
    gql<UrlData>(stack.gateway.graphqlUrl, LOGIN_URL, variables, headers);

  it('signs a Customer Login JWT with exactly the documented header and claims', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await loginUrl({ redirectTo: '/account.php?action=order_status' });
    expect(response.body.errors).toBeUndefined();
    const { url, redirectTo, expiresAt } = response.body.data!.customerLoginUrl;
    expect(url.startsWith(`${stack.sandbox.url}/login/token/`)).toBe(true);
    const jwt = url.slice(`${stack.sandbox.url}/login/token/`.length);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(jwt, new TextEncoder().encode(CLIENT_SECRET), { algorithms: ['HS256'] });
    expect(Object.keys(payload).sort()).toEqual(
      ['channel_id', 'customer_id', 'iat', 'iss', 'jti', 'operation', 'redirect_to', 'request_ip', 'store_hash'].sort(),
    );
    expect(payload).toMatchObject({
      iss: stack.sandbox.identity.clientId,
      operation: 'customer_login',
      store_hash: stack.sandbox.identity.storeHash,
      customer_id: shopper.entityId,
      channel_id: 1,
      redirect_to: '/account.php?action=order_status',
      request_ip: '127.0.0.1',
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(redirectTo).toBe('/account.php?action=order_status');
    expect(Date.parse(expiresAt) / 1000).toBe((payload.iat as number) + 30);
  });

  it('takes request_ip from X-Forwarded-For only when GATEWAY_TRUST_PROXY allows it', async () => {
    const spoofed = await loginUrl({}, { cookie: auth.cookie, 'x-forwarded-for': '203.0.113.7' });
    expect(decodeJwt(spoofed.body.data!.customerLoginUrl.url.split('/login/token/')[1]).request_ip).toBe('127.0.0.1');
    const behindProxy = await startGateway(stack.sandbox, { config: { trustProxy: true } });
    try {
      const session = await loginAs(behindProxy.graphqlUrl, WHOLESALE);
      // One trusted hop: the proxy appended the address it saw (right-most); what the client wrote before it is not believed.
      const response = await gql<UrlData>(behindProxy.graphqlUrl, LOGIN_URL, {}, { cookie: session.cookie, 'x-forwarded-for': '203.0.113.7, 198.51.100.20' });
      expect(decodeJwt(response.body.data!.customerLoginUrl.url.split('/login/token/')[1]).request_ip).toBe('198.51.100.20');
    } finally {
      await behindProxy.close();
    }
  });

  it('never reuses a jti and takes customer_id from the session only', async () => {
    const jtis = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { url } = (await loginUrl({})).body.data!.customerLoginUrl;
      const payload = decodeJwt(url.split('/login/token/')[1]);
      jtis.add(payload.jti as string);
      expect(payload.customer_id).toBe(shopper.entityId);
      expect(payload.redirect_to).toBe('/account.php');
    }
    expect(jtis.size).toBe(5);
  });

  it('logs the shopper into the sandbox storefront once: lands on redirectTo, second visit refused', async () => {
    const { url } = (await loginUrl({ redirectTo: '/account.php' })).body.data!.customerLoginUrl;
    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/account.php');
    const storefrontCookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect(storefrontCookie).not.toBe('');
    const account = await fetch(`${stack.sandbox.url}/account.php`, { headers: { cookie: storefrontCookie }, redirect: 'manual' });
    expect(account.status).toBe(200);
    expect(await account.text()).toContain(WHOLESALE.email);

    const second = await fetch(url, { redirect: 'manual' });
    expect(second.status).toBe(302);
    expect(second.headers.get('location')).toMatch(/^\/login\.php/);
  });

  it.each([
    ['//evil.example'],
    ['/\\evil.example'],
    ['https://evil.example'],
    ['javascript:alert(1)'],
    ['/account.php\r\nSet-Cookie: x=1'],
    ['/account.php\n'],
    ['/' + 'a'.repeat(2048)],
    ['account.php'],
    ['/\tevil'],
  ])('refuses the open redirect %j with BAD_USER_INPUT', async (redirectTo) => {
    const response = await loginUrl({ redirectTo });
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses guests with UNAUTHENTICATED for both URLs', async () => {
    const login = await loginUrl({}, {});
    expect(login.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const checkout = await gql(stack.gateway.graphqlUrl, `mutation { checkoutLoginUrl(cartEntityId: "00000000-0000-4000-8000-000000000000") { url } }`);
    expect(checkout.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('builds checkout URLs from the cart embedded_checkout_url; unknown carts are NOT_FOUND', async () => {
    const created = await gql<{ cart: { createCart: { cart: { entityId: string } } } }>(
      stack.gateway.graphqlUrl,
      `mutation { cart { createCart(input: { lineItems: [{ quantity: 2, productEntityId: 100 }] }) { cart { entityId } } } }`,
      {},
      { cookie: auth.cookie },
    );
    expect(created.body.errors).toBeUndefined();
    const cartId = created.body.data!.cart.createCart.cart.entityId;
    const response = await gql<{ checkoutLoginUrl: { url: string; redirectTo: string } }>(
      stack.gateway.graphqlUrl,
      `mutation Checkout($id: String!) { checkoutLoginUrl(cartEntityId: $id) { url redirectTo expiresAt } }`,
      { id: cartId },
      { cookie: auth.cookie },
    );
    expect(response.body.errors).toBeUndefined();
    const { url, redirectTo } = response.body.data!.checkoutLoginUrl;
    expect(redirectTo.startsWith('/cart.php?')).toBe(true);
    expect(redirectTo).toContain(cartId);
    expect(decodeJwt(url.split('/login/token/')[1]).redirect_to).toBe(redirectTo);
    const followed = await fetch(url, { redirect: 'manual' });
    expect(followed.status).toBe(302);
    expect(followed.headers.get('location')).toBe(redirectTo);

    // Someone else's cart: the storefront does not show it to this shopper, so neither does the gateway.
    const retail = await loginAs(stack.gateway.graphqlUrl, { email: 'retail@example.com', pass: 'Retail1!' });
    const foreign = await gql(stack.gateway.graphqlUrl, `mutation Checkout($id: String!) { checkoutLoginUrl(cartEntityId: $id) { url } }`, { id: cartId }, { cookie: retail.cookie });
    expect(foreign.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(foreign.body)).not.toContain('/login/token/');

    const unknown = await gql(
      stack.gateway.graphqlUrl,
      `mutation { checkoutLoginUrl(cartEntityId: "00000000-0000-4000-8000-000000000000") { url } }`,
      {},
      { cookie: auth.cookie },
    );
    expect(unknown.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('round trip: customerLoginUrl → /login/token → /customer/current.jwt → currentCustomer → same shopper', async () => {
    const { url } = (await loginUrl({})).body.data!.customerLoginUrl;
    const login = await fetch(url, { redirect: 'manual' });
    const storefrontCookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const jwtResponse = await fetch(`${stack.sandbox.url}/customer/current.jwt?app_client_id=${stack.sandbox.identity.clientId}`, {
      headers: { cookie: storefrontCookie },
    });
    expect(jwtResponse.status).toBe(200);
    const currentCustomerJwt = await jwtResponse.text();

    const guestAsk = await gql<{ currentCustomer: Record<string, unknown> }>(stack.gateway.graphqlUrl, CURRENT, { jwt: currentCustomerJwt });
    expect(guestAsk.body.errors).toBeUndefined();
    expect(guestAsk.body.data!.currentCustomer).toEqual({
      entityId: shopper.entityId,
      email: WHOLESALE.email,
      customerGroupId: shopper.customerGroupId,
      source: 'CURRENT_CUSTOMER_JWT',
      customer: { email: WHOLESALE.email, customerGroupId: shopper.customerGroupId },
    });

    const opened = await gql<{ loginWithCurrentCustomerJwt: { sessionToken: string; customer: { entityId: number; source: string } } }>(
      stack.gateway.graphqlUrl,
      `mutation Open($jwt: String!) { loginWithCurrentCustomerJwt(currentCustomerJwt: $jwt) { sessionToken customer { entityId source } } }`,
      { jwt: currentCustomerJwt },
    );
    expect(opened.body.errors).toBeUndefined();
    expect(opened.body.data!.loginWithCurrentCustomerJwt.customer).toEqual({ entityId: shopper.entityId, source: 'CURRENT_CUSTOMER_JWT' });
    expect(opened.headers.getSetCookie().some((c) => c.startsWith('sfgw_session='))).toBe(true);
    const replayed = await gql(
      stack.gateway.graphqlUrl,
      `mutation Open($jwt: String!) { loginWithCurrentCustomerJwt(currentCustomerJwt: $jwt) { sessionToken } }`,
      { jwt: currentCustomerJwt },
    );
    expect(replayed.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ALREADY_USED' });
    expect(replayed.headers.getSetCookie()).toEqual([]);
    const viaSession = await gql<{ currentCustomer: Record<string, unknown> }>(stack.gateway.graphqlUrl, CURRENT, {}, {
      authorization: `Bearer ${opened.body.data!.loginWithCurrentCustomerJwt.sessionToken}`,
    });
    expect(viaSession.body.data!.currentCustomer).toMatchObject({ entityId: shopper.entityId, source: 'SESSION' });
  });

  it('returns the session shopper without an argument, and null for a guest', async () => {
    const mine = await gql<{ currentCustomer: Record<string, unknown> }>(stack.gateway.graphqlUrl, CURRENT, {}, { cookie: auth.cookie });
    expect(mine.body.data!.currentCustomer).toMatchObject({ entityId: shopper.entityId, email: WHOLESALE.email, source: 'SESSION' });
    const guest = await gql(stack.gateway.graphqlUrl, CURRENT);
    expect(guest.body).toEqual({ data: { currentCustomer: null } });
  });

  describe('forged Current Customer JWTs', () => {
    const sign = async (
      overrides: Record<string, unknown> = {},
      options: { secret?: string; alg?: string; iat?: number; exp?: number } = {},
    ): Promise<string> => {
      const iat = options.iat ?? Math.floor(clockNow() / 1000);
      const claims = {
        customer: { id: shopper.entityId, email: WHOLESALE.email, group_id: String(shopper.customerGroupId) },
        iss: 'bc/apps',
        sub: stack.sandbox.identity.storeHash,
        iat,
        exp: options.exp ?? iat + 900,
        version: 1,
        aud: stack.sandbox.identity.clientId,
        application_id: stack.sandbox.identity.clientId,
        store_hash: stack.sandbox.identity.storeHash,
        operation: 'current_customer',
        ...overrides,
      };
      return new SignJWT(claims)
        .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode(options.secret ?? CLIENT_SECRET));
    };
    const unsigned = (claims: Record<string, unknown>) =>
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

    it('accepts a genuine one', async () => {
      // A token of its own: signed in the round trip's second with the same claims it would be byte for byte the
      // sandbox's token spent there, and a spent token reads nothing.
      const jwt = await sign({}, { exp: Math.floor(clockNow() / 1000) + 899 });
      const response = await gql<{ currentCustomer: { entityId: number } }>(stack.gateway.graphqlUrl, CURRENT, { jwt });
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.currentCustomer.entityId).toBe(shopper.entityId);
    });

    const now = () => Math.floor(clockNow() / 1000);
    it.each<[string, () => Promise<string>, string]>([
      ['alg none', async () => unsigned(decodeJwt(await sign())), 'ALGORITHM_NOT_ALLOWED'],
      ['HS512', () => sign({}, { alg: 'HS512' }), 'ALGORITHM_NOT_ALLOWED'],
      ['a wrong secret', () => sign({}, { secret: 'not-the-client-secret-at-all-000000' }), 'SIGNATURE_INVALID'],
      ['a wrong aud', () => sign({ aud: 'another-client' }), 'CLAIM_INVALID'],
      ['a wrong iss', () => sign({ iss: 'someone-else' }), 'CLAIM_INVALID'],
      ['a wrong operation', () => sign({ operation: 'customer_login' }), 'CLAIM_INVALID'],
      ['a wrong store_hash', () => sign({ store_hash: 'otherstore' }), 'CLAIM_INVALID'],
      ['an expired token', () => sign({}, { iat: now() - 2000, exp: now() - 1100 }), 'EXPIRED'],
      ['a not-yet-valid token', () => sign({}, { iat: now() + 600, exp: now() + 1500 }), 'NOT_YET_VALID'],
      ['a malformed string', async () => 'not.a.jwt', 'MALFORMED'],
    ])('refuses %s with a clear code and no customer data', async (_name, forge, reason) => {
      const jwt = await forge();
      for (const op of [CURRENT, `mutation Open($jwt: String!) { loginWithCurrentCustomerJwt(currentCustomerJwt: $jwt) { sessionToken } }`]) {
        const response = await gql(stack.gateway.graphqlUrl, op, { jwt });
        expect(Object.values(response.body.data ?? {}).every((value) => value === null)).toBe(true);
        expect(response.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
        expect(JSON.stringify(response.body)).not.toContain(WHOLESALE.email);
        expect(response.headers.getSetCookie()).toEqual([]);
      }
    });

    it('expires with the injected clock, without sleeping', async () => {
      const jwt = await sign();
      offsetMs += 16 * 60 * 1000;
      const response = await gql(stack.gateway.graphqlUrl, CURRENT, { jwt });
      expect(response.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'EXPIRED' });
    });
  });
});
