// Shared pieces of the webhook tests: a yoga hosting only the webhook plugin, a recording invalidator and logger,
// and Standard Webhooks signing with the `standardwebhooks` package (as BigCommerce's receiver samples use it).
import { randomUUID } from 'node:crypto';
import { createSchema, createYoga } from 'graphql-yoga';
import { Webhook } from 'standardwebhooks';
import type { CacheInvalidator, CacheScope } from '../../src/cache/invalidation';
import { webhookEndpointPlugin, type WebhookEndpointDeps, type WebhookEndpointPlugin, type WebhookLogger } from '../../src/webhooks/endpoint';
import type { WebhookDeliveryOutcome, WebhookInvalidationOutcome } from '../../src/webhooks/metrics';

export interface RecordingInvalidator extends CacheInvalidator {
  calls: CacheScope[][];
  /** Every call, failed ones included. */
  attempts: number;
}

/** Records every invalidation; the first `failures` calls reject. */
export function recordingInvalidator(failures = 0): RecordingInvalidator {
  const recorder: RecordingInvalidator = {
    calls: [],
    attempts: 0,
    async invalidate(scopes) {
      recorder.attempts += 1;
      if (recorder.attempts <= failures) throw new Error('cache store down');
      recorder.calls.push(scopes);
    },
  };
  return recorder;
}

export interface RecordingLogger extends WebhookLogger {
  /** Each line as JSON: level, message and fields. */
  lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push(JSON.stringify({ level, message, ...fields }));
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export interface Outcomes {
  deliveries: WebhookDeliveryOutcome[];
  invalidations: WebhookInvalidationOutcome[];
}

/** A yoga app serving only the webhook plugin (and a one-field schema, since yoga needs one). */
export function webhookApp(deps: WebhookEndpointDeps): { plugin: WebhookEndpointPlugin; yoga: ReturnType<typeof createYoga>; outcomes: Outcomes } {
  const outcomes: Outcomes = { deliveries: [], invalidations: [] };
  const plugin = webhookEndpointPlugin({
    ...deps,
    observe: deps.observe ?? { delivery: (o) => void outcomes.deliveries.push(o), invalidation: (o) => void outcomes.invalidations.push(o) },
  });
  const yoga = createYoga({ schema: createSchema({ typeDefs: 'type Query { ok: Boolean }' }), plugins: [plugin], logging: false });
  return { plugin, yoga, outcomes };
}

/** Standard Webhooks headers for `body`, signed with `clientSecret` as BigCommerce does (key = its UTF-8 bytes). */
export function signedHeaders(
  clientSecret: string,
  body: string,
  options: { id?: string; timestampSeconds?: number } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  const signature = new Webhook(Buffer.from(clientSecret, 'utf8').toString('base64')).sign(id, new Date(timestamp * 1000), body);
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

/** Polls until `probe` holds; fails after `timeoutMs`. */
export async function eventually(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
