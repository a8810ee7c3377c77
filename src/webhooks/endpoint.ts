import type { Plugin } from 'graphql-yoga';
import type { CacheInvalidator, CacheScope } from '../cache/invalidation';
import { limitKeyOf } from '../http/client-address';
import { createWindowCounter } from '../http/window-counter';
import type { SingleUseStore } from '../state/types';
import { planForEvent, resolvePlan, type EventPlan, type PriceListGroupResolver } from './event-scopes';
import type { WebhookDeliveryOutcome, WebhookObserver } from './metrics';
import { parseWebhookPayload } from './payload';
import { createLogGate } from './log-gate';
import { createWebhookVerifier, type CustomHeaderSecret } from './verify';

export const WEBHOOK_PATH = '/webhooks/bigcommerce';

/**
 * How long a delivery is remembered for deduplication: BigCommerce retries a failed delivery eleven times over about
 * 48 hours (60 s, 180 s, ... 86400 s; developer.bigcommerce.com/docs/integrations/webhooks, "Callback retry
 * mechanism"), so 49 hours covers the whole schedule. An entry is one small key; a forgotten one costs at most a
 * second invalidation.
 */
export const WEBHOOK_DEDUPE_SECONDS = 49 * 3600;

/** Delay before the one retry of a failed invalidation, and the most a price-list lookup may take before `all`. */
const DEFAULT_RETRY_DELAY_MS = 250;
const DEFAULT_LOOKUP_TIMEOUT_MS = 700;
/** Failed deliveries one address may send per minute before its signed requests are refused unread. */
const DEFAULT_MAX_FAILURES_PER_MINUTE = 20;
/** Lines about refusals anyone can cause: at most one per kind this often. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;
/** Addresses tracked for failures, and addresses remembered as having delivered validly. */
const MAX_TRACKED_ADDRESSES = 10_000;
const MAX_KNOWN_SENDERS = 1000;

/** pino's Logger fits; tests pass a recorder. Lines carry scope, ids and reasons: never the body, headers or secrets. */
export interface WebhookLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface WebhookEndpointDeps {
  /** BC_CLIENT_SECRET: the key of the Standard Webhooks signatures. */
  clientSecret: string;
  /** BC_WEBHOOK_SECRET as the custom header the hooks were created with (WEBHOOK_SECRET_HEADER). */
  customSecret?: CustomHeaderSecret;
  /** Dedupe: the gateway's shared single-use store (Redis with several instances). */
  singleUse: SingleUseStore;
  invalidator: CacheInvalidator;
  /** createPriceListGroupResolver(rest) in the gateway. */
  resolveGroupsOfPriceList: PriceListGroupResolver;
  logger: WebhookLogger;
  /** Unix ms; dedupe expiry. (Signature timestamps are checked by `standardwebhooks` against the system clock.) */
  now: () => number;
  /** Bodies larger than this are refused with 413 before they are read in full. */
  maxBodyBytes: number;
  /** When set, payloads whose `producer` is another store's (`stores/{hash}`) are acknowledged and ignored. */
  storeHash?: string;
  observe?: WebhookObserver;
  /** The sender's address (the gateway's client address: socket peer and trusted `X-Forwarded-For`); '' if unknown. */
  clientAddress?: (request: Request, serverContext: unknown) => string;
  /** Failed deliveries per address per minute before that address is throttled (default 20). */
  maxFailuresPerMinute?: number;
  /** Defaults: 250 ms and 700 ms (the change must reach the cache within a second). */
  retryDelayMs?: number;
  lookupTimeoutMs?: number;
}

export interface WebhookEndpointPlugin extends Plugin {
  /** Resolves once every accepted delivery has been applied (tests, graceful shutdown). */
  idle(): Promise<void>;
}

/** Reads at most `max` bytes; undefined when the body is larger (reading stops there). */
async function readCapped(request: Request, max: number): Promise<Buffer | undefined> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** `undefined` once `ms` have passed: a slow lookup widens the invalidation instead of delaying it. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

const describeError = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

