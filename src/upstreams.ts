import type { Executor } from '@graphql-tools/utils';
import type { GatewayConfig } from './config';
import type { GatewayMetrics } from './plugins/metrics';
import { createHttpClient, type HttpClient } from './remote/http';
import { createResilience, type Resilience } from './remote/resilience';
import { createRestClient, type RestClient } from './remote/rest-client';
import { createClientRestBudget, createRestQuotaGuard } from './remote/rest-quota';
import type { CounterStore } from './state/types';
import { createStorefrontClient } from './remote/storefront-client';
import { createSitemapClient, type SitemapClient } from './remote/sitemap';

export interface Upstreams {
  /** The one Storefront GraphQL transport: stitching, the fast path and the gateway's own operations use it. */
  storefront: Executor;
  rest: RestClient;
  /** The storefront's XML sitemap, per channel (the front door proxies it). */
  sitemap: SitemapClient;
  breakers: { storefront: Resilience; rest: Resilience };
  close(): Promise<void>;
}

/** Consecutive failures before a circuit opens, and how long it stays open before one probe. */
const BREAKER = { failureThreshold: 5, halfOpenAfterMs: 2000 };
const RETRY_BACKOFF_MS = 100;

/** BigCommerce as the gateway reaches it: one HTTP client, and per upstream its own breaker. */
export function createUpstreams(
  config: GatewayConfig,
  deps: { http?: HttpClient; metrics: GatewayMetrics; counters: CounterStore; now: () => number },
): Upstreams {
  const client = deps.http ? { request: deps.http, close: async () => undefined } : createHttpClient();
  const http = client.request;
  const { metrics } = deps;
  const resilience = (upstream: 'storefront' | 'rest') =>
    createResilience({
      upstream,
      retries: config.upstreamRetries,
      backoffMs: RETRY_BACKOFF_MS,
      breaker: BREAKER,
      onBreakerState: (state) => metrics.observeBreaker(upstream, state),
    });
  const breakers = { storefront: resilience('storefront'), rest: resilience('rest') };
  const storefront = createStorefrontClient({
    store: config.store,
    http,
    resilience: breakers.storefront,
    timeoutMs: config.upstreamTimeoutMs,
    maxCallsPerRequest: config.maxStorefrontCallsPerRequest,
    observe: metrics.observeUpstream,
    observeComplexity: metrics.observeComplexity,
  });
  const rest = createRestClient({
    apiUrl: config.store.apiUrl,
    storeHash: config.store.storeHash,
    accessToken: config.store.accessToken,
    http,
    resilience: breakers.rest,
    timeoutMs: config.upstreamTimeoutMs,
    maxCallsPerRequest: config.restBudget.maxCallsPerRequest,
    quota: createRestQuotaGuard({ reserveFraction: config.restBudget.reserveFraction, now: Date.now }),
    budget: createClientRestBudget({ counters: deps.counters, maxCallsPerWindow: config.restBudget.clientCallsPerMinute, windowMs: 60_000, now: deps.now }),
    observe: metrics.observeUpstream,
  });
  const sitemap = createSitemapClient({ store: config.store, http, timeoutMs: config.upstreamTimeoutMs });
  return { storefront, rest, sitemap, breakers, close: () => client.close() };
}
