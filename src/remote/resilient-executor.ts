import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { isAsyncIterable } from '@graphql-tools/utils';
import { GraphQLError } from 'graphql';
import { gatewayError } from '../errors';

/**
 * Counts consecutive transport failures of one upstream. While open, requests fail at once instead of
 * waiting on a dead upstream; after `openMs` one request is let through as a probe. Shared by every
 * executor that reaches the same upstream.
 */
export interface CircuitBreaker {
  isOpen(): boolean;
  succeeded(): void;
  failed(): void;
}

export function createCircuitBreaker(options: { failureThreshold: number; openMs: number; now: () => number }): CircuitBreaker {
  let consecutiveFailures = 0;
  let openUntil = 0;
  return {
    isOpen: () => options.now() < openUntil,
    succeeded: () => {
      consecutiveFailures = 0;
    },
    failed: () => {
      consecutiveFailures += 1;
      if (consecutiveFailures >= options.failureThreshold) openUntil = options.now() + options.openMs;
    },
  };
}

export interface ResilienceOptions {
  /** Extra attempts for queries after a transport failure; mutations are never retried (not idempotent). */
  retries: number;
  /** First retry delay; doubles per attempt. */
  backoffMs: number;
  breaker: CircuitBreaker;
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

/** Bounded retries (queries only, exponential backoff) behind a circuit breaker: fast failure, automatic recovery. */
export function withResilience(executor: Executor, options: ResilienceOptions): Executor {
  async function once(request: ExecutionRequest): Promise<ExecutionResult> {
    try {
      const result = await executor(request);
      if (isAsyncIterable(result)) throw gatewayError('UPSTREAM_ERROR', 'Streaming results are not supported');
      return result as ExecutionResult;
    } catch (error) {
      return asResult(error);
    }
  }

  return async (request) => {
    if (options.breaker.isOpen()) {
      return { errors: [gatewayError('UPSTREAM_ERROR', 'Storefront API is unavailable; retrying shortly')] };
    }
    const attempts = request.operationType === 'query' ? options.retries + 1 : 1;
    let result: ExecutionResult = { errors: [] };
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await options.sleep(options.backoffMs * 2 ** (attempt - 1));
      result = await once(request);
      if (!transportFailure(result)) {
        options.breaker.succeeded();
        return result;
      }
    }
    options.breaker.failed();
    return result;
  };
}