/**
 * `POST /webhooks/bigcommerce`: BigCommerce webhook callbacks turned into cache invalidations. Answered in onRequest,
 * before any GraphQL handling; list it first among the gateway's plugins so that the GraphQL body limit does not
 * apply to it (a batch price-list event can exceed a GraphQL request's limit).
 *
 * In order: 405 for another method; 413 above `maxBodyBytes`; 401 unless the Standard Webhooks signature or the
 * custom header secret verifies (nothing is claimed or invalidated) — decided from the headers alone when they are
 * missing, malformed, out of the timestamp window or carry the custom secret, so that only a well-formed current
 * signature costs reading and hashing the body; 429 before the body is read for such a signature from an address
 * whose signatures failed `maxFailuresPerMinute` times in the last minute — unless that address has delivered validly
 * within the retry schedule (BigCommerce's own, which an attacker's failures never throttle; nor do refusals decided
 * from the headers count, so unsigned floods from a shared address cannot throttle it); 400 for a body that is not a callback envelope;
 * 200 for a scope the gateway does not map (BigCommerce retries anything but 2xx); then the delivery is claimed in
 * the single-use store and answered 200 at once, and its invalidation runs right after the answer.
 *
 * Deduplication key: the `webhook-id`, which Standard Webhooks keeps the same on every retry of one message, else
 * (a delivery authenticated by the custom header alone, without one) the payload `hash`. Not the hash first: it is
 * the SHA-1 of a light payload (`{price_list_id, variant_id, currency}`, `created_at` in seconds), so two real changes
 * of one record within a second share it, and dropping the second would leave its prices stale until the TTL.
 *
 * Shared state down (the claim throws): 503 and nothing applied. BigCommerce then redelivers on its schedule (60 s,
 * 180 s, ...), by which time the store is likely back; answering 200 instead would lose the event exactly when the
 * cache (in the same Redis) cannot be invalidated either. A claimed delivery whose invalidation fails twice is logged
 * and counted; its entries stay stale until the TTL.
 */
