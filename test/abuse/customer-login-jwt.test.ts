// The storefront's `loginWithCustomerLoginJwt` is answered by the gateway: passed through, a guest holding
// someone's Customer Login JWT would be logged in upstream as that customer and read their profile. The
// gateway verifies the token as BigCommerce does, binds it to the request's address, spends its jti once,
// and opens a gateway session instead.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { gql, SERVER_KEY, startStack, type Stack } from '../helpers/stack';

const CLIENT_SECRET = 'customer-login-jwt-suite-secret-0123456789';
const LOGIN = `mutation L($jwt: String!) { loginWithCustomerLoginJwt(jwt: $jwt) { redirectTo sessionToken customerAccessToken { value } customer { entityId email } } }`;
const WHOLESALE_ID = 2;

interface LoginData {
  loginWithCustomerLoginJwt: { redirectTo: string; sessionToken: string; customerAccessToken: null; customer: { entityId: number; email: string } };
}

describe.each(['impersonation', 'customer-access-token'] as const)('loginWithCustomerLoginJwt answered by the gateway (%s mode)', (authMode) => {
  let stack: Stack;
  let clientId: string;
  let storeHash: string;

  beforeAll(async () => {
    stack = await startStack({ authMode, sandbox: { clientSecret: CLIENT_SECRET } });
    ({ clientId, storeHash } = stack.sandbox.identity);
  });
  afterAll(() => stack.close());

  function sign(claims: Record<string, unknown> = {}, secret = CLIENT_SECRET): Promise<string> {
    const payload = {
      iss: clientId,
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      operation: 'customer_login',
      store_hash: storeHash,
      customer_id: WHOLESALE_ID,
      channel_id: 1,
      redirect_to: '/account.php',
      request_ip: '127.0.0.1',
      ...claims,
    };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete (payload as Record<string, unknown>)[name];
    return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
  }
  const upstreamJwtLogins = () => stack.sandbox.requestLog.filter((entry) => entry.path === '/graphql').length;

  it('opens a gateway session for a token bound to this address: the session works, no CAT reaches the client', async () => {
    const response = await gql<LoginData>(stack.gateway.graphqlUrl, LOGIN, { jwt: await sign({ redirect_to: '/cart.php' }) });
    expect(response.body.errors).toBeUndefined();
    const result = response.body.data!.loginWithCustomerLoginJwt;
    expect(result).toMatchObject({ redirectTo: '/cart.php', customerAccessToken: null, customer: { entityId: WHOLESALE_ID, email: 'wholesale@example.com' } });
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('sfgw_session='))).toBe(true);
    const me = await gql<{ customer: { entityId: number } }>(stack.gateway.graphqlUrl, `{ customer { entityId } }`, {}, { authorization: `Bearer ${result.sessionToken}` });
    expect(me.body.data?.customer.entityId).toBe(WHOLESALE_ID);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['issued for another address', { request_ip: '203.0.113.9' }, 'REQUEST_IP_MISMATCH'],
    ['without request_ip, from a guest', { request_ip: undefined }, 'REQUEST_IP_MISMATCH'],
    ['older than 30 seconds', { iat: Math.floor(Date.now() / 1000) - 120 }, 'EXPIRED'],
    ['from the future', { iat: Math.floor(Date.now() / 1000) + 600 }, 'EXPIRED'],
    ['for another store', { store_hash: 'other-store' }, 'CLAIM_INVALID'],
    ['for another operation', { operation: 'current_customer' }, 'CLAIM_INVALID'],
    ['for another channel', { channel_id: 7 }, 'CLAIM_INVALID'],
    ['without a jti', { jti: undefined }, 'CLAIM_INVALID'],
    ['from another issuer', { iss: 'someone-else' }, 'CLAIM_INVALID'],
    ['naming no customer', { customer_id: 'all' }, 'CLAIM_INVALID'],
  ])('refuses a token %s, before any upstream call', async (_name, claims, reason) => {
    const before = upstreamJwtLogins();
    const response = await gql(stack.gateway.graphqlUrl, LOGIN, { jwt: await sign(claims) }, { 'x-forwarded-for': '198.51.100.1' });
    expect(response.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
    expect(response.body.data ?? null).toBeNull();
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('sfgw_session=') && !cookie.startsWith('sfgw_session=;'))).toBe(false);
    expect(upstreamJwtLogins()).toBe(before);
  });

  it('refuses a forged signature and an absolute redirect', async () => {
    const forged = await gql(stack.gateway.graphqlUrl, LOGIN, { jwt: await sign({}, 'not-the-client-secret-0123456789') });
    expect(forged.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SIGNATURE_INVALID' });
    const offsite = await gql(stack.gateway.graphqlUrl, LOGIN, { jwt: await sign({ redirect_to: '//evil.example/' }) });
    expect(offsite.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('spends a token once, whatever its spelling', async () => {
    const jwt = await sign();
    const first = await gql<LoginData>(stack.gateway.graphqlUrl, LOGIN, { jwt });
    expect(first.body.errors).toBeUndefined();
    const again = await gql(stack.gateway.graphqlUrl, LOGIN, { jwt });
    expect(again.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ALREADY_USED' });
    for (const variant of [`${jwt}=`, ` ${jwt}`, jwt.replace(/\./g, '..'), `${jwt}.`]) {
      const response = await gql(stack.gateway.graphqlUrl, LOGIN, { jwt: variant });
      expect(response.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.body.data ?? null).toBeNull();
    }
  });

  it('accepts a token without request_ip from a trusted server (which minted it for its shopper)', async () => {
    const response = await gql<LoginData>(stack.gateway.graphqlUrl, LOGIN, { jwt: await sign({ request_ip: undefined }) }, { 'x-gateway-server-key': SERVER_KEY });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.loginWithCustomerLoginJwt.customer.entityId).toBe(WHOLESALE_ID);
  });
});
