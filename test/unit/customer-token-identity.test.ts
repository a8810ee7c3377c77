import type { Executor } from '@graphql-tools/utils';
import { createCustomerTokenIdentity } from '../../src/front-door/customer-token-identity';
import type { CacheStore, RevocationStore } from '../../src/state/types';

function fakes() {
  const entries = new Map<string, string>();
  const cache = {
    get: async (key: string) => entries.get(key),
    set: async (key: string, value: string) => void entries.set(key, value),
  } as unknown as CacheStore;
  let revokedAt: number | undefined;
  const revocations = { customerRevokedAt: async () => revokedAt } as unknown as RevocationStore;
  let since = 0;
  let calls = 0;
  let group = 2;
  const executor = (async () => {
    calls += 1;
    return { data: { customer: { entityId: 7, email: 'a@example.com', customerGroupId: group } } };
  }) as unknown as Executor;
  let nowMs = 1_000_000_000;
  const identity = createCustomerTokenIdentity({ executor, cache, revocations, stateSince: async () => since, storeHash: 'h', memorySeconds: 60, now: () => nowMs });
  const caller = { clientIp: '198.51.100.1', correlationId: 'c', channelId: 1 };
  return {
    identity,
    resolve: () => identity.resolve('cat-1', caller),
    calls: () => calls,
    set: (change: { revokedAt?: number; since?: number; group?: number; advance?: number }) => {
      if (change.revokedAt !== undefined) revokedAt = change.revokedAt;
      if (change.since !== undefined) since = change.since;
      if (change.group !== undefined) group = change.group;
      nowMs += (change.advance ?? 0) * 1000;
    },
    nowSeconds: () => Math.floor(nowMs / 1000),
  };
}

describe('the customer a token names', () => {
  it('asks BigCommerce once and remembers it by the token', async () => {
    const f = fakes();
    await f.resolve();
    const second = await f.resolve();
    expect(f.calls()).toBe(1);
    expect(second).toEqual({ kind: 'shopper', shopper: { customerId: 7, email: 'a@example.com', customerGroupId: 2, customerAccessToken: 'cat-1' } });
  });

  it('asks again after logout, after a customer change and after shared state lost data', async () => {
    const f = fakes();
    await f.resolve();
    await f.identity.forget('cat-1');
    await f.resolve();
    expect(f.calls()).toBe(2);

    f.set({ advance: 5, group: 3 });
    f.set({ revokedAt: f.nowSeconds() });
    expect(await f.resolve()).toMatchObject({ shopper: { customerGroupId: 3 } });
    expect(f.calls()).toBe(3);

    // Learnt in the very second of the change: asked once more later (as sessions of that second are refused), then kept.
    f.set({ advance: 5 });
    await f.resolve();
    await f.resolve();
    expect(f.calls()).toBe(4);
    f.set({ since: f.nowSeconds() + 1 });
    await f.resolve();
    expect(f.calls()).toBe(5);
  });
});
