import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { isAsyncIterable } from '@graphql-tools/utils';
import { GraphQLError } from 'graphql';
import { gatewayError } from '../errors';

export interface ResilienceOptions {
  /** Extra attempts for queries after a transport failure; mutations are never retried (not idempotent). */
  retries: number;
  /** First retry delay; doubles per attempt. */
  backoffMs: number;
  /** Consecutive transport failures that open the circuit. */
  failureThreshold: number;
  /** While open, requests fail at once instead of waiting on a dead upstream; then one probe is let through. */
  openMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const TRANSPORT_CODES = new Set(['UPSTREAM_ERROR', 'UPSTREAM_TIMEOUT']);

function transportFailure(result: ExecutionResult): boolean {
  return !result.data && (result.errors ?? []).some((error) => TRANSPORT_CODES.has(String(error.extensions?.code)));
}

function asResult(error: unknown): ExecutionResult {
  if (error instanceof GraphQLError) return { errors: [error] };
  return { errors: [gatewayError('UPSTREAM_ERROR', 'Storefront API request failed')] };
}

/**
 * Wraps the storefront executor with bounded retries (queries only, exponential backoff) and a
 * circuit breaker, so a dead upstream answers fast and the gateway recovers by itself when it returns.
 */
export function withResilience(executor: Executor, options: ResilienceOptions) {
  let consecutiveFailures = 0;
  let openUntil = 0;

  async function once(request: ExecutionRequest): Promise<ExecutionResult> {
    try {
      const result = await executor(request);
      if (isAsyncIterable(result)) throw gatewayError('UPSTREAM_ERROR', 'Streaming results are not supported');
      return result as ExecutionResult;
    } catch (error) {
      return asResult(error);
    }
  }

  const resilient: Executor = async (request) => {
    if (options.now() < openUntil) {
      return { errors: [gatewayError('UPSTREAM_ERROR', 'Storefront API is unavailable; retrying shortly')] };
    }
    const attempts = request.operationType === 'query' ? options.retries + 1 : 1;
    let result: ExecutionResult = { errors: [] };
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await options.sleep(options.backoffMs * 2 ** (attempt - 1));
      result = await once(request);
      if (!transportFailure(result)) {
        consecutiveFailures = 0;
        return result;
      }
    }
    consecutiveFailures += 1;
    if (consecutiveFailures >= options.failureThreshold) openUntil = options.now() + options.openMs;
    return result;
  };
  return {
    executor: resilient,
    /** False while the circuit is open (feeds /ready). */
    isClosed: () => options.now() >= openUntil,
  };
}
