// SSO and currentCustomer over HTTP in customer-access-token mode: the gateway has no impersonation token, so a
// session opened from a Current Customer JWT needs its own upstream CAT, which the gateway obtains by signing a
// Customer Login JWT and calling the storefront's `loginWithCustomerLoginJwt`.
import { decodeJwt, SignJWT } from 'jose';
import { gql, loginAs, startStack, WHOLESALE, type Stack } from '../helpers/stack';

const CLIENT_SECRET = 'sso-cat-mode-client-secret-chosen-at-test-time';
const LOGIN_URL = `mutation Url { customerLoginUrl { url } }`;
const CURRENT = `query Current($jwt: String) { currentCustomer(currentCustomerJwt: $jwt) { entityId email customerGroupId source customer { email customerGroupId } } }`;
const OPEN = `mutation Open($jwt: String!) { loginWithCurrentCustomerJwt(currentCustomerJwt: $jwt) { sessionToken customer { entityId email customerGroupId source } } }`;

interface Shopper {
  entityId: number;
  customerGroupId: number;
}
interface OpenData {
  loginWithCurrentCustomerJwt: { sessionToken: string; customer: { entityId: number; email: string; customerGroupId: number; source: string } };
}

describe('SSO in customer-access-token mode over HTTP', () => {
  let stack: Stack;
  let shopper: Shopper;

  beforeAll(async () => {
    stack = await startStack({ authMode: 'customer-access-token', sandbox: { clientSecret: CLIENT_SECRET } });
    const auth = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    const me = await gql<{ customer: Shopper }>(stack.gateway.graphqlUrl, `{ customer { entityId customerGroupId } }`, {}, { cookie: auth.cookie });
    expect(me.body.errors).toBeUndefined();
    shopper = me.body.data!.customer;
  });
  afterAll(() => stack.close());

  /**
   * A fresh gateway session of the wholesale shopper. Every upstream login revokes that customer's previous CAT
   * (one device), so each test logs in again rather than sharing a session another test may have displaced.
   */
  const freshSession = () => loginAs(stack.gateway.graphqlUrl, WHOLESALE);

  let lastIssuedSecond = 0;
  /** The BigCommerce-hosted leg: customerLoginUrl → /login/token/{jwt} → /customer/current.jwt in the browser. */
  async function currentCustomerJwtViaStorefront(): Promise<string> {
    // BigCommerce's tokens carry no jti: two of one customer issued in one second are the same token, and a token
    // spent by an earlier test would read nothing. Each test gets a token of its own second.
    while (Math.floor(Date.now() / 1000) <= lastIssuedSecond) await new Promise((resolve) => setTimeout(resolve, 50));
    const { cookie } = await freshSession();
    const urlResponse = await gql<{ customerLoginUrl: { url: string } }>(stack.gateway.graphqlUrl, LOGIN_URL, {}, { cookie });
    expect(urlResponse.body.errors).toBeUndefined();
    const login = await fetch(urlResponse.body.data!.customerLoginUrl.url, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/account.php');
    const storefrontCookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect(storefrontCookie).not.toBe('');
    const jwtResponse = await fetch(`${stack.sandbox.url}/customer/current.jwt?app_client_id=${stack.sandbox.identity.clientId}`, {
      headers: { cookie: storefrontCookie },
    });
    expect(jwtResponse.status).toBe(200);
    const jwt = await jwtResponse.text();
    lastIssuedSecond = decodeJwt(jwt).iat ?? Math.floor(Date.now() / 1000);
    return jwt;
  }

  it('round trip: a Current Customer JWT opens a gateway session backed by an upstream CAT', async () => {
    const currentCustomerJwt = await currentCustomerJwtViaStorefront();
    const upstreamCallsBefore = stack.sandbox.requestLog.filter((e) => e.path === '/graphql').length;

    const opened = await gql<OpenData>(stack.gateway.graphqlUrl, OPEN, { jwt: currentCustomerJwt });
    expect(opened.body.errors).toBeUndefined();
    const { sessionToken, customer } = opened.body.data!.loginWithCurrentCustomerJwt;
    expect(customer).toEqual({ entityId: shopper.entityId, email: WHOLESALE.email, customerGroupId: shopper.customerGroupId, source: 'CURRENT_CUSTOMER_JWT' });
    expect(sessionToken).toEqual(expect.any(String));
    expect(opened.headers.getSetCookie().some((c) => c.startsWith('sfgw_session='))).toBe(true);
    // The CAT was obtained upstream (loginWithCustomerLoginJwt), not invented by the gateway.
    expect(stack.sandbox.requestLog.filter((e) => e.path === '/graphql').length).toBeGreaterThan(upstreamCallsBefore);

    // Storefront `customer` resolves only with a live upstream CAT: this proves the new session carries one.
    const me = await gql<{ customer: { email: string; customerGroupId: number } | null }>(
      stack.gateway.graphqlUrl,
      `{ customer { email customerGroupId } }`,
      {},
      { authorization: `Bearer ${sessionToken}` },
    );
    expect(me.body.errors).toBeUndefined();
    expect(me.body.data).toEqual({ customer: { email: WHOLESALE.email, customerGroupId: shopper.customerGroupId } });
  });

  it('currentCustomer(currentCustomerJwt): identity for a guest with customer null; customer filled with the same shopper\'s session', async () => {
    const currentCustomerJwt = await currentCustomerJwtViaStorefront();
    const identity = { entityId: shopper.entityId, email: WHOLESALE.email, customerGroupId: shopper.customerGroupId, source: 'CURRENT_CUSTOMER_JWT' };

    const asGuest = await gql<{ currentCustomer: Record<string, unknown> }>(stack.gateway.graphqlUrl, CURRENT, { jwt: currentCustomerJwt });
    expect(asGuest.body.errors).toBeUndefined();
    // A Current Customer JWT alone carries no upstream credential in this mode (schema/gateway/customer.graphql).
    expect(asGuest.body.data!.currentCustomer).toEqual({ ...identity, customer: null });

    const { cookie } = await freshSession();
    const withSession = await gql<{ currentCustomer: Record<string, unknown> }>(stack.gateway.graphqlUrl, CURRENT, { jwt: currentCustomerJwt }, { cookie });
    expect(withSession.body.errors).toBeUndefined();
    expect(withSession.body.data!.currentCustomer).toEqual({
      ...identity,
      customer: { email: WHOLESALE.email, customerGroupId: shopper.customerGroupId },
    });
  });

  it('refuses a forged Current Customer JWT (wrong secret) with SIGNATURE_INVALID, no session and no upstream login', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({
      customer: { id: shopper.entityId, email: WHOLESALE.email, group_id: String(shopper.customerGroupId) },
      iss: 'bc/apps',
      sub: stack.sandbox.identity.storeHash,
      iat,
      exp: iat + 900,
      version: 1,
      aud: stack.sandbox.identity.clientId,
      application_id: stack.sandbox.identity.clientId,
      store_hash: stack.sandbox.identity.storeHash,
      operation: 'current_customer',
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode('not-the-client-secret-at-all-0123456789'));
    const upstreamCallsBefore = stack.sandbox.requestLog.filter((e) => e.path === '/graphql').length;

    for (const op of [OPEN, CURRENT]) {
      const response = await gql(stack.gateway.graphqlUrl, op, { jwt: forged });
      expect(Object.values(response.body.data ?? {}).every((value) => value === null)).toBe(true);
      expect(response.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SIGNATURE_INVALID' });
      expect(JSON.stringify(response.body)).not.toContain(WHOLESALE.email);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    // Verification comes first: a forged token never makes the gateway sign a Customer Login JWT upstream.
    expect(stack.sandbox.requestLog.filter((e) => e.path === '/graphql').length).toBe(upstreamCallsBefore);
  });
});
