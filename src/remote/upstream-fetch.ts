import { gatewayError } from '../errors';

export type FetchFn = typeof fetch;

/**
 * fetch with the per-upstream timeout, turning transport failures into the gateway's error codes.
 * The messages name the upstream, never its URL or credentials.
 */
export function createUpstreamFetch(deps: { fetch: FetchFn; timeoutMs: number; name: string }): FetchFn {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(deps.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await deps.fetch(input, { ...init, signal });
    } catch (error) {
      if (timeout.aborted) {
        throw gatewayError('UPSTREAM_TIMEOUT', `${deps.name} did not answer within ${deps.timeoutMs} ms`);
      }
      throw gatewayError('UPSTREAM_ERROR', `${deps.name} is unreachable`);
    }
  };
}
