import { gatewayError } from '../errors';

export type FetchFn = typeof fetch;

export type UpstreamName = 'storefront' | 'rest';
export type UpstreamOutcome = 'ok' | 'http_error' | 'rate_limited' | 'timeout' | 'unreachable';

/** Told about every upstream call: feeds metrics and per-request logs. */
export type UpstreamObserver = (upstream: UpstreamName, outcome: UpstreamOutcome, durationMs: number) => void;

/** Who is calling upstream: correlation id to forward, and a per-request call counter for the request log. */
export interface UpstreamCaller {
  correlationId: string;
  tally: { upstreamCalls: number };
}

const LABELS: Record<UpstreamName, string> = { storefront: 'Storefront API', rest: 'BigCommerce REST API' };

/**
 * Milliseconds until BigCommerce's quota refreshes, from its rate-limit headers (`header` reads one by
 * lower-case name, whatever the HTTP client).
 */
export function retryAfterMs(header: (name: string) => string | null | undefined): number | undefined {
  const resetMs = Number(header('x-rate-limit-time-reset-ms'));
  if (Number.isFinite(resetMs) && resetMs > 0) return resetMs;
  const retrySeconds = Number(header('x-retry-after'));
  return Number.isFinite(retrySeconds) && retrySeconds > 0 ? retrySeconds * 1000 : undefined;
}

/**
 * fetch with the per-upstream timeout, turning transport failures into the gateway's error codes (and
 * observing them). Answers are observed by the caller, which alone knows whether it could use them.
 * The messages name the upstream, never its URL or credentials.
 */
export function createUpstreamFetch(deps: {
  fetch: FetchFn;
  timeoutMs: number;
  upstream: UpstreamName;
  observe?: UpstreamObserver;
  now?: () => number;
}): (input: string, init: RequestInit | undefined, caller?: UpstreamCaller) => Promise<Response> {
  const now = deps.now ?? Date.now;
  const name = LABELS[deps.upstream];
  return async (input, init, caller) => {
    const timeout = AbortSignal.timeout(deps.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const started = now();
    if (caller) caller.tally.upstreamCalls += 1;
    try {
      return await deps.fetch(input, { ...init, signal });
    } catch {
      if (timeout.aborted) {
        deps.observe?.(deps.upstream, 'timeout', now() - started);
        throw gatewayError('UPSTREAM_TIMEOUT', `${name} did not answer within ${deps.timeoutMs} ms`);
      }
      deps.observe?.(deps.upstream, 'unreachable', now() - started);
      throw gatewayError('UPSTREAM_ERROR', `${name} is unreachable`);
    }
  };
}
