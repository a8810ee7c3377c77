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

/**
 * A store that must not forget what it holds (the in-memory limit counters) refused a new key because it is full:
 * what depends on it fails closed, as when shared state is unreachable, rather than dropping a live window.
 */
export class StoreFullError extends GraphQLError {
  constructor(readonly store: string) {
    super('The gateway is tracking too many clients right now; try again shortly', {
      extensions: { code: 'UNAVAILABLE', reason: 'STATE_FULL', retryAfterMs: SHARED_STATE_RETRY_AFTER_MS, http: { status: 503 } },
    });
    this.name = 'StoreFullError';
  }
}

/**
 * Per customer, at most this many sessions are remembered as revoked one by one; one more collapses them into a
 * cutoff (see RevocationStore.revoke), so revocation state grows with customers, never with the sessions one
 * account can open and end.
 */
export const REVOCATIONS_PER_CUSTOMER = 16;

/** One session being ended (all times unix seconds). */
export interface SessionRevocation {
  sessionId: string;
  customerId: number;
  issuedAt: number;
  /** Until when a verifier could still accept the session: the revocation is kept that long. */
  expiresAt: number;
  /** Until when any session of this customer issued now could still be accepted: how long a cutoff is kept. */
  cutoffUntil: number;
}

/**
 * Ended sessions, kept per customer: up to REVOCATIONS_PER_CUSTOMER sessions one by one (each until the session
 * itself would have expired), and a per-customer cutoff: every session of the customer issued at or before it is
 * ended (a change to the customer in the store, or more revocations than the bound).
 */
export interface RevocationStore {
  /**
   * Ends one session; resolves only once stored (a logout that answers success is never lost). When the customer
   * already has REVOCATIONS_PER_CUSTOMER live revocations, they and this one collapse into the customer's cutoff at
   * the latest `issuedAt` among them — which also ends the customer's other sessions issued by then.
   */
  revoke(revocation: SessionRevocation): Promise<void>;
  isRevoked(session: { sessionId: string; customerId: number }): Promise<boolean>;
  /**
   * Every session of the customer issued at or before `atSeconds` is ended; remembered until `untilSeconds`.
   * The latest time and the latest expiry win, whatever order calls arrive in, on every backend.
   */
  revokeCustomer(customerId: number, atSeconds: number, untilSeconds: number): Promise<void>;
  /** The customer's cutoff (revokeCustomer, or collapsed revocations), if any. */
  customerRevokedAt(customerId: number): Promise<number | undefined>;
}

/** One-time token ids (e.g. Current Customer JWTs exchanged for sessions). */
export interface SingleUseStore {
  /** True the first time `id` is claimed; the claim is remembered until `forgetAtSeconds`. */
  claim(id: string, forgetAtSeconds: number): Promise<boolean>;
}

/** The gateway's single-use store also answers whether a token was spent (every path that accepts it asks). */
export interface SpentTokenStore extends SingleUseStore {
  /** True while a claim of `id` is remembered. */
  isClaimed(id: string): Promise<boolean>;
}

export interface CounterWindow {
  count: number;
  /** Unix ms at which the window (and its count) ends. */
  resetAt: number;
}

/**
 * Fixed-window counters (login attempts, session openings). `increment` is atomic, also across instances. A live
 * window is never forgotten early: a store that cannot take a new key rejects with StoreFullError.
 */
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
  singleUse: SpentTokenStore;
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
