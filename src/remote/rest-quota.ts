import { gatewayError } from '../errors';
import { limitGroupsOf } from '../http/client-address';
import { StoreUnavailableError, type CounterStore, type CounterWindow } from '../state/types';

/**
 * Why a REST call is made. `login` (credential checks) alone may use the reserve, and only for clients within their
 * share of it; `essential` calls made for a client (checkout links) stop at the reserve like `catalog` (pricing)
 * does, but the gateway's own essential calls (start-up, webhook bookkeeping) always go.
 */
export type RestPriority = 'login' | 'essential' | 'catalog';

/** Who a REST call is made for: the client's address and, when logged in, its customer. */
export interface RestClientIdentity {
  address: string;
  customerId?: number;
}

/** The store's quota is within the reserve: how large the reserve is, and when the window resets. */
export interface ReserveState {
  reserveCalls: number;
  resetInMs: number;
}

export interface RestQuotaGuard {
  /** Reads BigCommerce's rate-limit headers of an answer (they describe the whole store's quota). */
  observe(header: (name: string) => string | undefined): void;
  /** Undefined while the store's remaining quota, less the calls already on their way, is above the reserve. */
  withinReserve(): ReserveState | undefined;
  /** Counts a call as on its way until `done` is called. */
  start(): { done(): void };
}

/** Two answers whose reset times differ by less than this describe the same window (network delay between them). */
const SAME_WINDOW_SLACK_MS = 1000;
/** Calls that may be on their way before BigCommerce has reported the quota once, and when to retry past them. */
const UNKNOWN_QUOTA_CALLS = 10;
const UNKNOWN_QUOTA_RETRY_MS = 1000;

/**
 * Tracks the store's REST quota as BigCommerce reports it on every answer (`X-Rate-Limit-Requests-Left`, `-Quota`,
 * `-Time-Reset-Ms`; developer.bigcommerce.com/docs/start/about, "Rate limits"), so every instance sees the same
 * numbers, and says when no more than `reserveFraction` of the window's quota is left.
 */
