import { gatewayError } from '../errors';
import { createUpstreamFetch, retryAfterMs, type FetchFn, type UpstreamCaller, type UpstreamObserver } from './upstream-fetch';

export interface RestResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below `/stores/{hash}`, e.g. `/v3/pricing/products`. */
  path: string;
  body?: unknown;
  caller?: UpstreamCaller;
  /** Statuses the caller handles itself; any other non-2xx becomes a gateway error. */
  accept?: number[];
}

export interface RestClient {
  request<T>(request: RestRequest): Promise<RestResponse<T>>;
}

/** BigCommerce REST (`{apiUrl}/stores/{hash}/...` with `X-Auth-Token`). */
export function createRestClient(deps: {
  apiUrl: string;
  storeHash: string;
  accessToken: string;
  fetch: FetchFn;
  timeoutMs: number;
  observe?: UpstreamObserver;
  now?: () => number;
}): RestClient {
  const now = deps.now ?? Date.now;
  const upstreamFetch = createUpstreamFetch({ fetch: deps.fetch, timeoutMs: deps.timeoutMs, upstream: 'rest', observe: deps.observe, now });
  const base = `${deps.apiUrl}/stores/${encodeURIComponent(deps.storeHash)}`;
  return {
    async request<T>(request: RestRequest): Promise<RestResponse<T>> {
      const headers: Record<string, string> = {
        'x-auth-token': deps.accessToken,
        accept: 'application/json',
      };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      if (request.caller) headers['x-correlation-id'] = request.caller.correlationId;
      const started = now();
      const response = await upstreamFetch(
        `${base}${request.path}`,
        { method: request.method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) },
        request.caller,
      );
      const text = await response.text();
      deps.observe?.('rest', response.status === 429 ? 'rate_limited' : response.status >= 500 ? 'http_error' : 'ok', now() - started);
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        if (response.ok) throw gatewayError('UPSTREAM_ERROR', 'BigCommerce REST API returned a malformed response');
      }
      if (response.ok || request.accept?.includes(response.status)) {
        return { status: response.status, body: body as T, headers: response.headers };
      }
      if (response.status === 429) {
        const wait = retryAfterMs((name) => response.headers.get(name));
        throw gatewayError('RATE_LIMITED', 'BigCommerce REST API rate limit reached', wait === undefined ? {} : { retryAfterMs: wait });
      }
      throw gatewayError('UPSTREAM_ERROR', `BigCommerce REST API answered ${response.status}`, { upstreamStatus: response.status });
    },
  };
}
