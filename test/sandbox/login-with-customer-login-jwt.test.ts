// Storefront GraphQL `loginWithCustomerLoginJwt` over HTTP: a Customer Login API JWT (signed here, independently,
// with jose and the client secret) is exchanged for a customer access token, verified like GET /login/token/{jwt}.
import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { Sandbox } from '../../sandbox';
import { createToken, fakeClock, gql, start, type GraphQLResponse } from './helpers';

const clock = fakeClock();
const secret = 'jwt-login-test-client-secret-0123456789abcdef';
let s: Sandbox;
let priv: string;
beforeAll(async () => {
  s = await start({ now: clock.now, clientId: 'jwt-client', clientSecret: secret, storeHash: 'jwtstore' });
  priv = await createToken(s, 'private', { expires_at: Math.floor(clock.now() / 1000) + 86400 }, clock.now());
});
afterAll(() => s.close());

const WHOLESALE_ID = 2;
const JWT_LOGIN = `mutation J($jwt: String!, $cart: String) { loginWithCustomerLoginJwt(jwt: $jwt, guestCartEntityId: $cart) {
  redirectTo customer { entityId email } cart { entityId } customerAccessToken { value expiresAt } } }`;
const LOGIN = `mutation L($email: String!, $password: String!) { login(email: $email, password: $password) { customerAccessToken { value expiresAt } } }`;

interface JwtLoginData {
  loginWithCustomerLoginJwt: {
    redirectTo: string;
    customer: { entityId: number; email: string } | null;
    cart: { entityId: string } | null;
    customerAccessToken: { value: string; expiresAt: string } | null;
  };
}

function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  return {
    iss: 'jwt-client',
    iat: Math.floor(clock.now() / 1000),
    jti: randomUUID(),
    operation: 'customer_login',
    store_hash: 'jwtstore',
    customer_id: WHOLESALE_ID,
    channel_id: 1,
    ...overrides,
  };
}

async function sign(payload: JWTPayload, key = secret): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(key));
}

async function jwtLogin(jwt: string, token = priv, headers: Record<string, string> = {}, cart?: string) {
  return gql(s, token, JWT_LOGIN, { jwt, cart: cart ?? null }, headers);
}

const dataOf = (body: GraphQLResponse) => (body.data as unknown as JwtLoginData).loginWithCustomerLoginJwt;

async function customerEmail(cat: string): Promise<GraphQLResponse> {
  return (await gql(s, priv, '{ customer { email } }', {}, { 'X-Bc-Customer-Access-Token': cat })).body;
}

function expectRefused(r: { status: number; body: GraphQLResponse }): void {
  expect(r.status).toBe(200);
  expect(r.body.data).toBeNull();
  expect(r.body.errors).toHaveLength(1);
  expect(r.body.errors?.[0]).toMatchObject({ message: 'Invalid JWT', extensions: { code: 'INVALID_JWT' }, path: ['loginWithCustomerLoginJwt'] });
}

