import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../errors';

export type UpstreamName = 'storefront' | 'rest';
/** How an upstream call ended; `ok` includes answers the caller refused (4xx are the caller's business). */
export type UpstreamOutcome = 'ok' | 'http_error' | 'rate_limited' | 'timeout' | 'unreachable';

/** Told about every upstream call: feeds metrics and per-request logs. */
export type UpstreamObserver = (upstream: UpstreamName, outcome: UpstreamOutcome, durationMs: number) => void;

export const UPSTREAM_LABELS: Record<UpstreamName, string> = { storefront: 'Storefront API', rest: 'BigCommerce REST API' };

/**
 * An upstream call that failed for a reason a retry might cure (or that says the upstream is unwell): the
 * resilience policy decides on `outcome`, the client sees only the gateway's code and message.
 */
export class UpstreamFailure extends GraphQLError {
  constructor(
    readonly outcome: Exclude<UpstreamOutcome, 'ok'>,
    code: ErrorCode,
    message: string,
    /** BigCommerce's rate-limit reset, when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message, { extensions: { code, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) } });
    this.name = 'UpstreamFailure';
  }
}

/**
 * Milliseconds until BigCommerce's quota refreshes, from its rate-limit headers (`header` reads one by
 * lower-case name).
 */
export function retryAfterMs(header: (name: string) => string | null | undefined): number | undefined {
  const resetMs = Number(header('x-rate-limit-time-reset-ms'));
  if (Number.isFinite(resetMs) && resetMs > 0) return resetMs;
  const retrySeconds = Number(header('x-retry-after'));
  return Number.isFinite(retrySeconds) && retrySeconds > 0 ? retrySeconds * 1000 : undefined;
}
