import type { LoginLimits } from '../config';
import { gatewayError } from '../errors';
import { limitGroupsOf } from '../http/client-address';
import type { CounterStore } from '../state/types';

/**
 * Credential-stuffing protection for `login`: attempts per client IP, and unsuccessful attempts per email,
 * each in a window. Every attempt is counted against the email *before* the upstream call and the count is
 * cleared by a success — so concurrent or batched guesses cannot slip past the limit while earlier ones
 * are still in flight. Each aliased `login` in one document counts on its own.
 */
export function createLoginThrottle(deps: { store: CounterStore; limits: LoginLimits; now: () => number }) {
  const windowMs = deps.limits.windowSeconds * 1000;
  const emailKey = (email: string) => `login:email:${email.trim().toLowerCase()}`;
  const limited = (resetAt: number) =>
    gatewayError('RATE_LIMITED', 'Too many login attempts; try again later', { retryAfterMs: Math.max(0, resetAt - deps.now()) });
  return {
    async beforeAttempt(ip: string, email: string): Promise<void> {
      const failures = await deps.store.peek(emailKey(email));
      if (failures && failures.count >= deps.limits.maxFailuresPerEmail) throw limited(failures.resetAt);
      // By the address and the wider blocks around it, each with its own larger allowance: many /64s are one client.
      // Narrowest first, stopping at a refusal: an address over its own limit does not use up its neighbours'.
      for (const group of limitGroupsOf(ip)) {
        const attempts = await deps.store.increment(`login:ip:${group.key}`, windowMs);
        if (attempts.count > deps.limits.maxAttemptsPerIp * group.scale) throw limited(attempts.resetAt);
      }
      const pending = await deps.store.increment(emailKey(email), windowMs);
      if (pending.count > deps.limits.maxFailuresPerEmail) throw limited(pending.resetAt);
    },
    async succeeded(email: string): Promise<void> {
      await deps.store.reset(emailKey(email));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
