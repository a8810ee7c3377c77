// Customer Login API (GET /login/token/{jwt}) and Current Customer API (GET /customer/current.jwt), over HTTP,
// with JWTs signed and verified independently here with jose and the client secret.
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Sandbox } from '../../sandbox';
import { fakeClock, start } from './helpers';

const clock = fakeClock();
let s: Sandbox;
const secret = 'test-client-secret-that-is-long-enough-0123456789';
beforeAll(async () => {
  s = await start({ now: clock.now, clientId: 'test-client', clientSecret: secret, storeHash: 'teststore' });
});
afterAll(() => s.close());

function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  return {
    iss: 'test-client',
    iat: Math.floor(clock.now() / 1000),
    jti: randomUUID(),
    operation: 'customer_login',
    store_hash: 'teststore',
    customer_id: 2,
    channel_id: 1,
    ...overrides,
  };
}

async function sign(payload: JWTPayload, key = secret, header: Record<string, string> = { alg: 'HS256', typ: 'JWT' }): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', ...header }).sign(new TextEncoder().encode(key));
}

async function visit(jwt: string): Promise<Response> {
  return fetch(`${s.url}/login/token/${jwt}`, { redirect: 'manual' });
}

function sessionCookie(res: Response): string | null {
  const set = res.headers.get('set-cookie');
  return set ? set.split(';')[0] : null;
}

describe('GET /login/token/{jwt}', () => {
  it('signs the shopper in, redirects to redirect_to, and /customer/current.jwt answers a verifiable JWT', async () => {
    const res = await visit(await sign(claims({ redirect_to: '/account.php?tab=orders', request_ip: '127.0.0.1' })));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/account.php?tab=orders');
    expect(res.headers.get('set-cookie')).toMatch(/^SHOP_SESSION_TOKEN=[0-9a-f]+; Path=\/; HttpOnly/);
    const cookie = sessionCookie(res)!;

    const account = await fetch(`${s.url}/account.php`, { headers: { Cookie: cookie } });
    expect(account.status).toBe(200);
    expect(await account.text()).toContain('wholesale@example.com');

    const current = await fetch(`${s.url}/customer/current.jwt?app_client_id=test-client`, { headers: { Cookie: cookie } });
    expect(current.status).toBe(200);
    expect(current.headers.get('content-type')).toMatch(/^text\/plain/);
    const jwt = await current.text();
    const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      issuer: 'bc/apps',
      audience: 'test-client',
      currentDate: new Date(clock.now()),
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    const iat = Math.floor(clock.now() / 1000);
    expect(payload).toEqual({
      customer: { id: 2, email: 'wholesale@example.com', group_id: '2' },
      iss: 'bc/apps',
      sub: 'teststore',
      iat,
      exp: iat + 900,
      version: 1,
      aud: 'test-client',
      application_id: 'test-client',
      store_hash: 'teststore',
      operation: 'current_customer',
    });
  });

  it('redirects to /account.php by default', async () => {
    const res = await visit(await sign(claims({ customer_id: 1 })));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/account.php');
    const account = await fetch(`${s.url}/account.php`, { headers: { Cookie: sessionCookie(res)! } });
    expect(await account.text()).toContain('retail@example.com');
  });

  const failures: [string, () => Promise<string>][] = [
    ['a wrong signature', () => sign(claims(), 'another-secret-another-secret-another-secret')],
    ['an iat older than 30 s', () => sign(claims({ iat: Math.floor(clock.now() / 1000) - 31 }))],
    ['an iat far in the future', () => sign(claims({ iat: Math.floor(clock.now() / 1000) + 120 }))],
    ['an absolute redirect_to', () => sign(claims({ redirect_to: 'https://evil.example/account.php' }))],
    ['a protocol-relative redirect_to', () => sign(claims({ redirect_to: '//evil.example/' }))],
    ['a backslash redirect_to', () => sign(claims({ redirect_to: '/\\evil.example/' }))],
    ['a wrong request_ip', () => sign(claims({ request_ip: '10.1.2.3' }))],
    ['a wrong iss', () => sign(claims({ iss: 'someone-else' }))],
    ['a wrong operation', () => sign(claims({ operation: 'current_customer' }))],
    ['a wrong store_hash', () => sign(claims({ store_hash: 'otherstore' }))],
    ['a missing jti', () => sign(claims({ jti: undefined }))],
    ['an unknown customer', () => sign(claims({ customer_id: 999 }))],
    ['another channel', () => sign(claims({ channel_id: 7 }))],
    ['a missing typ header', () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret))],
    ['garbage', async () => 'not-a-jwt'],
  ];

  it.each(failures)('rejects %s: 302 to /login.php with an error and no session', async (_name, make) => {
    const res = await visit(await make());
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    expect(location.startsWith('/login.php?')).toBe(true);
    expect(res.headers.get('set-cookie')).toBeNull();
    const page = await fetch(`${s.url}${location}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Invalid login');
  });

  it('accepts a jti once only', async () => {
    const jwt = await sign(claims());
    expect((await visit(jwt)).headers.get('location')).toBe('/account.php');
    const again = await visit(jwt);
    expect(again.headers.get('location')).toMatch(/^\/login\.php\?/);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('logs out through /login.php?action=logout', async () => {
    const res = await visit(await sign(claims()));
    const cookie = sessionCookie(res)!;
    await fetch(`${s.url}/login.php?action=logout`, { headers: { Cookie: cookie } });
    const account = await fetch(`${s.url}/account.php`, { headers: { Cookie: cookie }, redirect: 'manual' });
    expect(account.status).toBe(302);
    expect(account.headers.get('location')).toBe('/login.php');
  });
});

describe('GET /customer/current.jwt', () => {
  it('answers 404 to a guest', async () => {
    expect((await fetch(`${s.url}/customer/current.jwt?app_client_id=test-client`)).status).toBe(404);
    expect((await fetch(`${s.url}/customer/current.jwt?app_client_id=test-client`, { headers: { Cookie: 'SHOP_SESSION_TOKEN=forged' } })).status).toBe(404);
  });

  it('answers 400 for an unknown or missing app_client_id, even with a session', async () => {
    const cookie = sessionCookie(await visit(await sign(claims())))!;
    expect((await fetch(`${s.url}/customer/current.jwt?app_client_id=other`, { headers: { Cookie: cookie } })).status).toBe(400);
    expect((await fetch(`${s.url}/customer/current.jwt`, { headers: { Cookie: cookie } })).status).toBe(400);
  });

  it('redirects a guest from /account.php to /login.php', async () => {
    const res = await fetch(`${s.url}/account.php`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login.php');
  });
});
