import { createLoginThrottle } from '../../src/auth/login-throttle';
import { createMemoryCounterStore, createMemoryStores, MEMORY_STORE_MAX_ENTRIES } from '../../src/state/memory';
import { StoreFullError } from '../../src/state/types';
import { revocationOf, sessionRef } from '../helpers/revocations';

describe('in-memory stores when full', () => {
  it('fail closed: dropping a revocation that still matters moves stateSince to now', async () => {
    let clock = Date.UTC(2031, 0, 1);
    const stores = createMemoryStores(() => clock);
    const started = await stores.stateSince();
    const farFuture = clock / 1000 + 86_400;
    // Revocations are kept per customer: it takes as many customers as the bound to fill the store.
    for (let i = 0; i < MEMORY_STORE_MAX_ENTRIES; i++) await stores.revocations.revoke(revocationOf(`s${i}`, farFuture, { customerId: i + 1 }));
    clock += 60_000;
    expect(await stores.stateSince()).toBe(started);
    // One more: the oldest live revocation goes, so sessions from before now can no longer be trusted.
    await stores.revocations.revoke(revocationOf('one-too-many', farFuture, { customerId: 0 }));
    expect(await stores.revocations.isRevoked(sessionRef('s0', 1))).toBe(false);
    expect(await stores.stateSince()).toBe(Math.floor(clock / 1000));
  });

  it('do not move stateSince for expired entries they drop', async () => {
    let clock = Date.UTC(2031, 0, 1);
    const stores = createMemoryStores(() => clock);
    const started = await stores.stateSince();
    for (let i = 0; i < MEMORY_STORE_MAX_ENTRIES; i++) await stores.singleUse.claim(`t${i}`, clock / 1000 + 10);
    clock += 60_000; // all expired
    expect(await stores.singleUse.claim('fresh', clock / 1000 + 10)).toBe(true);
    expect(await stores.stateSince()).toBe(started);
  });
});

describe('in-memory revocations: state grows with customers, not sessions', () => {
  it("a customer ending more sessions than the whole store's bound neither fills it nor moves stateSince", async () => {
    const clock = Date.UTC(2031, 0, 1);
    const stores = createMemoryStores(() => clock);
    const started = await stores.stateSince();
    const now = clock / 1000;
    const bystander = revocationOf('bystander-phone', now + 3600, { customerId: 2, issuedAt: now - 10 });
    await stores.revocations.revoke(bystander);
    for (let i = 0; i <= MEMORY_STORE_MAX_ENTRIES; i++) {
      await stores.revocations.revoke(revocationOf(`flood-${i}`, now + 3600, { customerId: 1, issuedAt: now - 100 }));
    }
    expect(await stores.stateSince()).toBe(started);
    expect(await stores.revocations.isRevoked(sessionRef('bystander-phone', 2))).toBe(true);
    expect(await stores.revocations.customerRevokedAt(1)).toBe(now - 100);
    expect(await stores.revocations.customerRevokedAt(2)).toBeUndefined();
  });
});

describe('in-memory limit counters when full', () => {
  const limits = { windowSeconds: 900, maxAttemptsPerIp: 1_000_000, maxFailuresPerEmail: 5 };

  it("refuse new keys (UNAVAILABLE) instead of forgetting a live window: a victim's lockout survives the flood", async () => {
    let clock = Date.UTC(2031, 0, 1);
    const store = createMemoryCounterStore(() => clock);
    const throttle = createLoginThrottle({ store, limits, now: () => clock });
    for (let i = 0; i < limits.maxFailuresPerEmail; i++) await throttle.beforeAttempt('198.51.100.7', 'victim@example.com');
    await expect(throttle.beforeAttempt('198.51.100.7', 'victim@example.com')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });

    // The attacker's own emails, one new key each, until the store is full (two keys are the victim's and the IP's).
    let refused: unknown;
    for (let i = 0; i < MEMORY_STORE_MAX_ENTRIES && refused === undefined; i++) {
      await throttle.beforeAttempt('203.0.113.9', `attacker-${i}@example.com`).catch((error: unknown) => (refused = error));
    }
    expect(refused).toBeInstanceOf(StoreFullError);
    expect(refused).toMatchObject({ extensions: { code: 'UNAVAILABLE', reason: 'STATE_FULL' } });

    clock += 60_000;
    // Still locked out; live keys keep counting; new keys (and so new logins) are refused, fail closed.
    await expect(throttle.beforeAttempt('198.51.100.7', 'victim@example.com')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    expect((await store.increment('login:email:attacker-0@example.com', 900_000)).count).toBe(2);
    await expect(throttle.beforeAttempt('192.0.2.1', 'someone-new@example.com')).rejects.toBeInstanceOf(StoreFullError);
    await expect(store.increment('brand-new', 1000)).rejects.toBeInstanceOf(StoreFullError);

    // Once the windows have ended, the expired keys are swept and new keys are counted again.
    clock += 900_000;
    expect((await store.increment('brand-new', 1000)).count).toBe(1);
    await expect(throttle.beforeAttempt('192.0.2.1', 'someone-new@example.com')).resolves.toBeUndefined();
  });

  it('sweep expired windows only: of a full store, the live half is kept and counted on', async () => {
    let clock = Date.UTC(2031, 0, 1);
    const store = createMemoryCounterStore(() => clock, 1000);
    for (let i = 0; i < 500; i++) await store.increment(`short-${i}`, 10_000);
    for (let i = 0; i < 500; i++) await store.increment(`long-${i}`, 600_000);
    await expect(store.increment('one-more', 60_000)).rejects.toBeInstanceOf(StoreFullError);
    clock += 20_000;
    for (let i = 0; i < 500; i++) expect((await store.increment(`new-${i}`, 60_000)).count).toBe(1);
    await expect(store.increment('one-more', 60_000)).rejects.toBeInstanceOf(StoreFullError);
    for (let i = 0; i < 500; i++) expect((await store.peek(`long-${i}`))?.count).toBe(1);
    expect(await store.peek('short-0')).toBeUndefined();
  });
});
