import { BoundedMapFullError, boundedMap } from './bounded-map';
import { createMemoryCacheStore } from './memory-cache';
import {
  REVOCATIONS_PER_CUSTOMER,
  StoreFullError,
  type CounterStore,
  type CounterWindow,
  type GatewayStores,
  type RevocationStore,
  type SpentTokenStore,
} from './types';

/** Bound on the entries of each in-memory store: an attacker cycling keys cannot grow the heap without limit. */
export const MEMORY_STORE_MAX_ENTRIES = 100_000;

/** What one customer's revocations are: a cutoff and up to REVOCATIONS_PER_CUSTOMER sessions (unix seconds). */
interface CustomerRevocations {
  cutoff?: { at: number; until: number };
  sessions: Map<string, { issuedAt: number; expiresAt: number }>;
}

/** The record lives as long as its longest-lived part; expired sessions are dropped on the way. */
function recordExpiry(record: CustomerRevocations, nowSeconds: number): number {
  let until = record.cutoff && record.cutoff.until > nowSeconds ? record.cutoff.until : 0;
  if (record.cutoff && record.cutoff.until <= nowSeconds) record.cutoff = undefined;
  for (const [id, session] of record.sessions) {
    if (session.expiresAt <= nowSeconds) record.sessions.delete(id);
    else until = Math.max(until, session.expiresAt);
  }
  return until;
}

/**
 * One record per customer (bounded by `maxEntries` customers). `onForgetLive` is told when a record that has not
 * expired is dropped to make room: what it protected is no longer known (createMemoryStores then moves its
 * stateSince forward, failing closed).
 */
export function createMemoryRevocationStore(now: () => number, maxEntries = MEMORY_STORE_MAX_ENTRIES, onForgetLive?: () => void): RevocationStore {
  const customers = boundedMap<CustomerRevocations>({ now, maxEntries, whenFull: 'forget-oldest', onForgetLive });
  const nowSeconds = () => now() / 1000;
  const store = (customerId: number, record: CustomerRevocations): void => {
    const until = recordExpiry(record, nowSeconds());
    if (until > 0) customers.set(String(customerId), record, until * 1000);
    else customers.delete(String(customerId));
  };
  const recordOf = (customerId: number): CustomerRevocations => customers.get(String(customerId)) ?? { sessions: new Map() };
  return {
    async revoke({ sessionId, customerId, issuedAt, expiresAt, cutoffUntil }) {
      if (expiresAt <= nowSeconds()) return;
      const record = recordOf(customerId);
      recordExpiry(record, nowSeconds());
      if (record.sessions.has(sessionId) || record.sessions.size < REVOCATIONS_PER_CUSTOMER) {
        record.sessions.set(sessionId, { issuedAt, expiresAt });
        store(customerId, record);
        return;
      }
      let at = issuedAt;
      for (const session of record.sessions.values()) at = Math.max(at, session.issuedAt);
      record.cutoff = { at: Math.max(record.cutoff?.at ?? 0, at), until: Math.max(record.cutoff?.until ?? 0, cutoffUntil, expiresAt) };
      record.sessions.clear();
      store(customerId, record);
    },
    async isRevoked({ sessionId, customerId }) {
      const session = customers.get(String(customerId))?.sessions.get(sessionId);
      return session !== undefined && session.expiresAt > nowSeconds();
    },
    async revokeCustomer(customerId, atSeconds, untilSeconds) {
      const record = recordOf(customerId);
      const cutoff = record.cutoff && record.cutoff.until > nowSeconds() ? record.cutoff : undefined;
      record.cutoff = { at: Math.max(cutoff?.at ?? atSeconds, atSeconds), until: Math.max(cutoff?.until ?? untilSeconds, untilSeconds) };
      store(customerId, record);
    },
    async customerRevokedAt(customerId) {
      const cutoff = customers.get(String(customerId))?.cutoff;
      return cutoff && cutoff.until > nowSeconds() ? cutoff.at : undefined;
    },
  };
}

export function createMemorySingleUseStore(now: () => number, maxEntries = MEMORY_STORE_MAX_ENTRIES, onForgetLive?: () => void): SpentTokenStore {
  const claimed = boundedMap<true>({ now, maxEntries, whenFull: 'forget-oldest', onForgetLive });
  return {
    async claim(id, forgetAtSeconds) {
      if (claimed.get(id)) return false;
      claimed.set(id, true, forgetAtSeconds * 1000);
      return true;
    },
    async isClaimed(id) {
      return claimed.get(id) === true;
    },
  };
}

/**
 * Limit counters refuse a new key when full rather than forget a live window: forgetting would let whoever fills
 * the store reset someone else's lockout.
 */
export function createMemoryCounterStore(now: () => number, maxEntries = MEMORY_STORE_MAX_ENTRIES): CounterStore {
  const windows = boundedMap<CounterWindow>({ now, maxEntries, whenFull: 'refuse' });
  return {
    async increment(key, windowMs) {
      const live = windows.get(key);
      if (live) {
        live.count += 1;
        return { ...live };
      }
      const window = { count: 1, resetAt: now() + windowMs };
      try {
        windows.set(key, window, window.resetAt);
      } catch (error) {
        if (error instanceof BoundedMapFullError) throw new StoreFullError('counter store');
        throw error;
      }
      return { ...window };
    },
    async peek(key) {
      const live = windows.get(key);
      return live && { ...live };
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
