import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerState } from '../remote/resilience';
import type { UpstreamName, UpstreamObserver } from '../remote/upstream-failure';

/**
 * Where GET /metrics gets its text, given this gateway's own registry: by default that registry; a cluster
 * worker answers the sum over every worker instead (src/cluster-metrics.ts).
 */
export type MetricsExposition = (own: Registry) => () => Promise<string>;

const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics on a registry of this gateway's own (several gateways can share a process in tests).
 * Hand-made with prom-client rather than the envelop Prometheus plugin: the gateway's interesting numbers —
 * errors by code and upstream calls by outcome — are not in that plugin, and its per-phase histograms cost
 * time on every request.
 */
export function createMetrics(options: { defaultMetrics: boolean; exposition?: MetricsExposition }) {
  const registry = new Registry();
  const scrape = options.exposition ? options.exposition(registry) : () => registry.metrics();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'gateway_http_requests_total',
    help: 'GraphQL HTTP requests by status code',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'GraphQL HTTP request duration',
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'gateway_graphql_errors_total',
    help: 'GraphQL errors returned to clients, by extensions.code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const upstreamCalls = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'Requests to upstreams by upstream and outcome (ok, http_error, rate_limited, timeout, unreachable)',
    labelNames: ['upstream', 'outcome'] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Upstream request duration by upstream',
    labelNames: ['upstream'] as const,
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });

  const complexity = new Histogram({
    name: 'gateway_storefront_complexity',
    help: "BigCommerce's complexity score of each storefront operation (X-Bc-Graphql-Complexity); BigCommerce refuses over 10000",
    buckets: [10, 50, 100, 250, 500, 1000, 2500, 5000, 7500, 10_000, 20_000],
    registers: [registry],
  });
  const circuit = new Gauge({
    name: 'gateway_upstream_circuit_open',
    help: 'Circuit breaker per upstream: 0 closed, 0.5 half-open (one probe in flight), 1 open (failing fast)',
    labelNames: ['upstream'] as const,
    registers: [registry],
    // Summed over cluster workers it would read 2 for "open"; the worst worker's state is what matters.
    aggregator: 'max',
  });
  const sharedState = new Counter({
    name: 'gateway_shared_state_commands_total',
    help: 'Shared-state (Redis) commands by outcome (ok, error)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const sharedStateDuration = new Histogram({
    name: 'gateway_shared_state_command_duration_seconds',
    help: 'Shared-state (Redis) command duration',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const cacheOperations = new Counter({
    name: 'gateway_cache_operations_total',
    help: 'GraphQL operations by response cache status (hit, miss = executed and stored, bypass = never cached or cache unavailable)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const cacheEntryBytes = new Histogram({
    name: 'gateway_cache_entry_bytes',
    help: 'Size of each answer stored in the response cache (bytes)',
    buckets: [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304],
    registers: [registry],
  });
  let cacheBytesSource: () => number | undefined = () => undefined;
  new Gauge({
    name: 'gateway_cache_bytes',
    help: 'Bytes held by the in-memory response and pricing cache (bounded by GATEWAY_CACHE_MAX_MB; absent with Redis)',
    registers: [registry],
    collect() {
      const bytes = cacheBytesSource();
      if (bytes !== undefined) this.set(bytes);
    },
  });
  const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, 'half-open': 0.5, open: 1 };

  const observeUpstream: UpstreamObserver = (upstream, outcome, durationMs) => {
    upstreamCalls.inc({ upstream, outcome });
    upstreamDuration.observe({ upstream }, durationMs / 1000);
  };

  return {
    registry,
    observeUpstream,
    observeComplexity: (score: number) => complexity.observe(score),
    observeBreaker: (upstream: UpstreamName, state: BreakerState) => circuit.set({ upstream }, BREAKER_VALUES[state]),
    observeSharedState: (event: { ok: boolean; durationMs: number }) => {
      sharedState.inc({ outcome: event.ok ? 'ok' : 'error' });
      sharedStateDuration.observe(event.durationMs / 1000);
    },
    observeCache: (status: 'HIT' | 'MISS' | 'BYPASS') => cacheOperations.inc({ status: status.toLowerCase() }),
    observeCacheEntry: (bytes: number) => cacheEntryBytes.observe(bytes),
    /** Where `gateway_cache_bytes` reads the bytes held (the memory store; undefined with Redis). */
    measureCacheBytes(source: () => number | undefined): void {
      cacheBytesSource = source;
    },
    observeRequest(status: number, seconds: number, errorCodes: string[]): void {
      requests.inc({ status: String(status) });
      duration.observe(seconds);
      for (const code of errorCodes) errors.inc({ code });
    },
    /** Serves the metrics at `endpoint` (503 when the cluster's could not be gathered). */
    plugin(endpoint: string): Plugin {
      return {
        async onRequest({ url, endResponse, fetchAPI }) {
          if (url.pathname !== endpoint) return;
          const text = await scrape().catch(() => undefined);
          endResponse(
            text === undefined
              ? new fetchAPI.Response('metrics unavailable\n', { status: 503, headers: { 'content-type': 'text/plain' } })
              : new fetchAPI.Response(text, { headers: { 'content-type': registry.contentType } }),
          );
        },
      };
    },
  };
}

export type GatewayMetrics = ReturnType<typeof createMetrics>;
