import { createLoginThrottle } from '../../src/auth/login-throttle';
import { createMemoryCounterStore } from '../../src/state/memory';

describe('login throttle', () => {
  const limits = { windowSeconds: 60, maxAttemptsPerIp: 4, maxFailuresPerEmail: 2 };

  it('counts an attempt against the email before it is made; a success clears the count', async () => {
    const now = 1_000_000;
    const throttle = createLoginThrottle({ store: createMemoryCounterStore(() => now), limits, now: () => now });
    await throttle.beforeAttempt('1.1.1.1', 'A@example.com');
    await throttle.beforeAttempt('1.1.1.2', 'a@example.com ');
    await expect(throttle.beforeAttempt('1.1.1.3', 'a@example.com')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfterMs: 60_000 } });
    await throttle.succeeded('a@example.com');
    await expect(throttle.beforeAttempt('1.1.1.4', 'a@example.com')).resolves.toBeUndefined();
  });

  it('limits attempts per address across emails, until the window ends', async () => {
    let now = 1_000_000;
    const throttle = createLoginThrottle({ store: createMemoryCounterStore(() => now), limits, now: () => now });
    for (let i = 0; i < 4; i++) await throttle.beforeAttempt('9.9.9.9', `u${i}@example.com`);
    await expect(throttle.beforeAttempt('9.9.9.9', 'u9@example.com')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    now += 61_000;
    await expect(throttle.beforeAttempt('9.9.9.9', 'u9@example.com')).resolves.toBeUndefined();
  });

  it('counts an IPv6 client by its /64: a new address per attempt does not reset the limit', async () => {
    const now = 1_000_000;
    const throttle = createLoginThrottle({ store: createMemoryCounterStore(() => now), limits, now: () => now });
    for (let i = 0; i < 4; i++) await throttle.beforeAttempt(`2001:db8:7:8::${i + 1}`, `v${i}@example.com`);
    await expect(throttle.beforeAttempt('2001:db8:7:8:dead:beef:0:1', 'v9@example.com')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    await expect(throttle.beforeAttempt('2001:db8:7:9::1', 'v9@example.com')).resolves.toBeUndefined();
  });
});
