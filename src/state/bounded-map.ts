import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

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

/** A full map refused a new key (fail closed): see `whenFull: 'refuse'`. */
export class BoundedMapFullError extends Error {
  constructor() {
    super('in-memory store is full');
    this.name = 'BoundedMapFullError';
  }
}

/** Expired entries are swept from a full map at most this often (by the injected clock): a sweep walks every entry. */
const SWEEP_INTERVAL_MS = 1000;

export interface BoundedMap<V> {
  /** The live value, or undefined (an expired entry is dropped on the way). */
  get(key: string): V | undefined;
  /**
   * Stores `value` until `expiresAt` (unix ms, the injected clock). A new key on a full map: expired entries are
   * swept first; if none made room, `refuse` throws BoundedMapFullError and `forget-oldest` drops the least
   * recently used entry (reported through onForgetLive when it had not expired).
   */
  set(key: string, value: V, expiresAt: number): void;
  delete(key: string): void;
}

/**
 * The in-memory stores' map: lru-cache gives O(1) reads, writes and recency order. Expiry is checked against the
 * gateway's injected clock on every read (lru-cache 10 times its TTLs with performance.now(), which tests cannot
 * move), and a full map sweeps expired entries at most once a second instead of on every insert.
 */
export function boundedMap<V>(options: {
  now: () => number;
  maxEntries: number;
  whenFull: 'refuse' | 'forget-oldest';
  /** Told when `forget-oldest` dropped an entry that had not expired: what it remembered is lost. */
  onForgetLive?: () => void;
}): BoundedMap<V> {
  const { now, maxEntries } = options;
  const entries = new LRUCache<string, { value: V; expiresAt: number }>({
    max: maxEntries,
    dispose: (entry, _key, reason) => {
      if (reason === 'evict' && entry.expiresAt > now()) options.onForgetLive?.();
    },
  });
  let sweptAt = Number.NEGATIVE_INFINITY;
  const sweep = (): void => {
    const at = now();
    if (at - sweptAt < SWEEP_INTERVAL_MS) return;
    sweptAt = at;
    const expired: string[] = [];
    for (const [key, entry] of entries.entries()) if (entry.expiresAt <= at) expired.push(key);
    for (const key of expired) entries.delete(key);
  };
  return {
    get(key) {
      key = boundKey(key);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt > now()) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set(key, value, expiresAt) {
      key = boundKey(key);
      if (!entries.has(key) && entries.size >= maxEntries) {
        sweep();
        if (entries.size >= maxEntries && options.whenFull === 'refuse') throw new BoundedMapFullError();
      }
      entries.set(key, { value, expiresAt });
    },
    delete(key) {
      entries.delete(boundKey(key));
    },
  };
}
