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

/** Everything the gateway shares between instances; built once per gateway, never per schema. */
export interface GatewayStores {
  /** 'memory' or 'redis': shown by /ready and the logs. */
  kind: 'memory' | 'redis';
  revocations: RevocationStore;
  singleUse: SingleUseStore;
  counters: CounterStore;
  /** For /ready: throws StoreUnavailableError when the backend does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
