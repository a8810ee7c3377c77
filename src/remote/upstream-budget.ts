/** What the gateway tracks of one client request's upstream work; an object, so copies of a context share it. */
export interface UpstreamTally {
  upstreamCalls: number;
  /** REST calls (attempts) so far, bounded per request. */
  restCalls?: number;
  /** Sum of BigCommerce's complexity scores of the request's storefront operations. */
  complexity?: number;
  /** Unix ms: set by the first upstream call; every later call and retry of the request shares it. */
  deadline?: number;
}

/** Who is calling upstream: correlation id to forward, and the request's tally. */
export interface UpstreamCaller {
  correlationId: string;
  tally: UpstreamTally;
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
