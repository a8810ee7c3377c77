// The cache in Redis (REDIS_URL): two gateways share entries and invalidations, and a Redis outage never fails a
// request — the catalog is answered without the cache (BYPASS) until Redis returns.
import type { Sandbox } from '../../sandbox';
import type { GatewayServer } from '../helpers/stack';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';
import { CACHE_ON, CATALOG_FAST_PATH, query, shoppers, sleep, startCacheSandbox, startCachedGateway, upstreamCalls, type Shopper } from './helpers';

let redis: RedisServer;
let sandbox: Sandbox;
let a: GatewayServer;
let b: GatewayServer;
let people: Shopper[];

beforeAll(async () => {
  redis = await startRedisServer();
  sandbox = await startCacheSandbox();
  const shared = { config: { redis: { url: redis.url, keyPrefix: 'sfgw-cache-test:' } } };
  a = await startCachedGateway(sandbox, CACHE_ON, shared);
  b = await startCachedGateway(sandbox, CACHE_ON, shared);
  people = await shoppers(a.graphqlUrl);
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  await sandbox?.close();
  await redis?.stop();
});

describe('response cache in Redis', () => {
  it('is shared: a MISS on gateway A is a HIT on gateway B, same bytes, no upstream call', async () => {
    for (const shopper of people) {
      const miss = await query(a.graphqlUrl, CATALOG_FAST_PATH, {}, shopper.headers);
      expect({ who: shopper.name, cache: miss.cache }).toEqual({ who: shopper.name, cache: 'MISS' });
      const before = sandbox.requestLog.length;
      const hit = await query(b.graphqlUrl, CATALOG_FAST_PATH, {}, shopper.headers);
      expect({ who: shopper.name, cache: hit.cache, upstream: upstreamCalls(sandbox, before) }).toEqual({ who: shopper.name, cache: 'HIT', upstream: 0 });
      expect(hit.text).toBe(miss.text);
    }
  });

  it('an invalidation made on A reaches B within 2 s, and only for that group', async () => {
    const wholesale = people.find((shopper) => shopper.name === 'wholesale') as Shopper;
    const retail = people.find((shopper) => shopper.name === 'retail') as Shopper;
    // B has read the epochs recently (its memo is warm): the worst case for propagation.
    expect((await query(b.graphqlUrl, CATALOG_FAST_PATH, {}, wholesale.headers)).cache).toBe('HIT');
    const started = Date.now();
    await a.gateway.cacheInvalidator.invalidate([{ kind: 'group', customerGroupId: 2 }]);
    let seenAfter = Number.POSITIVE_INFINITY;
    while (Date.now() - started < 2000) {
      if ((await query(b.graphqlUrl, CATALOG_FAST_PATH, {}, wholesale.headers)).cache === 'MISS') {
        seenAfter = Date.now() - started;
        break;
      }
      await sleep(50);
    }
    expect(seenAfter).toBeLessThan(2000);
    expect((await query(b.graphqlUrl, CATALOG_FAST_PATH, {}, retail.headers)).cache).toBe('HIT');
    // A sees its own invalidation at once (no memo wait).
    await a.gateway.cacheInvalidator.invalidate([{ kind: 'group', customerGroupId: 1 }]);
    expect((await query(a.graphqlUrl, CATALOG_FAST_PATH, {}, retail.headers)).cache).toBe('MISS');
  });

  it('keeps answering while Redis is down (BYPASS, no error) and caches again once it is back', async () => {
    await redis.stop();
    try {
      for (const gateway of [a, b]) {
        for (let i = 0; i < 3; i++) {
          const answer = await query(gateway.graphqlUrl, CATALOG_FAST_PATH);
          expect(answer.status).toBe(200);
          expect(['BYPASS', 'MISS']).toContain(answer.cache);
          expect(JSON.parse(answer.text).errors).toBeUndefined();
          expect(JSON.parse(answer.text).data.site.products.edges).toHaveLength(50);
        }
      }
    } finally {
      await redis.restart();
    }
    const deadline = Date.now() + 10_000;
    let status: string | null = null;
    while (Date.now() < deadline) {
      status = (await query(a.graphqlUrl, CATALOG_FAST_PATH)).cache;
      if (status === 'HIT') break;
      await sleep(200);
    }
    expect(status).toBe('HIT');
  }, 30_000);

  it('a hung Redis (connection open, no answers) costs at most a command timeout now and then, never an error', async () => {
    const failedCommands = async (): Promise<number> => {
      const metrics = await (await fetch(`${a.url}/metrics`)).text();
      return Number(/^gateway_shared_state_commands_total\{outcome="error"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
    };
    redis.pause();
    try {
      const before = await failedCommands();
      for (let i = 0; i < 10; i++) {
        const answer = await query(a.graphqlUrl, CATALOG_FAST_PATH);
        expect(answer.status).toBe(200);
        expect(answer.cache).toBe('BYPASS');
      }
      // One request waits for the command timeout; the cool-down then skips the cache instead of asking the hung
      // Redis again for every request (counted, not timed).
      expect((await failedCommands()) - before).toBeLessThan(10);
    } finally {
      redis.resume();
    }
  }, 30_000);
});
