import { createHash } from 'node:crypto';
import { createMemoryCacheStore } from './memory-cache';
import type { CounterStore, CounterWindow, GatewayStores, RevocationStore, SingleUseStore } from './types';

/** Bound on the entries of each in-memory store: an attacker cycling keys cannot grow the heap without limit. */
export const MEMORY_STORE_MAX_ENTRIES = 100_000;

/** Keys longer than this are kept as their SHA-256 (see boundKey). */
export const MEMORY_STORE_MAX_KEY_LENGTH = 256;

/**
 * Some keys are chosen by clients (a login counter is keyed by the email typed in the form): the entry
 * bound alone would still let 100 000 megabyte-long keys fill the heap, so long keys are stored hashed.
 * The `h:`/`k:` tags keep the mapping one-to-one (a short key can never equal a hashed one); hashing the
 * UTF-16 code units keeps strings that differ only in lone surrogates apart.
 */
function boundKey(key: string): string {
  if (key.length <= MEMORY_STORE_MAX_KEY_LENGTH) return `k:${key}`;
  return `h:${createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('base64url')}`;
}

/**
 * A map whose entries expire at a unix-ms deadline and that never holds more than `maxEntries`: expired
 * entries go first, then the oldest ones (insertion order), reported through `onForgetLive`.
 */
function expiringMap<V>(now: () => number, maxEntries: number, onForgetLive?: () => void) {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  const live = (key: string) => {
    key = boundKey(key);
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const makeRoom = (): void => {
    const at = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
    for (const key of entries.keys()) {
      if (entries.size < maxEntries) break;
      entries.delete(key);
      onForgetLive?.();
    }
  };
  return {
    get: (key: string) => live(key),
    set(key: string, value: V, expiresAt: number): void {
      key = boundKey(key);
      if (!entries.has(key) && entries.size >= maxEntries) makeRoom();
      entries.set(key, { value, expiresAt });
    },
    delete: (key: string) => void entries.delete(boundKey(key)),
  };
}

/**
 * `onForgetLive` is told when a revocation that has not expired is dropped to make room: what it protected is
 * no longer known (createMemoryStores then moves its stateSince forward, failing closed).
 */
export function createMemoryRevocationStore(now: () => number, maxEntries = MEMORY_STORE_MAX_ENTRIES, onForgetLive?: () => void): RevocationStore {
  const revoked = expiringMap<true>(now, maxEntries, onForgetLive);
  const customers = expiringMap<number>(now, maxEntries, onForgetLive);
  return {
    async revoke(sessionId, expiresAtSeconds) {
      revoked.set(sessionId, true, expiresAtSeconds * 1000);
    },
    async isRevoked(sessionId) {
      return revoked.get(sessionId) !== undefined;
    },
    async revokeCustomer(customerId, atSeconds, untilSeconds) {
      const previous = customers.get(String(customerId))?.value ?? 0;
      customers.set(String(customerId), Math.max(previous, atSeconds), untilSeconds * 1000);
    },
    async customerRevokedAt(customerId) {
      return customers.get(String(customerId))?.value;
    },
  };
}

export function createMemorySingleUseStore(now: () => number, maxEntries = MEMORY_STORE_MAX_ENTRIES, onForgetLive?: () => void): SingleUseStore {
  const claimed = expiringMap<true>(now, maxEntries, onForgetLive);
  return {
    async claim(id, forgetAtSeconds) {
      if (claimed.get(id)) return false;
      claimed.set(id, true, forgetAtSeconds * 1000);
      return true;
    },
  };
}

export function createMemoryCounterStore(now: () => number, maxEntries = MEMORY_STORE_MAX_ENTRIES): CounterStore {
  const windows = expiringMap<CounterWindow>(now, maxEntries);
  return {
    async increment(key, windowMs) {
      const entry = windows.get(key);
      const window = entry ? entry.value : { count: 0, resetAt: now() + windowMs };
      window.count += 1;
      if (!entry) windows.set(key, window, window.resetAt);
      return { ...window };
    },
    async peek(key) {
      const entry = windows.get(key);
      return entry && { ...entry.value };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}

/** One process's state: correct for a single instance only (several instances need REDIS_URL). */
export function createMemoryStores(now: () => number, options: { cacheMaxBytes?: number } = {}): GatewayStores {
  // This process's memory holds every revocation and spent token since it started, and nothing older — until a
  // full store has to drop one that still matters: then it holds everything only from that moment on.
  let since = Math.floor(now() / 1000);
  const forgotLive = () => {
    since = Math.max(since, Math.floor(now() / 1000));
  };
  return {
    kind: 'memory',
    stateSince: async () => since,
    revocations: createMemoryRevocationStore(now, MEMORY_STORE_MAX_ENTRIES, forgotLive),
    singleUse: createMemorySingleUseStore(now, MEMORY_STORE_MAX_ENTRIES, forgotLive),
    counters: createMemoryCounterStore(now),
    cache: createMemoryCacheStore({ maxBytes: options.cacheMaxBytes }),
    ping: async () => undefined,
    close: async () => undefined,
  };
}
