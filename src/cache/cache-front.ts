import { LRUCache } from 'lru-cache';
import { limitKeyOf } from '../http/client-address';
import type { CacheStore } from '../state/types';
import type { CacheInvalidator, CacheScope, EpochScope } from './invalidation';
import { epochName } from './scope';

export interface CacheFrontOptions {
  /**
   * How long this instance reuses epochs it read (default 500 ms). Another instance's invalidation reaches this
   * one within that time; the instance that invalidates sees it at once. Issue 15 allows 2 s end to end.
   */
  epochMemoMs?: number;
  /** After a failed read or write, the cache is skipped (fails fast) for this long (default 1000 ms). */
  coolDownMs?: number;
  /**
   * Bytes this instance may write into the cache per `writeWindowMs` (the entries' TTL): what it can hold in a
   * shared store is then bounded (instances × this), whatever a client varies, so a cache in the same Redis as
   * revocations and spent tokens can never push them out. Writes over it are skipped (the answer is still served).
   */
  maxWriteBytes?: number;
  writeWindowMs?: number;
  /**
   * Of `maxWriteBytes`, what one client (an address, an IPv6 /64) may write per window (default 1/16), and what one
   * network (IPv4 /24, IPv6 /48) may (default 1/4): a client flooding distinct cacheable queries spends its own share,
   * never the budget everyone else's pages are stored from.
   */
  clientShare?: number;
  networkShare?: number;
  now?: () => number;
}

/** The cache store as the gateway's caches write it: each write says which client caused it (its address). */
export interface CacheFront extends CacheStore {
  set(key: string, value: string, ttlMs: number, writer?: string): Promise<void>;
}

/** The keys a client's writes are counted under: its own (limitKeyOf: IPv6 by /64) and its network's. */
export function writerKeysOf(address: string): [client: string, network: string] {
  const client = limitKeyOf(address);
  if (client.endsWith('::/64')) return [client, `${client.split(':').slice(0, 3).join(':')}::/48`];
  const octets = client.split('.');
  return [client, octets.length === 4 ? `${octets.slice(0, 3).join('.')}.0/24` : client];
}

/** Writers remembered per window: beyond that the least recent are forgotten (they only ever wrote their share). */
const MAX_WRITERS = 50_000;

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
export function createCacheFront(store: CacheStore, options: CacheFrontOptions = {}): CacheFront {
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

  // Writes of the last window, oldest first: [when, bytes].
  const writes: Array<[number, number]> = [];
  let written = 0;
  const windowMs = options.writeWindowMs ?? 0;
  // Per client and per network: bytes written in the current window of that writer.
  const shares = new LRUCache<string, { since: number; bytes: number }>({ max: MAX_WRITERS });
  const shareOf = (key: string) => {
    const share = shares.get(key);
    return share && now() - share.since < windowMs ? share : { since: now(), bytes: 0 };
  };
  const withinWriteBudget = (bytes: number, writer: string | undefined): boolean => {
    const max = options.maxWriteBytes;
    if (max === undefined) return true;
    const since = now() - windowMs;
    while (writes.length > 0 && writes[0][0] <= since) written -= writes.shift()![1];
    if (written + bytes > max) return false;
    if (writer !== undefined) {
      const [clientKey, networkKey] = writerKeysOf(writer);
      const client = shareOf(clientKey);
      const network = networkKey === clientKey ? client : shareOf(networkKey);
      if (client.bytes + bytes > max * (options.clientShare ?? 1 / 16)) return false;
      if (network !== client && network.bytes + bytes > max * (options.networkShare ?? 1 / 4)) return false;
      client.bytes += bytes;
      shares.set(clientKey, client);
      if (network !== client) {
        network.bytes += bytes;
        shares.set(networkKey, network);
      }
    }
    writes.push([now(), bytes]);
    written += bytes;
    return true;
  };

  return {
    get: (key) => guarded(() => store.get(key)),
    set: (key, value, ttlMs, writer?: string) =>
      withinWriteBudget(2 * value.length + key.length, writer) ? guarded(() => store.set(key, value, ttlMs)) : Promise.resolve(),
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
      // Customers are not cache scopes: their sessions are refused instead (see gateway.ts).
      const epochScopes = scopes.filter((scope): scope is EpochScope => scope.kind !== 'customer');
      const names = [...new Set(epochScopes.map(epochName))];
      await Promise.all(names.map((name) => store.bumpEpoch(name)));
    },
  };
}
