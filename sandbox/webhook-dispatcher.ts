// Delivery of webhook callbacks: one signed POST per matching active hook, retried on BigCommerce's schedule,
// every attempt recorded (developer.bigcommerce.com/docs/integrations/webhooks: "Callback payload", "Handling
// callbacks", "Callback retry mechanism"; signatures: /docs/integrations/webhooks, "Webhook signature").
//
// Not modelled: the per-domain success-ratio blocklist (three minutes below 90 % over two minutes) and the
// store/hook/deliveryException hook; a delivery whose hook was deleted or deactivated meanwhile is dropped.
import { createHash, randomUUID } from 'node:crypto';
import type { WebhookEvent, WebhookPayload } from './webhook-events';
import type { WebhookRecord, WebhookRegistry } from './webhook-registry';
import { signingKey, signWebhook } from './webhook-signature';

/**
 * Seconds between consecutive attempts after a failure, as BigCommerce documents them: eleven retries, about 48 hours
 * in all, after which the hook is deactivated.
 */
export const WEBHOOK_RETRY_SCHEDULE_SECONDS: readonly number[] = [60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400];

/**
 * How long one attempt may take before it counts as failed. BigCommerce counts "no response" and time-outs as failures
 * without publishing the limit; ten seconds is the sandbox's choice.
 */
export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 10_000;

/** One POST to a destination (the first delivery or a retry), as tests see it in `sandbox.webhookDeliveries`. */
export interface WebhookDeliveryAttempt {
  hookId: number;
  /** `webhook-id`: one per delivery of one event to one hook, the same on its retries. */
  messageId: string;
  scope: string;
  destination: string;
  /** 1 for the first delivery, 2 for the first retry... */
  attempt: number;
  /** When it was sent, on the sandbox clock (ms). */
  at: number;
  /** Every header sent, names lower-case (the hook's custom headers included). */
  headers: Record<string, string>;
  /** The exact body sent (the signature covers these bytes). */
  body: string;
  payload: WebhookPayload;
  /** The destination's HTTP status, null when it did not answer. */
  status: number | null;
  /** Why there was no answer (connection refused, time-out...), else null. */
  error: string | null;
  /** A 2xx answer. */
  delivered: boolean;
  /** Delay before the next retry (ms, after scaling); null when none follows (delivered, or retries exhausted). */
  nextRetryInMs: number | null;
  /** The retries ran out and the hook was deactivated (is_active false), as BigCommerce does after 48 hours. */
  hookDeactivated: boolean;
}

export interface WebhookDispatcherOptions {
  registry: WebhookRegistry;
  storeHash: string;
  storeId: string;
  clientSecret: string;
  now: () => number;
  /** Multiplies every retry delay (1 = the real schedule; 0.001 turns a minute into 60 ms). */
  retryScale: number;
  attempts: WebhookDeliveryAttempt[];
  onError: (err: unknown) => void;
}

export interface WebhookDispatcher {
  /** Queues an event; deliveries start after the current I/O turn, so the REST call that caused it answers first. */
  publish(event: WebhookEvent): void;
  /** Holds first deliveries of events published from now on until `release()` (tests: a change's delivery window). */
  hold(): { release(): void };
  /** Cancels pending retries and in-flight attempts (the sandbox is closing). */
  close(): void;
}

/** The callback body, `hash` being the SHA-1 of the JSON of the rest of the payload ("Callback structure"). */
export function buildPayload(event: WebhookEvent, storeId: string, storeHash: string, createdAt: number): WebhookPayload {
  const unsigned = { scope: event.scope, store_id: storeId, data: event.data, created_at: createdAt, producer: `stores/${storeHash}` };
  const hash = createHash('sha1').update(JSON.stringify(unsigned)).digest('hex');
  return { scope: unsigned.scope, store_id: unsigned.store_id, data: unsigned.data, hash, created_at: unsigned.created_at, producer: unsigned.producer };
}

