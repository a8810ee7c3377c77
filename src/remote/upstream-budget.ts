import { gatewayError } from '../errors';
import { UPSTREAM_LABELS, type UpstreamName } from './upstream-failure';

/** What the gateway tracks of one client request's upstream work; an object, so copies of a context share it. */
export interface UpstreamTally {
  upstreamCalls: number;
  /** REST calls (attempts) so far, bounded per request. */
  restCalls?: number;
  /** Storefront API calls (attempts) so far, bounded per request. */
  storefrontCalls?: number;
  /** Sum of BigCommerce's complexity scores of the request's storefront operations. */
  complexity?: number;
  /** Unix ms: set by the first upstream call; every later call and retry of the request shares it. */
  deadline?: number;
}

/** Who is calling upstream: correlation id to forward, the request's tally, and the client it is made for. */
export interface UpstreamCaller {
  correlationId: string;
  tally: UpstreamTally;
  /** The client's address (a request context has it): REST calls made for it count against its budget. */
  clientIp?: string;
  /** Trusted servers speak for many shoppers from one address: exempt from per-client budgets. */
  trustedServer?: boolean;
  shopper?: { customerId: number } | null;
}

/**
 * UPSTREAM_TIMEOUT_MS bounds the whole upstream part of a request, retries included: the first upstream call
 * starts the clock and every later call of the same request gets what is left. Calls outside a request
 * (schema introspection, readiness) get the whole budget each.
 */
export function upstreamDeadline(caller: Partial<UpstreamCaller> | undefined, budgetMs: number): number {
  // Timers run on the real clock (jest's fake timers replace both); the injected business clock of sessions
  // and JWTs may stand anywhere in time.
  if (!caller?.tally) return Date.now() + budgetMs;
  caller.tally.deadline ??= Date.now() + budgetMs;
  return caller.tally.deadline;
}

const CALL_COUNTS = { rest: 'restCalls', storefront: 'storefrontCalls' } as const;
const CALL_LIMIT_REASONS = { rest: 'MAX_REST_CALLS', storefront: 'MAX_STOREFRONT_CALLS' } as const;

/**
 * Refuses (RATE_LIMITED) a call at `upstream` once the request has made `max`: however a request multiplies its
 * work (aliases × batch entries), it costs the upstream at most that.
 */
export function checkUpstreamCallBound(tally: UpstreamTally | undefined, upstream: UpstreamName, max: number): void {
  if (tally && (tally[CALL_COUNTS[upstream]] ?? 0) >= max) {
    throw gatewayError('RATE_LIMITED', `This request needs more than the ${max} ${UPSTREAM_LABELS[upstream]} calls a request may make`, {
      reason: CALL_LIMIT_REASONS[upstream],
    });
  }
}

/** Counts one attempt at `upstream` against the request's bound, or refuses it past the bound. */
export function countUpstreamCall(tally: UpstreamTally | undefined, upstream: UpstreamName, max: number): void {
  checkUpstreamCallBound(tally, upstream, max);
  if (!tally) return;
  const field = CALL_COUNTS[upstream];
  tally[field] = (tally[field] ?? 0) + 1;
  tally.upstreamCalls += 1;
}
