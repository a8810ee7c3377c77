// Who may spend the store's REST quota (src/remote/rest-quota.ts): the per-client budget for every call made for a
// client, and, within the reserve, logins only — each client block only up to its share.
import { createClientRestBudget, createRestAdmission, createRestQuotaGuard, type RestPriority } from '../../src/remote/rest-quota';
import { createMemoryCounterStore } from '../../src/state/memory';

const QUOTA = 100;

function setup(options: { left: number; callsPerWindow?: number }) {
  let now = 1_000_000;
  const clock = () => now;
  const quota = createRestQuotaGuard({ reserveFraction: 0.2, now: clock });
  quota.observe((name) => ({ 'x-rate-limit-requests-left': String(options.left), 'x-rate-limit-requests-quota': String(QUOTA), 'x-rate-limit-time-reset-ms': '30000' })[name]);
  const budget = createClientRestBudget({ counters: createMemoryCounterStore(clock), maxCallsPerWindow: options.callsPerWindow ?? 1000, windowMs: 60_000, now: clock });
  const admission = createRestAdmission({ quota, budget });
  return {
    admission,
    advance: (ms: number) => (now += ms),
    /** Admits one call (finished at once) and says how it went: 'ok' or the refusal's reason. */
    async try(priority: RestPriority, address?: string, customerId?: number): Promise<string> {
      try {
        (await admission.admit(priority, address === undefined ? undefined : { address, customerId })).done();
        return 'ok';
      } catch (error) {
        return String((error as { extensions?: { reason?: string } }).extensions?.reason);
      }
    },
  };
}

describe('above the reserve', () => {
  it('admits every priority, for clients and for the gateway itself', async () => {
    const s = setup({ left: 50 });
    for (const priority of ['login', 'essential', 'catalog'] as const) {
      expect(await s.try(priority, '198.51.100.1')).toBe('ok');
      expect(await s.try(priority)).toBe('ok');
    }
  });
});

describe('within the reserve (20 of 100 left)', () => {
  it('refuses catalog and client essential calls; admits the gateway’s own essential calls', async () => {
    const s = setup({ left: 20 });
    expect(await s.try('catalog', '198.51.100.1')).toBe('REST_QUOTA_RESERVED');
    expect(await s.try('essential', '198.51.100.1', 7)).toBe('REST_QUOTA_RESERVED');
    expect(await s.try('essential')).toBe('ok');
  });

  it.each([
    ['one IPv4 address', () => '198.51.100.1', 5],
    ['addresses of one /24', (i: number) => `198.51.100.${i + 1}`, 10],
    ['/64s of one /56', (i: number) => `2001:db8:1:${(0x100 + i).toString(16)}::1`, 10],
    ['/64s of one /48', (i: number) => `2001:db8:2:${(i << 8).toString(16)}::1`, 10],
  ])('logins from %s get at most their share of the reserve (%s of 20)', async (_name, address, share) => {
    const s = setup({ left: 20 });
    const outcomes = [];
    for (let i = 0; i < 30; i++) outcomes.push(await s.try('login', address(i)));
    expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(share);
    expect(new Set(outcomes.slice(share))).toEqual(new Set(['REST_QUOTA_RESERVED']));
    // A bystander elsewhere still has the rest of the reserve.
    expect(await s.try('login', '192.0.2.50')).toBe('ok');
    expect(await s.try('login', '2001:db8:ffff::1')).toBe('ok');
  });

  it('the share is counted per window of the store: after the reset the client may use the next reserve', async () => {
    const s = setup({ left: 20 });
    for (let i = 0; i < 10; i++) await s.try('login', '198.51.100.1');
    expect(await s.try('login', '198.51.100.1')).toBe('REST_QUOTA_RESERVED');
    s.advance(30_000);
    // The window BigCommerce reported is over: no reserve until the next answer says otherwise.
    expect(await s.try('login', '198.51.100.1')).toBe('ok');
  });

  it('counts calls in flight against the remaining quota', async () => {
    const s = setup({ left: 25 });
    const held = [];
    for (let i = 0; i < 5; i++) held.push(await s.admission.admit('catalog', { address: `198.51.100.${i + 1}` }));
    expect(await s.try('catalog', '198.51.100.9')).toBe('REST_QUOTA_RESERVED');
    held[0].done();
    expect(await s.try('catalog', '198.51.100.9')).toBe('ok');
  });
});