/** fetch reports "fetch failed" with the socket error as its cause: keep both. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
}

interface Delivery {
  hookId: number;
  messageId: string;
  payload: WebhookPayload;
  body: string;
}

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { registry, now, attempts } = options;
  const key = signingKey(options.clientSecret);
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<AbortController>();
  let closed = false;
  let held: Array<() => void> | undefined;

  function later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    // Pending retries must not keep a test process (or a closing sandbox) alive.
    timer.unref();
    timers.add(timer);
  }

  function headersFor(hook: WebhookRecord, delivery: Delivery, timestamp: number): Record<string, string> {
    const headers: Record<string, string> = {};
    // Custom header names that collide with the ones below are refused when the hook is saved.
    for (const [name, value] of Object.entries(hook.headers ?? {})) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    headers['webhook-id'] = delivery.messageId;
    headers['webhook-timestamp'] = String(timestamp);
    headers['webhook-signature'] = signWebhook(key, delivery.messageId, timestamp, delivery.body);
    return headers;
  }

  async function post(destination: string, headers: Record<string, string>, body: string): Promise<{ status: number | null; error: string | null }> {
    const controller = new AbortController();
    inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error(`no answer within ${WEBHOOK_ATTEMPT_TIMEOUT_MS} ms`)), WEBHOOK_ATTEMPT_TIMEOUT_MS);
    timeout.unref();
    try {
      // A redirect is not a 2xx: it is not followed.
      const res = await fetch(destination, { method: 'POST', headers, body, redirect: 'manual', signal: controller.signal });
      await res.arrayBuffer().catch(() => undefined);
      return { status: res.status, error: null };
    } catch (err) {
      return { status: null, error: describe(controller.signal.aborted ? controller.signal.reason : err) };
    } finally {
      clearTimeout(timeout);
      inFlight.delete(controller);
    }
  }

  async function attempt(delivery: Delivery, n: number): Promise<void> {
    const hook = registry.get(delivery.hookId);
    if (closed || !hook || !hook.isActive) return;
    const at = now();
    const headers = headersFor(hook, delivery, Math.floor(at / 1000));
    const { status, error } = await post(hook.destination, headers, delivery.body);
    if (closed) return;
    const delivered = status !== null && status >= 200 && status < 300;
    const retryDelaySeconds = delivered ? undefined : WEBHOOK_RETRY_SCHEDULE_SECONDS[n - 1];
    const nextRetryInMs = retryDelaySeconds === undefined ? null : retryDelaySeconds * 1000 * options.retryScale;
    const exhausted = !delivered && nextRetryInMs === null;
    if (exhausted) registry.update(hook.id, { isActive: false });
    attempts.push({
      hookId: hook.id,
      messageId: delivery.messageId,
      scope: delivery.payload.scope,
      destination: hook.destination,
      attempt: n,
      at,
      headers,
      body: delivery.body,
      payload: delivery.payload,
      status,
      error,
      delivered,
      nextRetryInMs,
      hookDeactivated: exhausted,
    });
    if (nextRetryInMs !== null) later(nextRetryInMs, () => run(delivery, n + 1));
  }

  function run(delivery: Delivery, n: number): void {
    attempt(delivery, n).catch(options.onError);
  }

  function dispatch(event: WebhookEvent, createdAt: number): void {
    const payload = buildPayload(event, options.storeId, options.storeHash, createdAt);
    // One body for every hook and every retry: the hash and the signed bytes stay the same.
    const body = JSON.stringify(payload);
    for (const hook of registry.activeFor(event.scope)) run({ hookId: hook.id, messageId: randomUUID(), payload, body }, 1);
  }

  return {
    publish(event) {
      if (closed) return;
      const createdAt = Math.floor(now() / 1000);
      if (held) return void held.push(() => dispatch(event, createdAt));
      setImmediate(() => {
        if (!closed) dispatch(event, createdAt);
      });
    },
    hold() {
      const queue: Array<() => void> = (held ??= []);
      return {
        release() {
          if (held !== queue) return;
          held = undefined;
          if (!closed) for (const send of queue) send();
        },
      };
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of inFlight) controller.abort(new Error('sandbox closed'));
      inFlight.clear();
    },
  };
}
