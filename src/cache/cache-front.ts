import type { CacheStore } from '../state/types';
import type { CacheInvalidator, CacheScope } from './invalidation';
import { epochName } from './scope';

export interface CacheFrontOptions {
  /**
   * How long this instance reuses epochs it read (default 500 ms). Another instance's invalidation reaches this
   * one within that time; the instance that invalidates sees it at once. Issue 15 allows 2 s end to end.
   */
  epochMemoMs?: number;
  /** After a failed read or write, the cache is skipped (fails fast) for this long (default 1000 ms). */
  coolDownMs?: number;
  now?: () => number;
}

/** What the front tells its caller when the backend is (or was just) unreachable: treat as BYPASS. */
export class CacheUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('cache unavailable');
    this.name = 'CacheUnavailableError';
    this.cause = cause;
  }
}

/**
 * The cache store as the response and pricing caches use it:
 *
 * - epochs are read once per `epochMemoMs` per scope (concurrent readers share one read), so a hit costs one
 *   backend read (the entry), not four;
 * - after a backend failure the cache is skipped for `coolDownMs`: with a hung Redis every request would
 *   otherwise wait a command timeout before bypassing the cache;
 * - a bump forgets this instance's epochs at once.
 *
 * Failures reject with CacheUnavailableError; callers answer without the cache (never an error to the client).
 */
export function createCacheFront(store: CacheStore, options: CacheFrontOptions = {}): CacheStore {
  const memoMs = options.epochMemoMs ?? 500;
  const coolDownMs = options.coolDownMs ?? 1000;
  const now = options.now ?? Date.now;
  let skipUntil = 0;
  const memo = new Map<string, { at: number; values: Promise<string[]> }>();

  async function guarded<T>(call: () => Promise<T>): Promise<T> {
    if (now() < skipUntil) throw new CacheUnavailableError();
    try {
      return await call();
    } catch (error) {
      skipUntil = now() + coolDownMs;
      throw new CacheUnavailableError(error);
    }
  }

  return {
    get: (key) => guarded(() => store.get(key)),
    set: (key, value, ttlMs) => guarded(() => store.set(key, value, ttlMs)),
    readEpochs(names) {
      const id = names.join('\n');
      const cached = memo.get(id);
      if (cached && now() - cached.at < memoMs) return cached.values;
      const values = guarded(() => store.readEpochs(names));
      // One memo entry per channel and group: small, but bounded anyway.
      if (memo.size >= 10_000) memo.clear();
      const entry = { at: now(), values };
      memo.set(id, entry);
      // A failed read is not remembered: the next request tries again (after the cool-down).
      values.catch(() => {
        if (memo.get(id) === entry) memo.delete(id);
      });
      return values;
    },
    async bumpEpoch(name) {
      // Not guarded: an invalidation is always attempted, and its failure reported to the caller.
      try {
        await store.bumpEpoch(name);
      } finally {
        memo.clear();
      }
    },
    bytesHeld: () => store.bytesHeld(),
  };
}

/**
 * The invalidation contract (invalidation.ts) on a cache store: each scope's epoch gets a new value, which every
 * key embeds, so its entries become unreachable on every instance sharing the store (others notice within their
 * epoch memo time). Rejects when the store cannot be written: the caller (the webhook endpoint) may retry.
 */
export function createCacheInvalidator(store: CacheStore): CacheInvalidator {
  return {
    async invalidate(scopes: CacheScope[]) {
      const names = [...new Set(scopes.map(epochName))];
      await Promise.all(names.map((name) => store.bumpEpoch(name)));
    },
  };
}
