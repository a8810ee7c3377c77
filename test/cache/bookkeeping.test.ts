// What is never cached, and what every GraphQL answer says about it: reserved aliases are refused; introspection,
// mutations, trusted-server requests and results with errors are BYPASS every time; X-Cache is on every
// GraphQL response (batches, errors, refusals) while GATEWAY_CACHE_DEBUG_HEADER is on, and without it only to trusted
// servers; ETag/304 for cacheable GET requests; counters in /metrics;
// the status in the request log; GATEWAY_CACHE=off bypasses everything.
import type { Sandbox } from '../../sandbox';
import { SERVER_KEY, type GatewayServer } from '../helpers/stack';
import { CACHE_OFF, CACHE_ON, post, query, shoppers, startCacheSandbox, startCachedGateway, upstreamCalls, type Shopper } from './helpers';

let sandbox: Sandbox;
let gateway: GatewayServer;
let off: GatewayServer;
/** The production default: GATEWAY_CACHE_DEBUG_HEADER off. */
let quiet: GatewayServer;
let people: Shopper[];

beforeAll(async () => {
  sandbox = await startCacheSandbox();
  gateway = await startCachedGateway(sandbox);
  off = await startCachedGateway(sandbox, CACHE_OFF);
  quiet = await startCachedGateway(sandbox, { ...CACHE_ON, debugHeader: false });
  people = await shoppers(gateway.graphqlUrl);
});
afterAll(async () => {
  await gateway?.close();
  await off?.close();
  await quiet?.close();
  await sandbox?.close();
});

const PRODUCT = '{ site { product(entityId: 100) { entityId name } } }';

describe('cache bookkeeping aliases', () => {
  it.each(['__responseCacheTypeName', '__responseCacheId', '__gatewayCacheKey'])('refuses the alias %s with BAD_USER_INPUT', async (alias) => {
    for (const url of [gateway.graphqlUrl, off.graphqlUrl]) {
      const answer = await query(url, `{ site { product(entityId: 100) { ${alias}: name } } }`);
      expect(answer.cache).toBe('BYPASS');
      expect(JSON.parse(answer.text).data).toBeUndefined();
      expect(JSON.parse(answer.text).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'RESERVED_ALIAS' });
    }
  });
});

