// Denial of cache: one client (an address, an IPv6 /64) or one network (IPv4 /24, IPv6 /48) flooding distinct
// cacheable queries spends only its share of the instance's write budget, so a bystander's pages are still cached.
import type { Sandbox } from '../../sandbox';
import { createCacheFront, writerKeysOf } from '../../src/cache/cache-front';
import { createMemoryCacheStore } from '../../src/state/memory-cache';
import type { GatewayServer } from '../helpers/stack';
import { CACHE_ON, CATALOG_FAST_PATH, query, startCacheSandbox, startCachedGateway, upstreamCalls } from './helpers';

describe('the cache front: per-client and per-network shares of the write budget', () => {
  const BUDGET = 64_000;
  // 2 × 500 + key: about 1 KB counted per write.
  const VALUE = 'x'.repeat(500);
  function front() {
    let clock = 1_000_000;
    const store = createMemoryCacheStore({ maxBytes: 10 * 1024 * 1024 });
    const cache = createCacheFront(store, { maxWriteBytes: BUDGET, writeWindowMs: 60_000, now: () => clock });
    let n = 0;
    /** Writes until `count` writes were tried; how many of them were stored. */
    const flood = async (writers: (i: number) => string | undefined, count: number) => {
      let stored = 0;
      for (let i = 0; i < count; i++) {
        const key = `k${n++}`;
        await cache.set(key, VALUE, 60_000, writers(i));
        if ((await store.get(key)) !== undefined) stored++;
      }
      return stored;
    };
    return { flood, advance: (ms: number) => (clock += ms) };
  }

  it('names a client by its address (IPv6 by /64) and its network by /24 or /48', () => {
    expect(writerKeysOf('203.0.113.7')).toEqual(['203.0.113.7', '203.0.113.0/24']);
    expect(writerKeysOf('2001:db8:1:2:aaaa::1')).toEqual(['2001:db8:1:2::/64', '2001:db8:1::/48']);
    expect(writerKeysOf('2001:db8:1:2:bbbb::9')).toEqual(writerKeysOf('2001:db8:1:2:aaaa::1'));
  });

  it.each([
    ['one IPv4 address', () => '203.0.113.7'],
    ['new IPv6 addresses inside one /64', (i: number) => `2001:db8:1:2::${(i + 1).toString(16)}`],
  ])('%s stores at most a sixteenth of the budget; a bystander still stores', async (_name, writer) => {
    const { flood } = front();
    const attacker = await flood(writer, 200);
    // 64 KB / 16 = 4 KB: three or four 1 KB writes, whatever the attacker sends.
    expect(attacker).toBeGreaterThan(0);
    expect(attacker).toBeLessThanOrEqual(4);
    expect(await flood(() => '198.51.100.9', 3)).toBe(3);
  });

  it.each([
    ['IPv4 addresses of one /24', (i: number) => `203.0.113.${i % 250}`],
    ['IPv6 /64s of one /48', (i: number) => `2001:db8:1:${(i + 1).toString(16)}::1`],
  ])('%s together store at most a quarter of the budget', async (_name, writer) => {
    const { flood } = front();
    const network = await flood(writer, 200);
    expect(network).toBeGreaterThan(4);
    expect(network).toBeLessThanOrEqual(16);
    expect(await flood(() => '198.51.100.9', 3)).toBe(3);
  });

  it('gives a client its share again in the next window', async () => {
    const { flood, advance } = front();
    await flood(() => '203.0.113.7', 50);
    expect(await flood(() => '203.0.113.7', 1)).toBe(0);
    advance(60_001);
    expect(await flood(() => '203.0.113.7', 1)).toBe(1);
  });
});

describe('over HTTP: a flood of distinct queries from one client', () => {
  const BUDGET_BYTES = 1024 * 1024;
  let sandbox: Sandbox;
  let gateway: GatewayServer;
  beforeAll(async () => {
    sandbox = await startCacheSandbox();
    gateway = await startCachedGateway(sandbox, { ...CACHE_ON, maxBytes: BUDGET_BYTES }, { config: { trustProxy: true } });
  });
  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
  });

  // A big catalog answer per request, each a new document (a new alias), so each would be a new entry.
  const floodQuery = (i: number) => `{ site { products(first: 50) { edges { node { entityId name description a${i}: sku } } } } }`;

  it.each([
    ['one IPv4 address', 0, () => '203.0.113.7', '198.51.100.9'],
    ['rotating IPv6 /64s of one /48', 1000, (i: number) => `2001:db8:77:${(i + 1).toString(16)}::1`, '2001:db8:99::5'],
  ])('%s does not stop a bystander page from being cached', async (name, offset, attacker, bystanderAddress) => {
    const FLOOD = 100;
    let flooded = 0;
    let stored = 0;
    for (let i = 0; i < FLOOD; i++) {
      const text = floodQuery(offset + i);
      const first = await query(gateway.graphqlUrl, text, {}, { 'x-forwarded-for': attacker(i) });
      expect(first.status).toBe(200);
      flooded += first.text.length;
      const before = sandbox.requestLog.length;
      await query(gateway.graphqlUrl, text, {}, { 'x-forwarded-for': attacker(i) });
      if (upstreamCalls(sandbox, before) === 0) stored++;
    }
    // Unshared, these writes (counted twice their length) would have spent the whole budget.
    expect(2 * flooded).toBeGreaterThan(BUDGET_BYTES);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(FLOOD / 2);

    const bystander = { 'x-forwarded-for': bystanderAddress, 'accept-language': name.startsWith('one') ? 'en' : 'de' };
    const miss = await query(gateway.graphqlUrl, CATALOG_FAST_PATH, {}, bystander);
    const before = sandbox.requestLog.length;
    const hit = await query(gateway.graphqlUrl, CATALOG_FAST_PATH, {}, bystander);
    expect({ miss: miss.cache, hit: hit.cache, upstream: upstreamCalls(sandbox, before), same: hit.text === miss.text }).toEqual({ miss: 'MISS', hit: 'HIT', upstream: 0, same: true });
  });
});
