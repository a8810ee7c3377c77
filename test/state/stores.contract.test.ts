import { createClient } from 'redis';
import { createMemoryCacheStore, entryBytes } from '../../src/state/memory-cache';
import { REVOCATIONS_PER_CUSTOMER, type GatewayStores } from '../../src/state/types';
import { memoryBackend, redisBackend, testPrefix, type Backend } from './backends';
import { revocationOf, sessionRef } from '../helpers/revocations';

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
        expect(await stores.revocations.isRevoked(sessionRef('s1'))).toBe(false);
        await stores.revocations.revoke(revocationOf('s1', expiresAt));
        const peer = await backend.open(namespace);
        expect(await stores.revocations.isRevoked(sessionRef('s1'))).toBe(true);
        expect(await peer.revocations.isRevoked(sessionRef('s1'))).toBe(true);
        expect(await peer.revocations.isRevoked(sessionRef('s2'))).toBe(false);

        await backend.passTime(expiresAt * 1000);
        expect(await stores.revocations.isRevoked(sessionRef('s1'))).toBe(false);
      });

      it("ends a customer's sessions as a whole, visibly to every instance, until any could have expired", async () => {
        const now = seconds(backend.now());
        expect(await stores.revocations.customerRevokedAt(42)).toBeUndefined();
        await stores.revocations.revokeCustomer(42, now, now + 1);
        const peer = await backend.open(namespace);
        expect(await peer.revocations.customerRevokedAt(42)).toBe(now);
        expect(await peer.revocations.customerRevokedAt(43)).toBeUndefined();
        await backend.passTime((now + 1) * 1000);
        expect(await stores.revocations.customerRevokedAt(42)).toBeUndefined();
      });

      it("ends one session only: the customer's other sessions and other customers' sessions stay", async () => {
        const later = seconds(backend.now()) + 60;
        await stores.revocations.revoke(revocationOf('phone', later, { customerId: 42 }));
        expect(await stores.revocations.isRevoked(sessionRef('phone', 42))).toBe(true);
        expect(await stores.revocations.isRevoked(sessionRef('laptop', 42))).toBe(false);
        // A session id is looked up under its own customer: the same id of another customer is not ended.
        expect(await stores.revocations.isRevoked(sessionRef('phone', 43))).toBe(false);
        expect(await stores.revocations.customerRevokedAt(42)).toBeUndefined();
      });

      it('collapses a customer past REVOCATIONS_PER_CUSTOMER into one cutoff at the latest issuedAt, on every instance', async () => {
        const now = seconds(backend.now());
        const later = now + 60;
        const peer = await backend.open(namespace);
        // Issued out of order, and on two instances: the cutoff is the latest issuedAt, not the last call's.
        const issued = Array.from({ length: REVOCATIONS_PER_CUSTOMER }, (_, i) => now - 1000 + ((i * 7) % REVOCATIONS_PER_CUSTOMER));
        for (const [i, issuedAt] of issued.entries()) {
          await (i % 2 ? peer : stores).revocations.revoke(revocationOf(`s${i}`, later, { customerId: 42, issuedAt }));
        }
        // Revoking an already revoked session again takes no room.
        await stores.revocations.revoke(revocationOf('s0', later, { customerId: 42, issuedAt: issued[0] }));
        expect(await peer.revocations.customerRevokedAt(42)).toBeUndefined();
        await stores.revocations.revoke(revocationOf('other-customer', later, { customerId: 43, issuedAt: now - 10 }));

        await peer.revocations.revoke(revocationOf('one-more', later, { customerId: 42, issuedAt: now - 2000 }));
        const cutoff = Math.max(...issued);
        expect(await stores.revocations.customerRevokedAt(42)).toBe(cutoff);
        expect(await stores.revocations.customerRevokedAt(43)).toBeUndefined();
        expect(await stores.revocations.isRevoked(sessionRef('other-customer', 43))).toBe(true);
        // The per-session entries it replaced are gone; one issued after the cutoff is kept one by one again.
        expect(await peer.revocations.isRevoked(sessionRef('s3', 42))).toBe(false);
        await stores.revocations.revoke(revocationOf('newer', later, { customerId: 42, issuedAt: now }));
        expect(await peer.revocations.isRevoked(sessionRef('newer', 42))).toBe(true);
        expect(await peer.revocations.customerRevokedAt(42)).toBe(cutoff);
      });

      it('keeps the later cutoff and the later expiry of revokeCustomer, whatever order the calls arrive in', async () => {
        const now = seconds(backend.now());
        const peer = await backend.open(namespace);
        await stores.revocations.revokeCustomer(42, now, now + 2);
        await peer.revocations.revokeCustomer(42, now - 30, now + 1);
        await stores.revocations.revokeCustomer(43, now - 30, now + 1);
        await peer.revocations.revokeCustomer(43, now, now + 2);
        // Concurrent calls from two instances: the latest time wins however they interleave.
        await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? peer : stores).revocations.revokeCustomer(44, now - 20 + ((i * 3) % 20), now + 2)));
        expect(await peer.revocations.customerRevokedAt(42)).toBe(now);
        expect(await stores.revocations.customerRevokedAt(43)).toBe(now);
        expect(await stores.revocations.customerRevokedAt(44)).toBe(now - 1);

        // The earlier expiry did not shorten the later one.
        await backend.passTime((now + 1) * 1000);
        expect(await stores.revocations.customerRevokedAt(42)).toBe(now);
        await backend.passTime((now + 2) * 1000);
        expect(await stores.revocations.customerRevokedAt(42)).toBeUndefined();
        expect(await stores.revocations.customerRevokedAt(43)).toBeUndefined();
      });

      it('stores nothing lasting for a session that has already expired', async () => {
        await stores.revocations.revoke(revocationOf('old', seconds(backend.now()) - 60));
        expect(await stores.revocations.isRevoked(sessionRef('old'))).toBe(false);
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

      it('tells every instance whether an id is claimed, until the claim is forgotten', async () => {
        const forgetAt = seconds(backend.now()) + 1;
        const peer = await backend.open(namespace);
        expect(await stores.singleUse.isClaimed('jti-read')).toBe(false);
        expect(await stores.singleUse.isClaimed('jti-read')).toBe(false);
        expect(await stores.singleUse.claim('jti-read', forgetAt)).toBe(true);
        expect(await peer.singleUse.isClaimed('jti-read')).toBe(true);
        expect(await peer.singleUse.isClaimed('jti-other')).toBe(false);
        await backend.passTime(forgetAt * 1000);
        expect(await stores.singleUse.isClaimed('jti-read')).toBe(false);
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

    describe('cache', () => {
      it('stores text under a key for its TTL, visibly to every instance', async () => {
        expect(await stores.cache.get('k1')).toBeUndefined();
        await stores.cache.set('k1', '{"data":{"ünïcödé":"🎉"}}', 300);
        const peer = await backend.open(namespace);
        expect(await stores.cache.get('k1')).toBe('{"data":{"ünïcödé":"🎉"}}');
        expect(await peer.cache.get('k1')).toBe('{"data":{"ünïcödé":"🎉"}}');
        // Both the LRU and Redis keep TTLs on the real clock: wait it out.
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(await stores.cache.get('k1')).toBeUndefined();
      });

      it('overwrites an entry, and stores nothing for a TTL that is not positive', async () => {
        await stores.cache.set('k2', 'one', 60_000);
        await stores.cache.set('k2', 'two', 60_000);
        expect(await stores.cache.get('k2')).toBe('two');
        await stores.cache.set('k3', 'never', 0);
        expect(await stores.cache.get('k3')).toBeUndefined();
      });

      it("reads '0' for a scope never bumped, and a new value, on every instance, after each bump", async () => {
        const peer = await backend.open(namespace);
        expect(await stores.cache.readEpochs(['all', 'group:2', 'guests'])).toEqual(['0', '0', '0']);
        await stores.cache.bumpEpoch('group:2');
        const [first] = await peer.cache.readEpochs(['group:2']);
        expect(first).not.toBe('0');
        await peer.cache.bumpEpoch('group:2');
        const [second] = await stores.cache.readEpochs(['group:2']);
        expect(second).not.toBe(first);
        expect(second).not.toBe('0');
        expect(await stores.cache.readEpochs(['all', 'guests'])).toEqual(['0', '0']);
      });

      it('keeps entries and epochs of hostile keys apart', async () => {
        for (const [i, id] of hostileIds.entries()) await stores.cache.set(id, `value-${i}`, 60_000);
        for (const [i, id] of hostileIds.entries()) expect(await stores.cache.get(id)).toBe(`value-${i}`);
        await stores.cache.bumpEpoch(hostileIds[0]);
        const epochs = await stores.cache.readEpochs(hostileIds);
        expect(epochs[0]).not.toBe('0');
        expect(epochs.slice(1).every((value) => value === '0')).toBe(true);
      });
    });

    it('keeps namespaces (key prefixes) apart', async () => {
      const other = await backend.open(nextNamespace());
      const later = seconds(backend.now()) + 60;
      await stores.revocations.revoke(revocationOf('shared-id', later));
      expect(await other.revocations.isRevoked(sessionRef('shared-id'))).toBe(false);
      expect(await stores.singleUse.claim('shared-id', later)).toBe(true);
      expect(await other.singleUse.claim('shared-id', later)).toBe(true);
      await stores.counters.increment('shared-id', 60_000);
      expect(await other.counters.peek('shared-id')).toBeUndefined();
      expect((await other.counters.increment('shared-id', 60_000)).count).toBe(1);
      if (backend.name === 'redis') {
        // The memory backend's namespaces are separate processes' stores by construction; Redis shares one server.
        await stores.cache.set('shared-id', 'mine', 60_000);
        expect(await other.cache.get('shared-id')).toBeUndefined();
        await stores.cache.bumpEpoch('all');
        expect(await other.cache.readEpochs(['all'])).toEqual(['0']);
      }
    });

    it('stores ids of any content apart: long, unicode, lone surrogates, with : and * and newlines', async () => {
      const later = seconds(backend.now()) + 60;
      for (const id of hostileIds) expect((await stores.counters.increment(id, 60_000)).count).toBe(1);
      for (const id of hostileIds) expect((await stores.counters.peek(id))?.count).toBe(1);

      const [revoked, ...others] = hostileIds;
      await stores.revocations.revoke(revocationOf(revoked, later));
      expect(await stores.revocations.isRevoked(sessionRef(revoked))).toBe(true);
      for (const id of others) expect(await stores.revocations.isRevoked(sessionRef(id))).toBe(false);

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
    for (const [i, id] of hostileIds.entries()) {
      await stores.revocations.revoke(revocationOf(id, later, { customerId: i + 1 }));
      await stores.singleUse.claim(id, later);
      await stores.singleUse.claim(id, later);
      await stores.counters.increment(id, 3_600_000);
      await stores.counters.increment(id, 3_600_000);
      await stores.counters.peek(id);
      await stores.revocations.isRevoked(sessionRef(id, i + 1));
    }
    await stores.counters.increment('reset-me', 60_000);
    await stores.counters.reset('reset-me');
    await stores.counters.increment('reset-me', 60_000);

    const keys = await rawKeys(testPrefix(namespace));
    // Three records per id (each revoked under its own customer), one counter kept apart, and the state marker (stateSince), which expires too.
    expect(keys).toHaveLength(hostileIds.length * 3 + 2);
    for (const { key, pttl } of keys) {
      expect({ key, hasExpiry: pttl > 0 }).toEqual({ key, hasExpiry: true });
      // The id is hashed into the name: bounded length, no `*`, `:`, `{` or raw bytes from the caller.
      expect(key.length).toBeLessThanOrEqual(testPrefix(namespace).length + 60);
      expect(key.slice(testPrefix(namespace).length)).toMatch(/^(revoked|claimed|counter|state):[A-Za-z0-9_-]{43}$/);
    }
    // The revocation's expiry is the session's own.
    const revocation = keys.find(({ key }) => key.includes(':revoked:'));
    expect(revocation?.pttl).toBeGreaterThan((later - 5) * 1000 - Date.now());
    expect(revocation?.pttl).toBeLessThanOrEqual(later * 1000 - Date.now() + 1000);
  });

  it('a flood of revocations writes keys by customer, never by session: at most a hash of the bound and a cutoff each', async () => {
    const namespace = nextNamespace();
    const stores = await backend.open(namespace);
    const peer = await backend.open(namespace);
    const now = seconds(Date.now());
    // 600 sessions of one account ended (as aliased, batched logins would), and 20 of each of 10 other accounts.
    const flood = Array.from({ length: 600 }, (_, i) => revocationOf(`flood-${i}`, now + 3600, { customerId: 1, issuedAt: now - 600 + i, cutoffUntil: now + 7200 }));
    const many = Array.from({ length: 200 }, (_, i) => revocationOf(`many-${i}`, now + 3600, { customerId: 100 + (i % 10), issuedAt: now - 200 + i }));
    for (let i = 0; i < flood.length; i += 50) await Promise.all(flood.slice(i, i + 50).map((r, j) => (j % 2 ? peer : stores).revocations.revoke(r)));
    for (const revocation of many) await stores.revocations.revoke(revocation);

    const raw = createClient({ url: backend.redis?.().url });
    await raw.connect();
    try {
      const keys: string[] = [];
      for await (const batch of raw.scanIterator({ MATCH: `${testPrefix(namespace)}*`, COUNT: 1000 })) keys.push(...batch);
      // Customer 1 and each of the 10: a cutoff and at most a sessions hash (gone when a collapse emptied it); plus
      // the state marker.
      const types = await Promise.all(keys.map((key) => raw.type(key)));
      expect(types.filter((type) => type === 'string')).toHaveLength(11 + 1);
      const sizes = await Promise.all(keys.filter((_, i) => types[i] === 'hash').map((key) => raw.hLen(key)));
      expect(sizes.length).toBeLessThanOrEqual(11);
      expect(types.every((type) => type === 'string' || type === 'hash')).toBe(true);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(REVOCATIONS_PER_CUSTOMER);
    } finally {
      raw.destroy();
    }
    // Nothing was lost by collapsing: every flooded session is ended, the cutoff lives as long as cutoffUntil asked.
    const cutoff = await stores.revocations.customerRevokedAt(1);
    for (const { sessionId, issuedAt } of flood) {
      expect((await stores.revocations.isRevoked(sessionRef(sessionId, 1))) || (cutoff !== undefined && issuedAt <= cutoff)).toBe(true);
    }
  });
});

describe('redis stores: the cache keys they write', () => {
  const backend = redisBackend();
  beforeAll(() => backend.setUp());
  afterAll(() => backend.tearDown());

  it('writes cache entries and epochs under the prefix, hashed, each with an expiry (single-key commands only)', async () => {
    const namespace = nextNamespace();
    const stores = await backend.open(namespace);
    for (const id of hostileIds) {
      await stores.cache.set(id, 'x'.repeat(1000), 300_000);
      await stores.cache.bumpEpoch(id);
      await stores.cache.readEpochs([id, 'never-bumped']);
    }
    const raw = createClient({ url: backend.redis?.().url });
    await raw.connect();
    try {
      const prefix = testPrefix(namespace);
      const keys: string[] = [];
      for await (const batch of raw.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
      // Two records per id, and the state marker every instance sets when it starts.
      expect(keys).toHaveLength(hostileIds.length * 2 + 1);
      for (const key of keys) {
        expect(key.slice(prefix.length)).toMatch(/^(cache|epoch|state):[A-Za-z0-9_-]{43}$/);
        const ttl = await raw.pTTL(key);
        expect({ key, hasExpiry: ttl > 0 }).toEqual({ key, hasExpiry: true });
        // Epochs outlive every entry (see EPOCH_TTL_MS); entries live their TTL.
        if (key.includes(':cache:')) expect(ttl).toBeLessThanOrEqual(300_000);
        else expect(ttl).toBeGreaterThan(86_400_000);
      }
    } finally {
      raw.destroy();
    }
  });
});

describe('memory cache store: bounded by bytes', () => {
  it('never holds more than its bound, evicting the least recently used, and refuses one entry over an eighth of it', async () => {
    const maxBytes = 64 * 1024;
    const cache = createMemoryCacheStore({ maxBytes });
    const value = 'v'.repeat(1000);
    for (let i = 0; i < 200; i++) {
      await cache.set(`key-${i}`, value, 60_000);
      expect(cache.bytesHeld()).toBeLessThanOrEqual(maxBytes);
    }
    expect(cache.bytesHeld()).toBeGreaterThan(maxBytes - entryBytes('key-000', value));
    expect(await cache.get('key-0')).toBeUndefined();
    expect(await cache.get('key-199')).toBe(value);
    await cache.set('huge', 'h'.repeat(maxBytes / 8), 60_000);
    expect(await cache.get('huge')).toBeUndefined();
  });
});
