import { createMemoryStores, MEMORY_STORE_MAX_ENTRIES } from '../../src/state/memory';

describe('in-memory stores when full', () => {
  it('fail closed: dropping a revocation that still matters moves stateSince to now', async () => {
    let clock = Date.UTC(2031, 0, 1);
    const stores = createMemoryStores(() => clock);
    const started = await stores.stateSince();
    const farFuture = clock / 1000 + 86_400;
    for (let i = 0; i < MEMORY_STORE_MAX_ENTRIES; i++) await stores.revocations.revoke(`s${i}`, farFuture);
    clock += 60_000;
    expect(await stores.stateSince()).toBe(started);
    // One more: the oldest live revocation goes, so sessions from before now can no longer be trusted.
    await stores.revocations.revoke('one-too-many', farFuture);
    expect(await stores.revocations.isRevoked('s0')).toBe(false);
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