describe('the quota as BigCommerce reports it', () => {
  const answer = (left: number, resetMs: number) => (name: string) =>
    ({ 'x-rate-limit-requests-left': String(left), 'x-rate-limit-requests-quota': '100', 'x-rate-limit-time-reset-ms': String(resetMs) })[name];

  it('an older answer that arrives last does not raise the count left in the same window', () => {
    let now = 0;
    const quota = createRestQuotaGuard({ reserveFraction: 0.2, now: () => now });
    quota.observe(answer(20, 30_000));
    now += 5;
    quota.observe(answer(35, 29_990));
    expect(quota.withinReserve()).toEqual({ reserveCalls: 20, resetInMs: 29_990 });
  });

  it('after a reset the next window is assumed full, so a burst at its start still meets the reserve', async () => {
    let now = 0;
    const quota = createRestQuotaGuard({ reserveFraction: 0.2, now: () => now });
    const headers: Record<string, string> = {
      'x-rate-limit-requests-left': '3',
      'x-rate-limit-requests-quota': '100',
      'x-rate-limit-time-reset-ms': '1000',
      'x-rate-limit-time-window-ms': '30000',
    };
    quota.observe((name) => headers[name]);
    now = 1000;
    // No answer yet in the new window: 80 calls may be on their way before only logins go on.
    for (let i = 0; i < 80; i++) {
      expect(quota.withinReserve()).toBeUndefined();
      quota.start();
    }
    expect(quota.withinReserve()).toEqual({ reserveCalls: 20, resetInMs: 30_000 });
    // Two windows later, with nothing in between, the same holds.
    now = 61_500;
    expect(quota.withinReserve()).toEqual({ reserveCalls: 20, resetInMs: 29_500 });
  });

  it('before any answer, a burst of more than 10 calls on their way meets a reserve', async () => {
    const quota = createRestQuotaGuard({ reserveFraction: 0.2, now: () => 0 });
    const admission = createRestAdmission({ quota, budget: createClientRestBudget({ counters: createMemoryCounterStore(() => 0), maxCallsPerWindow: 1000, windowMs: 60_000, now: () => 0 }) });
    for (let i = 0; i < 10; i++) await admission.admit('catalog', { address: `198.51.100.${i}` });
    await expect(admission.admit('catalog', { address: '198.51.100.99' })).rejects.toMatchObject({ extensions: { reason: 'REST_QUOTA_RESERVED' } });
    const logins = [];
    for (let i = 0; i < 10; i++) logins.push(await admission.admit('login', { address: `2001:db8:7:${i}::1` }).then(() => 'ok', () => 'refused'));
    // Half of that reserve for one /48; a bystander elsewhere still gets in.
    expect(logins.filter((outcome) => outcome === 'ok')).toHaveLength(5);
    await expect(admission.admit('login', { address: '192.0.2.50' })).resolves.toBeDefined();
  });

  it('a new window replaces the old one', () => {
    let now = 0;
    const quota = createRestQuotaGuard({ reserveFraction: 0.2, now: () => now });
    quota.observe(answer(10, 1000));
    expect(quota.withinReserve()).toBeDefined();
    now = 1500;
    quota.observe(answer(99, 30_000));
    expect(quota.withinReserve()).toBeUndefined();
  });
});

describe('the per-client budget (3 calls per window)', () => {
  it('counts every priority, by address, block and account', async () => {
    const s = setup({ left: 90, callsPerWindow: 3 });
    expect([await s.try('login', '198.51.100.1'), await s.try('essential', '198.51.100.1'), await s.try('catalog', '198.51.100.1')]).toEqual(['ok', 'ok', 'ok']);
    expect(await s.try('login', '198.51.100.1')).toBe('CLIENT_REST_BUDGET');
    // One account from three other /24s.
    for (const ip of ['203.0.113.1', '203.0.114.1', '203.0.115.1']) expect(await s.try('essential', ip, 42)).toBe('ok');
    expect(await s.try('essential', '203.0.116.1', 42)).toBe('CLIENT_REST_BUDGET');
    expect(await s.try('essential', '203.0.116.1')).toBe('ok');
    // The gateway's own calls have no client budget.
    for (let i = 0; i < 10; i++) expect(await s.try('essential')).toBe('ok');
  });
});
