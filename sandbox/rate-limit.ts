// Per-window request counter for REST, reported in BigCommerce's X-Rate-Limit-* headers (developer.bigcommerce.com/docs/start/about, BigCommerce-specific response headers).
export interface RateLimitState {
  allowed: boolean;
  headers: Record<string, string>;
}

export interface RateLimiter {
  /** Counts one request (when `consume`) and returns whether it is allowed plus the headers to send. */
  take(consume: boolean): RateLimitState;
}

export function createRateLimiter(quota: number, windowMs: number, now: () => number): RateLimiter {
  // A fixed window that starts with the first request after the previous one ended: BigCommerce refreshes quotas
  // every window, and "Time-Reset-Ms" is the time left until that refresh.
  let windowStart = -Infinity;
  let used = 0;
  return {
    take(consume: boolean): RateLimitState {
      const t = now();
      if (t >= windowStart + windowMs) {
        windowStart = t;
        used = 0;
      }
      const resetMs = Math.max(0, windowStart + windowMs - t);
      const allowed = !consume || used < quota;
      if (consume && allowed) used += 1;
      const headers: Record<string, string> = {
        'X-Rate-Limit-Requests-Left': String(Math.max(0, quota - used)),
        'X-Rate-Limit-Requests-Quota': String(quota),
        'X-Rate-Limit-Time-Window-Ms': String(windowMs),
        'X-Rate-Limit-Time-Reset-Ms': String(resetMs),
      };
      if (!allowed) headers['X-Retry-After'] = String(Math.max(1, Math.ceil(resetMs / 1000)));
      return { allowed, headers };
    },
  };
}
