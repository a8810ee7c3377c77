import type { Plugin } from 'graphql-yoga';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamObserver } from '../remote/upstream-fetch';

const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics on a registry of this gateway's own (several gateways can share a process in tests).
 * Hand-made with prom-client rather than the envelop Prometheus plugin: the gateway's interesting numbers —
 * errors by code and upstream calls by outcome — are not in that plugin, and its per-phase histograms cost
 * time on every request.
 */
export function createMetrics(options: { defaultMetrics: boolean }) {
  const registry = new Registry();
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

  const observeUpstream: UpstreamObserver = (upstream, outcome, durationMs) => {
    upstreamCalls.inc({ upstream, outcome });
    upstreamDuration.observe({ upstream }, durationMs / 1000);
  };

  return {
    registry,
    observeUpstream,
    observeRequest(status: number, seconds: number, errorCodes: string[]): void {
      requests.inc({ status: String(status) });
      duration.observe(seconds);
      for (const code of errorCodes) errors.inc({ code });
    },
    /** Serves the registry at `endpoint`. */
    plugin(endpoint: string): Plugin {
      return {
        async onRequest({ url, endResponse, fetchAPI }) {
          if (url.pathname !== endpoint) return;
          endResponse(new fetchAPI.Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } }));
        },
      };
    },
  };
}

export type GatewayMetrics = ReturnType<typeof createMetrics>;