describe('never cached', () => {
  async function twice(text: string, headers: Record<string, string> = {}, variables: Record<string, unknown> = {}) {
    const before = sandbox.requestLog.length;
    const answers = [await query(gateway.graphqlUrl, text, variables, headers), await query(gateway.graphqlUrl, text, variables, headers)];
    return { caches: answers.map((answer) => answer.cache), upstream: upstreamCalls(sandbox, before), answers };
  }

  it('introspection', async () => {
    const { caches } = await twice('{ __schema { queryType { name } } }');
    expect(caches).toEqual(['BYPASS', 'BYPASS']);
    expect((await twice('{ __type(name: "Product") { name } }')).caches).toEqual(['BYPASS', 'BYPASS']);
  });

  it('mutations (each one goes upstream)', async () => {
    const { caches, upstream } = await twice('mutation { cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: 100 }] }) { cart { entityId } } } }');
    expect(caches).toEqual(['BYPASS', 'BYPASS']);
    expect(upstream).toBe(2);
  });

  it('results with errors (the second one is executed again)', async () => {
    const { caches, answers } = await twice('{ site { product(entityId: 100) { entityId pricing(currencyCode: "notacurrency") { price { asEntered } } } } }');
    expect(caches).toEqual(['BYPASS', 'BYPASS']);
    expect(JSON.parse(answers[0].text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('private documents, for every shopper', async () => {
    for (const shopper of people) {
      expect((await twice('{ customer { email } }', shopper.headers)).caches).toEqual(['BYPASS', 'BYPASS']);
      expect((await twice('{ c: customer { e: email } site { product(entityId: 100) { name } } }', shopper.headers)).caches).toEqual(['BYPASS', 'BYPASS']);
      expect((await twice('{ currentCustomer { email customerGroupId } }', shopper.headers)).caches).toEqual(['BYPASS', 'BYPASS']);
    }
  });

  it('requests with the server key (they may ask for any group)', async () => {
    const { caches } = await twice(PRODUCT, { 'x-gateway-server-key': SERVER_KEY });
    expect(caches).toEqual(['BYPASS', 'BYPASS']);
  });

  it('anything, with GATEWAY_CACHE=off', async () => {
    const answers = [await query(off.graphqlUrl, PRODUCT), await query(off.graphqlUrl, PRODUCT)];
    expect(answers.map((answer) => answer.cache)).toEqual(['BYPASS', 'BYPASS']);
  });
});

describe('X-Cache on every GraphQL response', () => {
  it('batches: HIT only when every operation hit; BYPASS when one cannot be cached', async () => {
    await query(gateway.graphqlUrl, PRODUCT);
    const hits = await post(gateway.graphqlUrl, [{ query: PRODUCT }, { query: PRODUCT }]);
    expect(hits.cache).toBe('HIT');
    const mixed = await post(gateway.graphqlUrl, [{ query: PRODUCT }, { query: '{ site { product(entityId: 101) { entityId } } }' }]);
    expect(mixed.cache).toBe('MISS');
    const withPrivate = await post(gateway.graphqlUrl, [{ query: PRODUCT }, { query: '{ customer { email } }' }]);
    expect(withPrivate.cache).toBe('BYPASS');
    // Each element of a batch is its own operation's bytes: the cached one equals the single answer.
    const single = await query(gateway.graphqlUrl, PRODUCT);
    expect(hits.text).toBe(`[${single.text},${single.text}]`);
  });

  it('errors and refusals: parse errors, validation errors, a bad session, a wrong method', async () => {
    expect((await post(gateway.graphqlUrl, { query: '{ site {' })).cache).toBe('BYPASS');
    expect((await post(gateway.graphqlUrl, { query: '{ nope }' })).cache).toBe('BYPASS');
    const badSession = await post(gateway.graphqlUrl, { query: PRODUCT }, { authorization: 'Bearer not-a-token' });
    expect(badSession.status).toBe(401);
    expect(badSession.cache).toBe('BYPASS');
    const put = await fetch(gateway.graphqlUrl, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(put.headers.get('x-cache')).toBe('BYPASS');
  });
});

describe('X-Cache without GATEWAY_CACHE_DEBUG_HEADER: trusted servers only', () => {
  const page = (id: number) => `{ site { product(entityId: ${id}) { entityId name } } }`;

  it('tells no shopper whether an answer was a hit, while still serving it from the cache', async () => {
    for (const [index, shopper] of people.entries()) {
      const text = page(110 + index);
      const first = await query(quiet.graphqlUrl, text, {}, shopper.headers);
      const before = sandbox.requestLog.length;
      const second = await query(quiet.graphqlUrl, text, {}, shopper.headers);
      const batch = await post(quiet.graphqlUrl, [{ query: text }, { query: text }], shopper.headers);
      const get = await fetch(`${quiet.graphqlUrl}?query=${encodeURIComponent(text)}`, { headers: { accept: 'application/json', 'x-graphql-csrf': '1', ...shopper.headers } });
      await get.text();
      expect({ who: shopper.name, headers: [first.cache, second.cache, batch.cache, get.headers.get('x-cache')], upstream: upstreamCalls(sandbox, before), same: second.text === first.text }).toEqual({
        who: shopper.name,
        headers: [null, null, null, null],
        upstream: 0,
        same: true,
      });
    }
    // Also not on refusals, and not to a caller with a wrong server key.
    expect((await post(quiet.graphqlUrl, { query: '{ site {' })).cache).toBeNull();
    expect((await query(quiet.graphqlUrl, page(110), {}, { 'x-gateway-server-key': `${SERVER_KEY}x` })).cache).toBeNull();
    // The operator still sees it in the request log.
    const lines = quiet.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'graphql request');
    expect(lines.map((entry) => entry.cache)).toContain('HIT');
  });

  it('shows it to a trusted server (X-Gateway-Server-Key)', async () => {
    const answer = await query(quiet.graphqlUrl, page(110), {}, { 'x-gateway-server-key': SERVER_KEY });
    expect(answer.cache).toBe('BYPASS');
    const refused = await post(quiet.graphqlUrl, { query: '{ nope }' }, { 'x-gateway-server-key': SERVER_KEY });
    expect(refused.cache).toBe('BYPASS');
  });
});

describe('ETag and 304 for cacheable GET requests', () => {
  const getUrl = (text: string) => `${gateway.graphqlUrl}?query=${encodeURIComponent(text)}`;
  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers: { accept: 'application/json', 'x-graphql-csrf': '1', ...headers } });

  it('answers If-None-Match with an empty 304 while the entry is unchanged', async () => {
    const url = getUrl('{ site { product(entityId: 103) { entityId name } } }');
    const first = await get(url);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    await first.text();

    const again = await get(url, { 'if-none-match': etag as string });
    expect(again.status).toBe(304);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');

    const other = await get(url, { 'if-none-match': '"something-else"' });
    expect(other.status).toBe(200);
    expect(await other.text()).not.toBe('');
  });

  it('gives no ETag to what is never cached, which stays no-store', async () => {
    const answer = await get(getUrl('{ customer { email } }'), people[1].headers);
    expect(answer.headers.get('x-cache')).toBe('BYPASS');
    expect(answer.headers.get('etag')).toBeNull();
    expect(answer.headers.get('cache-control')).toBe('private, no-store');
  });
});

describe('visible in /metrics and the request log', () => {
  it('counts hits, misses and bypasses, and the bytes of stored entries', async () => {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    for (const status of ['hit', 'miss', 'bypass']) expect(metrics).toMatch(new RegExp(`gateway_cache_operations_total\\{status="${status}"\\} [1-9]`));
    expect(metrics).toMatch(/gateway_cache_entry_bytes_count [1-9]/);
    expect(metrics).toMatch(/gateway_cache_bytes [1-9]/);
  });

  it('logs the status with each request', async () => {
    await query(gateway.graphqlUrl, PRODUCT);
    const lines = gateway.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'graphql request');
    expect(lines.at(-1)?.cache).toBe('HIT');
    expect(new Set(lines.map((entry) => entry.cache))).toEqual(new Set(['HIT', 'MISS', 'BYPASS']));
  });
});