export function createRestQuotaGuard(options: { reserveFraction: number; now: () => number }): RestQuotaGuard {
  let window: { left: number; quota: number; resetAt: number; lengthMs?: number } | undefined;
  // Calls sent but not answered yet: the quota they will spend is not in the last answer's headers.
  let inFlight = 0;
  /**
   * The window as of `now`. One that ended is followed by a full one (`X-Rate-Limit-Time-Window-Ms` long), assumed
   * until an answer says otherwise: a burst sent the moment a window resets still meets the reserve.
   */
  const current = (now: number) => {
    if (window && now >= window.resetAt) {
      const { lengthMs } = window;
      window = lengthMs ? { ...window, left: window.quota, resetAt: window.resetAt + (Math.floor((now - window.resetAt) / lengthMs) + 1) * lengthMs } : undefined;
    }
    return window;
  };
  return {
    observe(header) {
      const left = Number(header('x-rate-limit-requests-left'));
      const quota = Number(header('x-rate-limit-requests-quota'));
      const resetMs = Number(header('x-rate-limit-time-reset-ms'));
      if (![left, quota, resetMs].every(Number.isFinite) || quota <= 0) return;
      const now = options.now();
      const resetAt = now + Math.max(0, resetMs);
      const windowMs = Number(header('x-rate-limit-time-window-ms'));
      const lengthMs = Number.isFinite(windowMs) && windowMs > 0 ? windowMs : undefined;
      // Answers to concurrent calls arrive in any order: within one window the lowest count left is the true one.
      const known = current(now);
      const sameWindow = known !== undefined && Math.abs(resetAt - known.resetAt) < SAME_WINDOW_SLACK_MS;
      window = { left: sameWindow ? Math.min(known.left, left) : left, quota, resetAt, lengthMs };
    },
    withinReserve() {
      const now = options.now();
      const window = current(now);
      // Before any answer the quota is unknown: a burst sent then meets a reserve as if only a few calls were left.
      if (!window) return inFlight < UNKNOWN_QUOTA_CALLS ? undefined : { reserveCalls: UNKNOWN_QUOTA_CALLS, resetInMs: UNKNOWN_QUOTA_RETRY_MS };
      const reserveCalls = window.quota * options.reserveFraction;
      if (window.left - inFlight > reserveCalls) return undefined;
      return { reserveCalls, resetInMs: window.resetAt - now };
    },
    start() {
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

/** While the quota is within the reserve, logins from one address may use this much of it, from a wider group this much. */
const RESERVE_SHARE = { address: 0.25, wide: 0.5 };

export interface ClientRestBudget {
  /** Counts one REST call against each group the client is in; throws RATE_LIMITED past a group's allowance. */
  spend(client: RestClientIdentity): Promise<void>;
  /** Counts one call from the reserve against the client's groups; false once one of them has had its share. */
  spendReserve(client: RestClientIdentity, reserve: ReserveState): Promise<boolean>;
}

/**
 * REST calls per client per window, counted in the shared counters (so the bound holds across instances): by the
 * client's address and the wider blocks around it (each with its own, larger allowance; http/client-address.ts)
 * and, when logged in, by its customer (one account acting from many addresses). Shared state that is down does
 * not stop the catalog — guests are served without Redis — so this bound fails open; the store-wide reserve
 * still protects logins.
 */
export function createClientRestBudget(deps: {
  counters: CounterStore;
  maxCallsPerWindow: number;
  windowMs: number;
  now: () => number;
}): ClientRestBudget {
  /**
   * Counts one under each key, narrowest first, and stops at the first whose count passed its bound (returned): a
   * call refused for its own address does not count against its neighbours in the wider block.
   */
  async function count(keys: Array<{ key: string; max: number }>, windowMs: number): Promise<CounterWindow | undefined> {
    try {
      for (const { key, max } of keys) {
        const window = await deps.counters.increment(key, windowMs);
        if (window.count > max) return window;
      }
      return undefined;
    } catch (error) {
      if (error instanceof StoreUnavailableError) return undefined;
      throw error;
    }
  }
  return {
    async spend(client) {
      const keys = limitGroupsOf(client.address).map(({ key, scale }) => ({ key: `rest:ip:${key}`, max: deps.maxCallsPerWindow * scale }));
      if (client.customerId !== undefined) keys.unshift({ key: `rest:customer:${client.customerId}`, max: deps.maxCallsPerWindow });
      const over = await count(keys, deps.windowMs);
      if (over) {
        throw gatewayError('RATE_LIMITED', 'Too many requests to BigCommerce from this client; try again later', {
          reason: 'CLIENT_REST_BUDGET',
          retryAfterMs: Math.max(0, over.resetAt - deps.now()),
        });
      }
    },
    async spendReserve(client, reserve) {
      const keys = limitGroupsOf(client.address).map(({ key, wide }) => ({
        key: `rest:reserve:${key}`,
        max: Math.max(1, Math.floor(reserve.reserveCalls * (wide ? RESERVE_SHARE.wide : RESERVE_SHARE.address))),
      }));
      // Counted until the store's window resets: the next window has a reserve of its own.
      return (await count(keys, Math.max(1, Math.ceil(reserve.resetInMs)))) === undefined;
    },
  };
}

export interface RestAdmission {
  /** Admits one REST call (counted as on its way until `done`), or throws RATE_LIMITED; `client` absent for the gateway's own calls. */
  admit(priority: RestPriority, client: RestClientIdentity | undefined): Promise<{ done(): void }>;
}

/**
 * Who may spend the store's REST quota. Every call made for a client counts against its budget first. Once the
 * quota is within the reserve, only logins go on — each client's only up to its share of the reserve — so that no
 * one client (one address block, one account) can spend the quota a bystander's login needs.
 */
export function createRestAdmission(deps: { quota: RestQuotaGuard; budget?: ClientRestBudget }): RestAdmission {
  const paused = (priority: RestPriority, reserve: ReserveState) =>
    gatewayError(
      'RATE_LIMITED',
      priority === 'catalog'
        ? 'Catalog pricing is paused: the store has little REST quota left in this window'
        : priority === 'login'
          ? 'Too many logins from this network while the store has little REST quota left; try again shortly'
          : 'Paused: the store has little REST quota left in this window; try again shortly',
      { reason: 'REST_QUOTA_RESERVED', retryAfterMs: Math.max(0, reserve.resetInMs) },
    );
  return {
    async admit(priority, client) {
      if (client && deps.budget) await deps.budget.spend(client);
      const reserve = deps.quota.withinReserve();
      if (reserve) {
        const mayUseReserve = priority === 'login' || (priority === 'essential' && !client);
        if (!mayUseReserve) throw paused(priority, reserve);
        if (priority === 'login' && client && deps.budget && !(await deps.budget.spendReserve(client, reserve))) throw paused(priority, reserve);
      }
      return deps.quota.start();
    },
  };
}
