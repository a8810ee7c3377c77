import { createHttpClient, type HttpClient } from './http';
import { createResilience } from './resilience';
import { createRestClient, type RestClient } from './rest-client';
import { createRestQuotaGuard } from './rest-quota';

/**
 * A REST client for one-off admin work outside any shopper request (the sandbox's storefront token at start-up,
 * webhook registration at start-up or from the script): its own connection, a retry of idempotent calls after
 * transient failures, no per-request call bound worth speaking of. Close it when done.
 */
export function createAdminRestClient(options: {
  apiUrl: string;
  storeHash: string;
  accessToken: string;
  timeoutMs: number;
  http?: HttpClient;
}): { rest: RestClient; close(): Promise<void> } {
  const client = options.http ? { request: options.http, close: async () => undefined } : createHttpClient({ connections: 1 });
  const rest = createRestClient({
    apiUrl: options.apiUrl,
    storeHash: options.storeHash,
    accessToken: options.accessToken,
    http: client.request,
    resilience: createResilience({ upstream: 'rest', retries: 2, backoffMs: 500, breaker: { failureThreshold: 5, halfOpenAfterMs: 2000 } }),
    timeoutMs: options.timeoutMs,
    maxCallsPerRequest: Number.MAX_SAFE_INTEGER,
    quota: createRestQuotaGuard({ reserveFraction: 0, now: Date.now }),
  });
  return { rest, close: client.close };
}
