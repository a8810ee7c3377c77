import { Counter, type Registry } from 'prom-client';

/** How the endpoint answered one delivery. */
export type WebhookDeliveryOutcome =
  | 'accepted'
  | 'duplicate'
  | 'ignored'
  | 'unauthorized'
  | 'throttled'
  | 'bad_request'
  | 'too_large'
  | 'method_not_allowed'
  | 'unavailable';

/** What became of an accepted delivery's invalidation (applied after the answer). */
export type WebhookInvalidationOutcome = 'invalidated' | 'retried' | 'failed' | 'nothing_to_invalidate';

export interface WebhookObserver {
  delivery(outcome: WebhookDeliveryOutcome): void;
  invalidation(outcome: WebhookInvalidationOutcome): void;
}

/** Counters on the gateway's registry (`metrics.registry` of src/plugins/metrics.ts), served by its /metrics. */
export function webhookMetrics(registry: Registry): WebhookObserver {
  const deliveries = new Counter({
    name: 'gateway_webhook_deliveries_total',
    help: 'BigCommerce webhook deliveries by how they were answered (accepted, duplicate, ignored, unauthorized, throttled, bad_request, too_large, method_not_allowed, unavailable)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const invalidations = new Counter({
    name: 'gateway_webhook_invalidations_total',
    help: 'Cache invalidations caused by accepted webhooks, by outcome (invalidated, retried, failed, nothing_to_invalidate)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return {
    delivery: (outcome) => deliveries.inc({ outcome }),
    invalidation: (outcome) => invalidations.inc({ outcome }),
  };
}
