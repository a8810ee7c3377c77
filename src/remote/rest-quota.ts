import { gatewayError } from '../errors';
import { limitKeyOf } from '../http/client-address';
import { StoreUnavailableError, type CounterStore, type CounterWindow } from '../state/types';

/** Why a REST call is made: catalog reads may be refused to keep quota for what a shopper cannot do without. */
export type RestPriority = 'essential' | 'catalog';

export interface RestQuotaGuard {
  /** Reads BigCommerce's rate-limit headers of an answer (they describe the whole store's quota). */
  observe(header: (name: string) => string | undefined): void;
  /**
   * Throws RATE_LIMITED for a catalog call while the store's remaining quota, less the calls already on their
   * way, is within the reserve; otherwise counts the call as on its way until `done` is called.
   */
  admit(priority: RestPriority): { done(): void };
}

/**
 * Keeps part of the store's REST quota for logins and checkout links: once BigCommerce reports that no more
 * than `reserveFraction` of the window's quota is left, catalog calls (pricing) are refused locally until the
 * window resets, so anonymous catalog traffic can never starve a shopper's login. The quota is the store's,
 * reported on every answer (`X-Rate-Limit-Requests-Left`, `-Quota`, `-Time-Reset-Ms`;
 * developer.bigcommerce.com/docs/start/about, "Rate limits"), so every instance sees the same numbers.
 */
export function createRestQuotaGuard(options: { reserveFraction: number; now: () => number }): RestQuotaGuard {
  let window: { left: number; quota: number; resetAt: number } | undefined;
  // Calls sent but not answered yet: the quota they will spend is not in the last answer's headers.
  let inFlight = 0;
  const settled = { done: () => undefined };
  return {
    observe(header) {
      const left = Number(header('x-rate-limit-requests-left'));
      const quota = Number(header('x-rate-limit-requests-quota'));
      const resetMs = Number(header('x-rate-limit-time-reset-ms'));
      if (![left, quota, resetMs].every(Number.isFinite) || quota <= 0) return;
      window = { left, quota, resetAt: options.now() + Math.max(0, resetMs) };
    },
    admit(priority) {
      if (priority !== 'catalog') return settled;
      const now = options.now();
      if (window && now >= window.resetAt) window = undefined;
      if (window && window.left - inFlight <= window.quota * options.reserveFraction) {
        throw gatewayError('RATE_LIMITED', 'Catalog pricing is paused: the store has little REST quota left in this window', {
          reason: 'REST_QUOTA_RESERVED',
          retryAfterMs: window.resetAt - now,
        });
      }
      inFlight += 1;
      let open = true;
      return {
        done: () => {
          if (open) inFlight -= 1;
          open = false;
        },
      };
    },
  };
}

export interface ClientRestBudget {
  /** Counts `calls` catalog REST calls against the client; throws RATE_LIMITED past its share of the window. */
  spend(clientIp: string, calls: number): Promise<void>;
}

/**
 * Catalog REST calls per client address per window, counted in the shared counters (so the bound holds across
 * instances). Shared state that is down does not stop the catalog — guests are served without Redis — so
 * this bound fails open; the store-wide reserve above still protects logins.
 */
export function createClientRestBudget(deps: {
  counters: CounterStore;
  maxCallsPerWindow: number;
  windowMs: number;
  now: () => number;
}): ClientRestBudget {
  return {
    async spend(clientIp, calls) {
      let window: CounterWindow | undefined;
      try {
        for (let i = 0; i < calls; i++) window = await deps.counters.increment(`rest:ip:${limitKeyOf(clientIp)}`, deps.windowMs);
      } catch (error) {
        if (error instanceof StoreUnavailableError) return;
        throw error;
      }
      if (window && window.count > deps.maxCallsPerWindow) {
        throw gatewayError('RATE_LIMITED', 'Too many catalog requests from this client; try again later', {
          reason: 'CLIENT_REST_BUDGET',
          retryAfterMs: Math.max(0, window.resetAt - deps.now()),
        });
      }
    },
  };
}
