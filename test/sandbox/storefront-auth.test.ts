// Storefront token creation over REST and the token rules of POST /graphql (developer.bigcommerce.com/docs/start/authentication/graphql-storefront, /docs/start/about/status-codes).
import type { Sandbox } from '../../sandbox';
import { createToken, fakeClock, gql, rest, restUrl, start } from './helpers';

const clock = fakeClock();
let s: Sandbox;
beforeAll(async () => {
  s = await start({ now: clock.now });
});
afterAll(() => s.close());

const SITE = '{ site { settings { storeName } } }';

describe('token creation (REST, X-Auth-Token)', () => {
  it.each([
    ['/v3/storefront/api-token', { allowed_cors_origins: ['https://shop.example'] }],
    ['/v3/storefront/api-token-private', { scopes: ['Unauthenticated'] }],
    ['/v3/storefront/api-token-customer-impersonation', {}],
  ])('POST %s returns {data:{token}, meta:{}} with an ES256 JWT', async (path, extra) => {
    const res = await rest(s, 'POST', path, { channel_id: 1, expires_at: Math.floor(clock.now() / 1000) + 60, ...extra });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { token: string }; meta: object };
    expect(body.meta).toEqual({});
    const [header] = body.data.token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'ES256' });
  });

  it('answers 401 without X-Auth-Token, with a wrong one, and for another store hash', async () => {
    const body = JSON.stringify({ channel_id: 1, expires_at: 1 });
    const noToken = await fetch(restUrl(s, '/v3/storefront/api-token'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ status: 401, title: expect.any(String), type: expect.any(String), errors: {} });
    const wrong = await rest(s, 'POST', '/v3/storefront/api-token', { channel_id: 1, expires_at: 1 }, { 'X-Auth-Token': 'nope' });
    expect(wrong.status).toBe(401);
    const otherStore = await fetch(`${s.url}/stores/otherstore/v3/storefront/api-token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': s.identity.accessToken },
      body,
    });
    expect(otherStore.status).toBe(401);
  });

  it.each([
    ['neither channel_id nor channel_ids', '/v3/storefront/api-token', { expires_at: 1 }],
    ['both channel_id and channel_ids', '/v3/storefront/api-token', { channel_id: 1, channel_ids: [1], expires_at: 1 }],
    ['missing expires_at', '/v3/storefront/api-token', { channel_id: 1 }],
    ['expires_at not an integer', '/v3/storefront/api-token', { channel_id: 1, expires_at: 'soon' }],
    ['unknown channel', '/v3/storefront/api-token', { channel_id: 99, expires_at: 1 }],
    ['three CORS origins', '/v3/storefront/api-token', { channel_id: 1, expires_at: 1, allowed_cors_origins: ['a', 'b', 'c'] }],
    ['private token without scopes', '/v3/storefront/api-token-private', { channel_id: 1, expires_at: 1 }],
    ['private token with an unknown scope', '/v3/storefront/api-token-private', { channel_id: 1, expires_at: 1, scopes: ['Admin'] }],
  ])('answers 422 for %s', async (_name, path, body) => {
    const res = await rest(s, 'POST', path, body);
    expect(res.status).toBe(422);
    const json = (await res.json()) as { status: number; title: string; type: string; errors: Record<string, string> };
    expect(json).toMatchObject({ status: 422, title: expect.any(String), type: expect.any(String) });
    expect(Object.keys(json.errors).length).toBeGreaterThan(0);
  });
});

describe('POST /graphql token rules', () => {
  it('401 "credentials were missing" without a token', async () => {
    const r = await gql(s, undefined, SITE);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ errors: [{ message: 'GraphQL credentials were missing. No token was sent.' }] });
  });

  it('401 "String is not a JWT" for garbage', async () => {
    const r = await gql(s, 'not-a-jwt', SITE);
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0].message).toBe('GraphQL invalid credentials. String is not a JWT');
  });

  it('401 "JWT has no valid Json" and "unknown format" for undecodable or foreign payloads', async () => {
    const h = Buffer.from('{"alg":"ES256","typ":"JWT"}').toString('base64url');
    const noJson = await gql(s, `${h}.${Buffer.from('nope').toString('base64url')}.sig`, SITE);
    expect(noJson.status).toBe(401);
    expect(noJson.body.errors?.[0].message).toBe('GraphQL invalid credentials. JWT has no valid Json');
    const foreign = await gql(s, `${h}.${Buffer.from('{"hello":1}').toString('base64url')}.sig`, SITE);
    expect(foreign.status).toBe(401);
    expect(foreign.body.errors?.[0].message).toBe('GraphQL invalid credentials. JWT has Json of an unknown format');
  });

  it('401 "JWT signature is invalid" for a tampered token', async () => {
    const token = await createToken(s, 'storefront', {}, clock.now());
    const [h, p] = token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, eat: (payload.eat as number) + 1 })).toString('base64url')}.${token.split('.')[2]}`;
    const r = await gql(s, tampered, SITE);
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0].message).toBe('GraphQL invalid credentials. JWT signature is invalid');
  });

  it('401 "JWT is expired" once the injected clock passes expires_at', async () => {
    const token = await createToken(s, 'impersonation', { expires_at: Math.floor(clock.now() / 1000) + 10 }, clock.now());
    expect((await gql(s, token, SITE)).status).toBe(200);
    clock.advance(11_000);
    const r = await gql(s, token, SITE);
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0].message).toBe('GraphQL invalid credentials. JWT is expired');
  });

  it('401 for a token issued by another store', async () => {
    const other = await start({ storeHash: 'otherstore', channelId: 2 });
    try {
      const res = await rest(other, 'POST', '/v3/storefront/api-token', { channel_id: 2, expires_at: Math.floor(Date.now() / 1000) + 60 });
      const token = ((await res.json()) as { data: { token: string } }).data.token;
      // Signed by another sandbox's key: the signature check fails first.
      const r = await gql(s, token, SITE);
      expect(r.status).toBe(401);
      expect(r.body.errors?.[0].message).toBe('GraphQL invalid credentials. JWT signature is invalid');
    } finally {
      await other.close();
    }
  });

  it('401 "Unknown JWT token" after revocation (DELETE api-token with Sf-Api-Token)', async () => {
    const token = await createToken(s, 'storefront', {}, clock.now());
    const del = await rest(s, 'DELETE', '/v3/storefront/api-token', undefined, { 'Sf-Api-Token': token });
    expect(del.status).toBe(200);
    const r = await gql(s, token, SITE);
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0].message).toBe('Unknown JWT token');
    const bad = await rest(s, 'DELETE', '/v3/storefront/api-token', undefined, { 'Sf-Api-Token': 'garbage' });
    expect(bad.status).toBe(422);
  });

  it('403 for an impersonation token sent with an Origin header', async () => {
    const token = await createToken(s, 'impersonation', {}, clock.now());
    const r = await gql(s, token, SITE, {}, { Origin: 'https://shop.example' });
    expect(r.status).toBe(403);
    expect(r.body.errors?.[0].message).toBe(
      'Request not allowed: Detected that request originated from a browser script and is using a customer impersonation jwt token. Customer impersonation tokens are not allowed with frontend requests.',
    );
  });

  it('403 for a private token from a browser, and for a storefront token from an origin it does not allow', async () => {
    const priv = await createToken(s, 'private', {}, clock.now());
    expect((await gql(s, priv, SITE, {}, { Origin: 'https://shop.example' })).status).toBe(403);
    const sf = await createToken(s, 'storefront', { allowed_cors_origins: ['https://shop.example'] }, clock.now());
    expect((await gql(s, sf, SITE, {}, { Origin: 'https://shop.example' })).status).toBe(200);
    const mismatch = await gql(s, sf, SITE, {}, { Origin: 'https://evil.example' });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.errors?.[0].message).toMatch(/^'Origin' header invalid/);
  });

  it.each(['storefront', 'private', 'impersonation'] as const)('allows introspection with a %s token', async (kind) => {
    const token = await createToken(s, kind, {}, clock.now());
    const r = await gql(s, token, '{ __schema { queryType { name } types { name } } }');
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    const types = (r.body.data as { __schema: { types: { name: string }[] } }).__schema.types.map((t) => t.name);
    expect(types).toEqual(expect.arrayContaining(['Product', 'Prices', 'Customer', 'Cart']));
  });

  it('rejects fields outside a private token\'s scopes with INSUFFICIENT_ACCESS_SCOPE', async () => {
    const token = await createToken(s, 'private', { scopes: ['Unauthenticated'] }, clock.now());
    const r = await gql(s, token, '{ customer { entityId } }');
    expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_ACCESS_SCOPE', requiredScopes: ['Customer'] });
  });
});