export function webhookEndpointPlugin(deps: WebhookEndpointDeps): WebhookEndpointPlugin {
  const verifier = createWebhookVerifier({ clientSecret: deps.clientSecret, customSecret: deps.customSecret });
  const maxFailures = deps.maxFailuresPerMinute ?? DEFAULT_MAX_FAILURES_PER_MINUTE;
  const failures = createWindowCounter({ windowMs: 60_000, maxKeys: MAX_TRACKED_ADDRESSES, now: deps.now });
  const knownSenders = createWindowCounter({ windowMs: WEBHOOK_DEDUPE_SECONDS * 1000, maxKeys: MAX_KNOWN_SENDERS, now: deps.now });
  const logRefusal = createLogGate({ intervalMs: REFUSAL_LOG_INTERVAL_MS, now: deps.now });
  const retryDelayMs = deps.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  const lookupTimeoutMs = deps.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  const pending = new Set<Promise<void>>();
  const { logger } = deps;

  async function invalidate(scopes: CacheScope[], fields: Record<string, unknown>): Promise<void> {
    try {
      await deps.invalidator.invalidate(scopes);
      deps.observe?.invalidation('invalidated');
      logger.info({ ...fields, scopes }, 'webhook: cache invalidated');
      return;
    } catch (error) {
      deps.observe?.invalidation('retried');
      logger.warn({ ...fields, error: describeError(error) }, 'webhook: invalidation failed; retrying once');
    }
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    try {
      await deps.invalidator.invalidate(scopes);
      deps.observe?.invalidation('invalidated');
      logger.info({ ...fields, scopes }, 'webhook: cache invalidated (second attempt)');
    } catch (error) {
      deps.observe?.invalidation('failed');
      logger.error({ ...fields, scopes, error: describeError(error) }, 'webhook: invalidation failed twice; entries stay stale until the cache TTL');
    }
  }

  async function apply(plan: EventPlan, fields: Record<string, unknown>): Promise<void> {
    const resolveGroups: PriceListGroupResolver = (id) => withDeadline(deps.resolveGroupsOfPriceList(id), lookupTimeoutMs);
    const scopes = await resolvePlan(plan, resolveGroups);
    if (scopes.length === 0) {
      deps.observe?.invalidation('nothing_to_invalidate');
      logger.info(fields, 'webhook: nothing to invalidate');
      return;
    }
    await invalidate(scopes, fields);
  }

  /** After the answer has been handed back; never throws into anything. */
  function applyLater(plan: EventPlan, fields: Record<string, unknown>): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => apply(plan, fields))
      .catch((error: unknown) => {
        deps.observe?.invalidation('failed');
        logger.error({ ...fields, error: describeError(error) }, 'webhook: could not apply the event');
      })
      .finally(() => pending.delete(run));
    pending.add(run);
  }

  return {
    idle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (url.pathname !== WEBHOOK_PATH) return;
      const answer = (status: number, outcome: WebhookDeliveryOutcome, body: Record<string, unknown>, headers: Record<string, string> = {}): void => {
        deps.observe?.delivery(outcome);
        endResponse(new fetchAPI.Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } }));
      };

      const sender = limitKeyOf(deps.clientAddress?.(request, serverContext) ?? '');
      const unauthorized = (reason: string): void => {
        logRefusal('unauthorized', (suppressed) => logger.warn({ reason, suppressed }, 'webhook: refused an unauthenticated delivery'));
        answer(401, 'unauthorized', { error: 'Webhook signature or secret is missing or invalid' }, { connection: 'close' });
      };
      if (request.method !== 'POST') return answer(405, 'method_not_allowed', { error: 'Use POST' }, { allow: 'POST' });
      const length = request.headers.get('content-length');
      if (length !== null && (!/^\d+$/.test(length) || Number(length) > deps.maxBodyBytes)) {
        return answer(413, 'too_large', { error: `Body too large: at most ${deps.maxBodyBytes} bytes` }, { connection: 'close' });
      }
      const inspected = verifier.inspect(request.headers);
      if (inspected.ok === false) return unauthorized(inspected.reason);
      if (inspected.ok === 'needs-body' && knownSenders.peek(sender) === undefined) {
        const recent = failures.peek(sender);
        if (recent && recent.count >= maxFailures) {
          logRefusal('throttled', (suppressed) => logger.warn({ suppressed }, 'webhook: throttled an address sending failed deliveries'));
          const retryAfterSeconds = String(Math.max(1, Math.ceil((recent.resetAt - deps.now()) / 1000)));
          return answer(429, 'throttled', { error: 'Too many failed deliveries from this address' }, { 'retry-after': retryAfterSeconds, connection: 'close' });
        }
      }
      let bytes: Buffer | undefined;
      try {
        bytes = await readCapped(request, deps.maxBodyBytes);
      } catch {
        return answer(400, 'bad_request', { error: 'Could not read the body' });
      }
      if (bytes === undefined) return answer(413, 'too_large', { error: `Body too large: at most ${deps.maxBodyBytes} bytes` }, { connection: 'close' });

      const verified = inspected.ok === 'needs-body' ? verifier.verifyBody(inspected, bytes) : inspected;
      if (!verified.ok) {
        // Only failures that cost the body's read and HMAC count: those decided from the headers cost nothing.
        failures.hit(sender);
        return unauthorized(verified.reason);
      }
      knownSenders.hit(sender);
      const body = bytes.toString('utf8');
      const parsed = parseWebhookPayload(body);
      if (!parsed.ok) {
        logger.warn({ reason: parsed.reason, webhookId: verified.webhookId }, 'webhook: refused a malformed payload');
        return answer(400, 'bad_request', { error: `Not a webhook callback: ${parsed.reason}` });
      }
      const { payload } = parsed;
      const fields = { scope: payload.scope, webhookId: verified.webhookId, hash: payload.hash, verifiedBy: verified.method };
      if (deps.storeHash !== undefined && payload.producer !== undefined && payload.producer !== `stores/${deps.storeHash}`) {
        logger.warn({ ...fields, producer: payload.producer }, "webhook: ignored another store's event");
        return answer(200, 'ignored', { received: true, ignored: true });
      }
      const plan = planForEvent(payload.scope, payload.data);
      if (!plan) {
        logger.info(fields, 'webhook: ignored an event the cache does not depend on');
        return answer(200, 'ignored', { received: true, ignored: true });
      }

      const key = verified.webhookId !== undefined ? `webhook:id:${verified.webhookId}` : `webhook:hash:${payload.hash}`;
      let first: boolean;
      try {
        first = await deps.singleUse.claim(key, Math.floor(deps.now() / 1000) + WEBHOOK_DEDUPE_SECONDS);
      } catch (error) {
        logger.warn({ ...fields, error: describeError(error) }, 'webhook: shared state unavailable; asking BigCommerce to redeliver');
        return answer(503, 'unavailable', { error: 'Temporarily unavailable; redeliver later' });
      }
      if (!first) {
        logger.info(fields, 'webhook: duplicate delivery ignored');
        return answer(200, 'duplicate', { received: true, duplicate: true });
      }
      logger.info(fields, 'webhook: accepted');
      applyLater(plan, fields);
      return answer(200, 'accepted', { received: true });
    },
  };
}
