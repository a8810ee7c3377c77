import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, DelegateBackoff, circuitBreaker, handleWhen, retry, wrap } from 'cockatiel';
import { UPSTREAM_LABELS, UpstreamFailure, type UpstreamName } from './upstream-failure';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface ResilienceOptions {
  upstream: UpstreamName;
  /** Extra attempts after a failure a retry can cure; idempotent calls only. */
  retries: number;
  /** First retry delay after a transport failure or 5xx; doubles per attempt. */
  backoffMs: number;
  /** Consecutive failures that open the circuit, and how long it stays open before one probe goes through. */
  breaker: { failureThreshold: number; halfOpenAfterMs: number };
  onBreakerState?: (state: BreakerState) => void;
}

export interface CallOptions {
  /** Unix ms by which the call is over, retries and their waits included. */
  deadline: number;
  /** The configured budget that `deadline` came from, for an honest message. */
  budgetMs: number;
  /** Mutations are never retried: they are not idempotent. */
  idempotent: boolean;
}

export interface Resilience {
  /** Runs `attempt` under the deadline, retries and the circuit breaker; `signal` aborts at the deadline. */
  run<T>(attempt: (signal: AbortSignal) => Promise<T>, options: CallOptions): Promise<T>;
  state(): BreakerState;
}

/**
 * A call cut by its request's own deadline (the budget its earlier calls left was short): it says nothing about the
 * upstream, so the breaker does not count it.
 */
class DeadlineCut extends UpstreamFailure {}

/**
 * The upstream itself is unwell: these open the circuit. A 429 is the upstream working as designed; a timeout
 * counts only when the call had the whole per-call timeout and used it.
 */
const isUpstreamDown = (error: unknown): boolean =>
  error instanceof UpstreamFailure &&
  !(error instanceof DeadlineCut) &&
  (error.outcome === 'unreachable' || error.outcome === 'timeout' || error.outcome === 'http_error');

/** Share of the request budget that is one call's own timeout (see `run`). */
const CALL_TIMEOUT_SHARE = 0.5;

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * Deadline, retries and circuit breaker for one upstream (cockatiel). Retried: transport failures, 5xx, and
 * 429 when BigCommerce's reset comes before the deadline — never 4xx refusals, malformed answers or
 * mutations. After the open window exactly one probe goes upstream; every other call fails at once until it
 * has succeeded (cockatiel would queue them behind the probe instead).
 */
export function createResilience(options: ResilienceOptions): Resilience {
  const label = UPSTREAM_LABELS[options.upstream];
  const breaker = circuitBreaker(handleWhen(isUpstreamDown), {
    halfOpenAfter: options.breaker.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breaker.failureThreshold),
  });
  breaker.onStateChange((state) => options.onBreakerState?.(STATES[state]));
  const unavailable = () => new UpstreamFailure('unreachable', 'UPSTREAM_ERROR', `${label} is unavailable; retrying shortly`);
  const timedOut = (budgetMs: number, upstreamFault: boolean) => {
    const message = `${label} did not answer within ${budgetMs} ms (retries included)`;
    return upstreamFault ? new UpstreamFailure('timeout', 'UPSTREAM_TIMEOUT', message) : new DeadlineCut('timeout', 'UPSTREAM_TIMEOUT', message);
  };
  // When the circuit opened: a probe is due once `halfOpenAfterMs` has passed (cockatiel sends it on the next call).
  let openedAt = 0;
  breaker.onBreak(() => (openedAt = Date.now()));

  /** The wait before the next attempt after `error`: BigCommerce's reset for a 429, else exponential backoff. */
  const delayAfter = (error: unknown, attempt: number): number =>
    error instanceof UpstreamFailure && error.outcome === 'rate_limited' && error.retryAfterMs !== undefined
      ? error.retryAfterMs
      : options.backoffMs * 2 ** (attempt - 1);

  return {
    state: () => STATES[breaker.state],
    async run(attempt, call) {
      if (breaker.state === CircuitState.HalfOpen) throw unavailable();
      // The upstream's own per-call timeout: an attempt that had this long and did not answer is the upstream's
      // failure; one cut sooner by its request's deadline is the request's doing.
      const callTimeoutMs = call.budgetMs * CALL_TIMEOUT_SHARE;
      // A request whose budget is already spent (by its earlier calls) says nothing about the upstream: refused
      // here, outside the breaker, so it neither counts as a failure nor spends a half-open probe.
      if (call.deadline - Date.now() <= 0) throw timedOut(call.budgetMs, false);
      // The probe decides whether the circuit closes: only a call with the whole per-call timeout left may be it.
      const probeDue = breaker.state === CircuitState.Open && Date.now() - openedAt >= options.breaker.halfOpenAfterMs;
      if (probeDue && call.deadline - Date.now() < callTimeoutMs) throw unavailable();
      const withDeadline = async (): Promise<Awaited<ReturnType<typeof attempt>>> => {
        const started = Date.now();
        const remaining = call.deadline - started;
        if (remaining <= 0) throw timedOut(call.budgetMs, false);
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), remaining);
        try {
          return await attempt(controller.signal);
        } catch (error) {
          // Whatever the attempt made of an abort, it was the deadline.
          if (controller.signal.aborted) throw timedOut(call.budgetMs, Date.now() - started >= callTimeoutMs);
          throw error;
        } finally {
          clearTimeout(timer);
        }
      };
      let attempts = 0;
      const retryable = (error: unknown): boolean => {
        if (!(error instanceof UpstreamFailure) || error.outcome === 'timeout') return false;
        if (error.outcome === 'rate_limited' && error.retryAfterMs === undefined) return false;
        // Only when the wait ends before the deadline: a retry that cannot finish in time only delays the answer.
        return Date.now() + delayAfter(error, attempts + 1) < call.deadline;
      };
      const policy =
        call.idempotent && options.retries > 0
          ? wrap(
              retry(handleWhen(retryable), {
                maxAttempts: options.retries,
                backoff: new DelegateBackoff<{ attempt: number; result: { error: Error } | { value: unknown } }>((context) =>
                  'error' in context.result ? delayAfter(context.result.error, context.attempt) : options.backoffMs,
                ),
              }),
              breaker,
            )
          : breaker;
      try {
        return await policy.execute(() => {
          attempts += 1;
          return withDeadline();
        });
      } catch (error) {
        if (error instanceof BrokenCircuitError) throw unavailable();
        throw error;
      }
    },
  };
}
