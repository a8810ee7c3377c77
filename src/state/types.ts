import { GraphQLError } from 'graphql';

/**
 * Shared state behind async interfaces. Every store has an in-memory implementation (one instance) and a
 * Redis one (several instances, REDIS_URL); both pass the same contract tests (test/state/).
 * A store that cannot reach its backend throws StoreUnavailableError: callers fail closed with UNAVAILABLE.
 */

/** How long a client should wait before retrying something shared state refused. */
export const SHARED_STATE_RETRY_AFTER_MS = 1000;

/**
 * A GraphQL error of its own, so it reaches the client as UNAVAILABLE (HTTP 503 when it fails the whole
 * request) wherever it is thrown — never as UNAUTHENTICATED, which would make a client drop a valid session.
 */
export class StoreUnavailableError extends GraphQLError {
  constructor(readonly store: string, cause?: unknown) {
    // Not `originalError`: masking treats errors with a foreign original as unexpected. The cause stays for logs.
    super('Shared state is unavailable; try again shortly', {
      extensions: { code: 'UNAVAILABLE', retryAfterMs: SHARED_STATE_RETRY_AFTER_MS, http: { status: 503 } },
    });
    this.name = 'StoreUnavailableError';
    this.cause = cause;
  }
}

/** Sessions ended before their expiry (logout); each kept until the session itself would have expired. */
export interface RevocationStore {
  /** Resolves only once the revocation is stored: a logout that answers success is never lost. */
  revoke(sessionId: string, expiresAtSeconds: number): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
  /** Every session of the customer issued at or before `atSeconds` is ended; remembered until `untilSeconds`. */
  revokeCustomer(customerId: number, atSeconds: number, untilSeconds: number): Promise<void>;
  /** When the customer's sessions were last ended as a whole (revokeCustomer), if at all. */
  customerRevokedAt(customerId: number): Promise<number | undefined>;
}

/** One-time token ids (e.g. Current Customer JWTs exchanged for sessions). */
export interface SingleUseStore {
  /** True the first time `id` is claimed; the claim is remembered until `forgetAtSeconds`. */
  claim(id: string, forgetAtSeconds: number): Promise<boolean>;
}

export interface CounterWindow {
  count: number;
  /** Unix ms at which the window (and its count) ends. */
  resetAt: number;
}

/** Fixed-window counters (login attempts). `increment` is atomic, also across instances. */
export interface CounterStore {
  increment(key: string, windowMs: number): Promise<CounterWindow>;
  peek(key: string): Promise<CounterWindow | undefined>;
  reset(key: string): Promise<void>;
}

/**
 * The response and pricing caches' backend: opaque text entries under opaque keys (the cache layer in src/cache/
 * hashes everything that goes into a key), and one generation ("epoch") per invalidation scope. A key embeds the
 * epochs it was computed under, so bumping an epoch makes every entry of that scope unreachable at once, on every
 * instance, without scanning keys; the entries themselves age out by their TTL (memory: also by LRU).
 * Methods reject with StoreUnavailableError when the backend cannot answer: callers treat that as a cache bypass,
 * never as a failed request.
 */
export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs`; an entry over the store's size bound is silently not kept. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** The current generation of each named scope, in order; `'0'` for a scope never bumped. */
  readEpochs(names: readonly string[]): Promise<string[]>;
  /** Gives the scope a generation it never had before (resolves once stored). */
  bumpEpoch(name: string): Promise<void>;
  /** Bytes held by entries in this process (memory store); undefined when they live elsewhere (Redis). */
  bytesHeld(): number | undefined;
}

/** Everything the gateway shares between instances; built once per gateway, never per schema. */
export interface GatewayStores {
  /** 'memory' or 'redis': shown by /ready and the logs. */
  kind: 'memory' | 'redis';
  revocations: RevocationStore;
  singleUse: SingleUseStore;
  counters: CounterStore;
  /** Response and REST pricing cache (src/cache/): an LRU bounded by bytes in memory, or Redis. */
  cache: CacheStore;
  /**
   * Unix seconds since which this state is complete: a process's start for memory; for Redis, the moment the
   * gateway first found its marker missing (first use, or Redis lost its data: restarted without persistence,
   * flushed, failed over to an empty replica). Revocations and spent tokens from before it may be gone, so
   * sessions and one-time tokens issued before it are refused rather than trusted.
   */
  stateSince(): Promise<number>;
  /** For /ready: throws StoreUnavailableError when the backend does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
