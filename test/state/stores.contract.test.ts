import { createClient } from 'redis';
import type { GatewayStores } from '../../src/state/types';
import { memoryBackend, redisBackend, testPrefix, type Backend } from './backends';

/**
 * One contract for every GatewayStores implementation: the memory stores (injected clock) and the Redis
 * stores (a real redis-server) must behave the same, so a test run in memory says something about Redis.
 */

let namespaces = 0;
const nextNamespace = () => `ns${process.pid}-${++namespaces}`;
const seconds = (ms: number) => Math.ceil(ms / 1000);

/** Ids an attacker can choose (a login email is typed into a form): all must be stored apart and safely. */
const hostileIds = [
  'x'.repeat(100_000),
  'x'.repeat(99_999) + 'y',
  'ünïcödé 🎉 邮件@例子.中国',
  'a:b',
  'a:*',
  '*',
  'login:email:*',
  '{hash-tag}',
  '\r\nFLUSHALL\r\n',
  '\ud800',
  '\udc00',
  '\ufffd',
  '',
];

function contract(makeBackend: () => Backend): void {
  const backend = makeBackend();

  describe(`${backend.name} stores`, () => {
    beforeAll(() => backend.setUp());
    afterAll(() => backend.tearDown());

    let stores: GatewayStores;
    let namespace: string;
    beforeEach(async () => {
      namespace = nextNamespace();
      stores = await backend.open(namespace);
    });

    it('reports its kind and answers ping', async () => {
      expect(stores.kind).toBe(backend.name);
      await expect(stores.ping()).resolves.toBeUndefined();
    });

    describe('revocations', () => {
      it('revokes one session, visibly to every instance, until the session would have expired', async () => {
        const expiresAt = seconds(backend.now()) + 1;
        expect(await stores.revocations.isRevoked('s1')).toBe(false);
        await stores.revocations.revoke('s1', expiresAt);
        const peer = await backend.open(namespace);
        expect(await stores.revocations.isRevoked('s1')).toBe(true);
        expect(await peer.revocations.isRevoked('s1')).toBe(true);
        expect(await peer.revocations.isRevoked('s2')).toBe(false);

        await backend.passTime(expiresAt * 1000);
        expect(await stores.revocations.isRevoked('s1')).toBe(false);
      });

      it('stores nothing lasting for a session that has already expired', async () => {
        await stores.revocations.revoke('old', seconds(backend.now()) - 60);
        expect(await stores.revocations.isRevoked('old')).toBe(false);
      });
    });

    describe('single-use ids', () => {
      it('lets an id be claimed once, on any instance, until it is forgotten', async () => {
        const forgetAt = seconds(backend.now()) + 1;
        const peer = await backend.open(namespace);
        expect(await stores.singleUse.claim('jti-1', forgetAt)).toBe(true);
        expect(await stores.singleUse.claim('jti-1', forgetAt)).toBe(false);
        expect(await peer.singleUse.claim('jti-1', forgetAt + 60)).toBe(false);
        expect(await peer.singleUse.claim('jti-2', forgetAt)).toBe(true);

        await backend.passTime(forgetAt * 1000);
        expect(await stores.singleUse.claim('jti-1', forgetAt + 60)).toBe(true);
      });

      it('gives exactly one of many concurrent claims, across instances, the win', async () => {
        const forgetAt = seconds(backend.now()) + 60;
        const peer = await backend.open(namespace);
        const claims = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 ? peer : stores).singleUse.claim('contested', forgetAt)),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('counters', () => {
      it('counts within a fixed window and reports when it ends', async () => {
        const windowMs = 60_000;
        const first = await stores.counters.increment('login:ip:1', windowMs);
        expect(first.count).toBe(1);
        expect(Math.abs(first.resetAt - (backend.now() + windowMs))).toBeLessThanOrEqual(backend.clockSlackMs);

        // Later increments stay in the same window: its end does not move.
        const second = await stores.counters.increment('login:ip:1', windowMs);
        expect(second.count).toBe(2);
        expect(Math.abs(second.resetAt - first.resetAt)).toBeLessThanOrEqual(backend.clockSlackMs);

        const peeked = await stores.counters.peek('login:ip:1');
        expect(peeked?.count).toBe(2);
        expect(Math.abs((peeked?.resetAt ?? 0) - first.resetAt)).toBeLessThanOrEqual(backend.clockSlackMs);
        // peek does not count
        expect((await stores.counters.peek('login:ip:1'))?.count).toBe(2);
        expect(await stores.counters.peek('login:ip:2')).toBeUndefined();
      });

      it('resets a counter', async () => {
        await stores.counters.increment('k', 60_000);
        await stores.counters.increment('k', 60_000);
        await stores.counters.reset('k');
        expect(await stores.counters.peek('k')).toBeUndefined();
        expect((await stores.counters.increment('k', 60_000)).count).toBe(1);
        await stores.counters.reset('never-counted');
      });

      it('starts over once the window has passed', async () => {
        const first = await stores.counters.increment('w', 300);
        await stores.counters.increment('w', 300);
        await backend.passTime(first.resetAt);
        expect(await stores.counters.peek('w')).toBeUndefined();
        const next = await stores.counters.increment('w', 300);
        expect(next.count).toBe(1);
        expect(next.resetAt).toBeGreaterThan(first.resetAt);
      });

      it('increments atomically: 50 concurrent increments on two instances count 1..50, each once', async () => {
        const peer = await backend.open(namespace);
        const windows = await Promise.all(
          Array.from({ length: 50 }, (_, i) => (i % 2 ? peer : stores).counters.increment('busy', 60_000)),
        );
        expect(windows.map((w) => w.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect((await stores.counters.peek('busy'))?.count).toBe(50);
      });
    });

    it('keeps namespaces (key prefixes) apart', async () => {
      const other = await backend.open(nextNamespace());
      const later = seconds(backend.now()) + 60;
      await stores.revocations.revoke('shared-id', later);
      expect(await other.revocations.isRevoked('shared-id')).toBe(false);
      expect(await stores.singleUse.claim('shared-id', later)).toBe(true);
      expect(await other.singleUse.claim('shared-id', later)).toBe(true);
      await stores.counters.increment('shared-id', 60_000);
      expect(await other.counters.peek('shared-id')).toBeUndefined();
      expect((await other.counters.increment('shared-id', 60_000)).count).toBe(1);
    });

    it('stores ids of any content apart: long, unicode, lone surrogates, with : and * and newlines', async () => {
      const later = seconds(backend.now()) + 60;
      for (const id of hostileIds) expect((await stores.counters.increment(id, 60_000)).count).toBe(1);
      for (const id of hostileIds) expect((await stores.counters.peek(id))?.count).toBe(1);

      const [revoked, ...others] = hostileIds;
      await stores.revocations.revoke(revoked, later);
      expect(await stores.revocations.isRevoked(revoked)).toBe(true);
      for (const id of others) expect(await stores.revocations.isRevoked(id)).toBe(false);

      for (const id of hostileIds) expect(await stores.singleUse.claim(id, later)).toBe(true);
      for (const id of hostileIds) expect(await stores.singleUse.claim(id, later)).toBe(false);
    });
  });
}

contract(memoryBackend);
contract(redisBackend);

/** What only a look at the raw keys can show. */
describe('redis stores: the keys they write', () => {
  const backend = redisBackend();
  beforeAll(() => backend.setUp());
  afterAll(() => backend.tearDown());

  async function rawKeys(prefix: string): Promise<Array<{ key: string; pttl: number }>> {
    const raw = createClient({ url: backend.redis?.().url });
    await raw.connect();
    try {
      const keys: string[] = [];
      for await (const batch of raw.scanIterator({ MATCH: '*', COUNT: 1000 })) keys.push(...batch);
      expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
      return await Promise.all(keys.map(async (key) => ({ key, pttl: await raw.pTTL(key) })));
    } finally {
      raw.destroy();
    }
  }

  it('writes every key under the prefix, with an expiry, and with a short name whatever the id', async () => {
    const namespace = nextNamespace();
    const stores = await backend.open(namespace);
    const later = seconds(Date.now()) + 3600;
    for (const id of hostileIds) {
      await stores.revocations.revoke(id, later);
      await stores.singleUse.claim(id, later);
      await stores.singleUse.claim(id, later);
      await stores.counters.increment(id, 3_600_000);
      await stores.counters.increment(id, 3_600_000);
      await stores.counters.peek(id);
      await stores.revocations.isRevoked(id);
    }
    await stores.counters.increment('reset-me', 60_000);
    await stores.counters.reset('reset-me');
    await stores.counters.increment('reset-me', 60_000);

    const keys = await rawKeys(testPrefix(namespace));
    expect(keys).toHaveLength(hostileIds.length * 3 + 1);
    for (const { key, pttl } of keys) {
      expect({ key, hasExpiry: pttl > 0 }).toEqual({ key, hasExpiry: true });
      // The id is hashed into the name: bounded length, no `*`, `:`, `{` or raw bytes from the caller.
      expect(key.length).toBeLessThanOrEqual(testPrefix(namespace).length + 60);
      expect(key.slice(testPrefix(namespace).length)).toMatch(/^(revoked|claimed|counter):[A-Za-z0-9_-]{43}$/);
    }
    // The revocation's expiry is the session's own.
    const revocation = keys.find(({ key }) => key.includes(':revoked:'));
    expect(revocation?.pttl).toBeGreaterThan((later - 5) * 1000 - Date.now());
    expect(revocation?.pttl).toBeLessThanOrEqual(later * 1000 - Date.now() + 1000);
  });
});
