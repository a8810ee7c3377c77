import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CacheStore } from './types';

/** Default bound of the in-memory cache (GATEWAY_CACHE_MAX_MB). */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Bytes an entry is charged: V8 keeps a string in one byte per character (Latin-1) or two (anything else), so
 * two bytes per UTF-16 unit is an upper bound that needs no scan of the text; plus a fixed overhead per entry
 * (the LRU's bookkeeping and the key's own object).
 */
export function entryBytes(key: string, value: string): number {
  return 2 * (key.length + value.length) + 128;
}

/**
 * One process's cache: an LRU bounded by bytes (lru-cache `maxSize` + `sizeCalculation`,
 * https://github.com/isaacs/node-lru-cache#maxsize), entries with their TTL. No entry may take more than
 * an eighth of the bound, so one huge answer cannot flush the whole cache.
 *
 * Epochs are kept in a plain map, never evicted: an epoch that fell out and came back as `'0'` would make
 * entries written before its first bump reachable again. There is one per channel, group and 'guests'/'all',
 * so the map stays small; each bump stores a value never used before.
 */
export function createMemoryCacheStore(options: { maxBytes?: number } = {}): CacheStore {
  const maxSize = Math.max(1024, options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES);
  const entries = new LRUCache<string, string>({
    maxSize,
    maxEntrySize: Math.floor(maxSize / 8),
    sizeCalculation: (value, key) => entryBytes(key, value),
    // Expired entries go when touched or evicted; no timer per entry.
    ttlAutopurge: false,
  });
  const epochs = new Map<string, string>();
  return {
    async get(key) {
      return entries.get(key);
    },
    async set(key, value, ttlMs) {
      if (!(ttlMs > 0)) return;
      entries.set(key, value, { ttl: Math.ceil(ttlMs) });
    },
    async readEpochs(names) {
      return names.map((name) => epochs.get(name) ?? '0');
    },
    async bumpEpoch(name) {
      epochs.set(name, randomUUID());
    },
    bytesHeld: () => entries.calculatedSize,
  };
}