describe('Mutation.loginWithCustomerLoginJwt', () => {
  it('returns a working customer access token, the customer and redirect_to', async () => {
    // request_ip is deliberately someone else's: server-to-server, the caller's IP is not the shopper's.
    const r = await jwtLogin(await sign(claims({ redirect_to: '/account.php?tab=orders', request_ip: '203.0.113.9' })));
    expect(r.body.errors).toBeUndefined();
    const result = dataOf(r.body);
    expect(result.redirectTo).toBe('/account.php?tab=orders');
    expect(result.customer).toEqual({ entityId: WHOLESALE_ID, email: 'wholesale@example.com' });
    expect(result.cart).toBeNull();
    const cat = result.customerAccessToken!;
    // Same format and lifetime as `login`: 64 hex, `_`, unix expiry equal to expiresAt, one day after now.
    expect(cat.value).toMatch(/^[0-9a-f]{64}_\d+$/);
    expect(Number(cat.value.split('_')[1]) * 1000).toBe(Date.parse(cat.expiresAt));
    expect(Date.parse(cat.expiresAt)).toBe(Math.floor((clock.now() + 86_400_000) / 1000) * 1000);
    expect(await customerEmail(cat.value)).toEqual({ data: { customer: { email: 'wholesale@example.com' } } });
  });

  it('redirects to /account.php by default and assigns the guest cart', async () => {
    const created = await gql(s, priv, 'mutation { cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: 100 }] }) { cart { entityId } } } }');
    const cartId = (created.body.data as { cart: { createCart: { cart: { entityId: string } } } }).cart.createCart.cart.entityId;
    const r = await jwtLogin(await sign(claims({ customer_id: 1 })), priv, {}, cartId);
    expect(r.body.errors).toBeUndefined();
    expect(dataOf(r.body)).toMatchObject({ redirectTo: '/account.php', customer: { entityId: 1, email: 'retail@example.com' }, cart: { entityId: cartId } });
  });

  it('signs the customer out of the previous device: an older CAT of that customer is revoked', async () => {
    const old = await gql(s, priv, LOGIN, { email: 'wholesale@example.com', password: 'Wholesale1!' });
    const oldCat = (old.body.data as { login: { customerAccessToken: { value: string } } }).login.customerAccessToken.value;
    expect((await customerEmail(oldCat)).errors).toBeUndefined();
    const r = await jwtLogin(await sign(claims()));
    const newCat = dataOf(r.body).customerAccessToken!.value;
    expect((await customerEmail(oldCat)).errors?.[0].extensions).toEqual({ code: 'INVALID_CUSTOMER_ACCESS_TOKEN' });
    expect((await customerEmail(newCat)).errors).toBeUndefined();
  });

  it('accepts a jti once only, also across /login/token/{jwt}', async () => {
    const jwt = await sign(claims());
    expect((await jwtLogin(jwt)).body.errors).toBeUndefined();
    expectRefused(await jwtLogin(jwt));

    const visited = await sign(claims());
    expect((await fetch(`${s.url}/login/token/${visited}`, { redirect: 'manual' })).headers.get('location')).toBe('/account.php');
    expectRefused(await jwtLogin(visited));
  });

  const failures: [string, () => Promise<string>][] = [
    ['a wrong secret', () => sign(claims(), 'not-the-client-secret-not-the-client-secret')],
    ['an iat older than 30 s', () => sign(claims({ iat: Math.floor(clock.now() / 1000) - 31 }))],
    ['an iat far in the future', () => sign(claims({ iat: Math.floor(clock.now() / 1000) + 120 }))],
    ['a wrong iss', () => sign(claims({ iss: 'someone-else' }))],
    ['a wrong operation', () => sign(claims({ operation: 'current_customer' }))],
    ['a wrong store_hash', () => sign(claims({ store_hash: 'otherstore' }))],
    ['an absolute redirect_to', () => sign(claims({ redirect_to: 'https://evil.example/' }))],
    ['an unknown customer', () => sign(claims({ customer_id: 999 }))],
    ['a missing typ header', () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret))],
    ['garbage', async () => 'not-a-jwt'],
  ];
  it.each(failures)('refuses %s with "Invalid JWT" / INVALID_JWT and data null', async (_name, make) => {
    expectRefused(await jwtLogin(await make()));
  });

  it('refuses a token that became stale with the injected clock', async () => {
    const jwt = await sign(claims());
    clock.advance(31_000);
    try {
      expectRefused(await jwtLogin(jwt));
    } finally {
      clock.advance(-31_000);
    }
  });

  it('is gated like login: a private token needs the Customer scope', async () => {
    const catalogOnly = await createToken(s, 'private', { scopes: ['Unauthenticated'], expires_at: Math.floor(clock.now() / 1000) + 3600 }, clock.now());
    const jwt = await sign(claims());
    const r = await jwtLogin(jwt, catalogOnly);
    expect(r.body.data).toBeNull();
    expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_ACCESS_SCOPE', requiredScopes: ['Customer'] });
    // The refused call did not spend the jti.
    expect((await jwtLogin(jwt)).body.errors).toBeUndefined();
  });

  it('never returns the CAT in the body of a browser request', async () => {
    const browser = await createToken(s, 'storefront', { allowed_cors_origins: ['https://shop.example'], expires_at: Math.floor(clock.now() / 1000) + 3600 }, clock.now());
    const r = await jwtLogin(await sign(claims()), browser, { Origin: 'https://shop.example' });
    expect(r.body.errors?.[0].message).toMatch(/^Customer access token was requested in the body/);
    expect(JSON.stringify(r.body)).not.toMatch(/[0-9a-f]{64}_\d+/);
  });
});
