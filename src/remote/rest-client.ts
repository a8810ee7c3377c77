import { gatewayError } from '../errors';
import type { HttpClient } from './http';
import type { Resilience } from './resilience';
import { createRestAdmission, type ClientRestBudget, type RestClientIdentity, type RestPriority, type RestQuotaGuard } from './rest-quota';
import { checkUpstreamCallBound, countUpstreamCall, upstreamDeadline, type UpstreamCaller } from './upstream-budget';
import { UpstreamFailure, retryAfterMs, type UpstreamObserver } from './upstream-failure';

export interface RestResponse<T> {
  status: number;
  body: T;
  header(name: string): string | undefined;
}

export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below `/stores/{hash}`, e.g. `/v3/pricing/products`. */
  path: string;
  body?: unknown;
  caller?: UpstreamCaller;
  /** Statuses the caller handles itself; any other non-2xx becomes a gateway error. */
  accept?: number[];
  /** Safe to send again after a transport failure, 5xx or 429 (reads, even when sent as POST). */
  idempotent?: boolean;
  /** What may go on when the store's quota runs low: logins only, within their client's share (rest-quota.ts). */
  priority: RestPriority;
}

export interface RestClient {
  request<T>(request: RestRequest): Promise<RestResponse<T>>;
}

export interface RestClientDeps {
  apiUrl: string;
  storeHash: string;
  accessToken: string;
  http: HttpClient;
  resilience: Resilience;
  /** UPSTREAM_TIMEOUT_MS: shared with every other upstream call of the same client request. */
  timeoutMs: number;
  /** REST calls one client request may cause at most (every attempt counts): no request spends the store's quota. */
  maxCallsPerRequest: number;
  quota: RestQuotaGuard;
  /** Per-client REST budget: every call made for a client counts against it (absent: no per-client bound). */
  budget?: ClientRestBudget;
  observe?: UpstreamObserver;
}

/** The client a call is made for; none for the gateway's own calls and for trusted servers (exempt). */
function clientOf(caller: UpstreamCaller | undefined): RestClientIdentity | undefined {
  if (caller?.clientIp === undefined || caller.trustedServer) return undefined;
  return { address: caller.clientIp, customerId: caller.shopper?.customerId };
}

/** BigCommerce REST (`{apiUrl}/stores/{hash}/...` with `X-Auth-Token`), under the request's deadline, retries and breaker. */
export function createRestClient(deps: RestClientDeps): RestClient {
  const base = `${deps.apiUrl}/stores/${encodeURIComponent(deps.storeHash)}`;
  const admission = createRestAdmission({ quota: deps.quota, budget: deps.budget });

  function send<T>(request: RestRequest, headers: Record<string, string>, body: string | undefined, deadline: number): Promise<RestResponse<T>> {
    return deps.resilience.run(
      async (signal) => {
        countUpstreamCall(request.caller?.tally, 'rest', deps.maxCallsPerRequest);
        const started = Date.now();
        let reply;
        try {
          reply = await deps.http({ method: request.method, url: `${base}${request.path}`, headers, body, signal });
        } catch {
          const outcome = signal.aborted ? 'timeout' : 'unreachable';
          deps.observe?.('rest', outcome, Date.now() - started);
          throw new UpstreamFailure(outcome, 'UPSTREAM_ERROR', 'BigCommerce REST API is unreachable');
        }
        deps.quota.observe(reply.header);
        const { status } = reply;
        const accepted = (status >= 200 && status < 300) || request.accept?.includes(status);
        deps.observe?.('rest', status === 429 ? 'rate_limited' : status >= 500 ? 'http_error' : 'ok', Date.now() - started);
        if (status === 429 && !accepted) {
          throw new UpstreamFailure('rate_limited', 'RATE_LIMITED', 'BigCommerce REST API rate limit reached', retryAfterMs(reply.header));
        }
        if (status >= 500 && !accepted) throw new UpstreamFailure('http_error', 'UPSTREAM_ERROR', `BigCommerce REST API answered ${status}`);
        let parsed: unknown = undefined;
        try {
          parsed = reply.text ? JSON.parse(reply.text) : undefined;
        } catch {
          if (status >= 200 && status < 300) throw gatewayError('UPSTREAM_ERROR', 'BigCommerce REST API returned a malformed response');
        }
        if (accepted) return { status, body: parsed as T, header: reply.header };
        throw gatewayError('UPSTREAM_ERROR', `BigCommerce REST API answered ${status}`, { upstreamStatus: status });
      },
      { deadline, budgetMs: deps.timeoutMs, idempotent: request.idempotent === true },
    );
  }

  return {
    async request<T>(request: RestRequest): Promise<RestResponse<T>> {
      const headers: Record<string, string> = { 'x-auth-token': deps.accessToken, accept: 'application/json' };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      if (request.caller) headers['x-correlation-id'] = request.caller.correlationId;
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      const deadline = upstreamDeadline(request.caller, deps.timeoutMs);
      // A call the request may not make anyway is refused before it counts against the client's budget.
      checkUpstreamCallBound(request.caller?.tally, 'rest', deps.maxCallsPerRequest);
      const admitted = await admission.admit(request.priority, clientOf(request.caller));
      try {
        return await send<T>(request, headers, body, deadline);
      } finally {
        admitted.done();
      }
    },
  };
}
