import type { LoginLimits } from '../config';
import { gatewayError } from '../errors';

/** Fixed-window counters. In memory here; a shared store (e.g. Redis) can implement the same interface. */
export interface CounterStore {
  increment(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
  peek(key: string): Promise<{ count: number; resetAt: number } | undefined>;
  reset(key: string): Promise<void>;
}

const MAX_KEYS = 100_000;

export function createMemoryCounterStore(now: () => number): CounterStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string) => {
    const entry = windows.get(key);
    if (entry && entry.resetAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return entry;
  };
  const prune = (): void => {
    for (const [key, entry] of windows) if (entry.resetAt <= now()) windows.delete(key);
    // Still full (an attacker cycling keys): forget the oldest windows rather than grow without bound.
    for (const key of windows.keys()) {
      if (windows.size < MAX_KEYS) break;
      windows.delete(key);
    }
  };
  return {
    async increment(key, windowMs) {
      let entry = live(key);
      if (!entry) {
        if (windows.size >= MAX_KEYS) prune();
        entry = { count: 0, resetAt: now() + windowMs };
        windows.set(key, entry);
      }
      entry.count += 1;
      return { ...entry };
    },
    async peek(key) {
      const entry = live(key);
      return entry && { ...entry };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}

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
      const attempts = await deps.store.increment(`login:ip:${ip}`, windowMs);
      if (attempts.count > deps.limits.maxAttemptsPerIp) throw limited(attempts.resetAt);
      const pending = await deps.store.increment(emailKey(email), windowMs);
      if (pending.count > deps.limits.maxFailuresPerEmail) throw limited(pending.resetAt);
    },
    async succeeded(email: string): Promise<void> {
      await deps.store.reset(emailKey(email));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
