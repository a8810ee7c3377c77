/**
 * The callback body every BigCommerce webhook shares (developer.bigcommerce.com/docs/integrations/webhooks/events,
 * "Callback structure"): `{ scope, store_id, data, hash, created_at, producer }`, `hash` being the SHA-1 of the
 * payload, the same on every delivery of one event.
 */
export interface WebhookPayload {
  scope: string;
  /** Varies by scope: an object for most events, an array for the batch price-list record events. */
  data: unknown;
  hash: string;
  storeId?: string;
  createdAt?: number;
  /** `stores/{store_hash}`: the store the event happened in. */
  producer?: string;
}

// Lenient on purpose: a scope the gateway does not know is acknowledged and ignored, never refused (a refusal is retried
// for 48 hours). The events page spells some scopes with a trailing slash (`store/priceList/updated/`): normalised away.
const SCOPE = /^store\/[\x21-\x7e]{1,250}$/;
const HASH = /^[A-Za-z0-9]{1,128}$/;

/** The envelope, or why it is not one (a short reason, never the content). */
export function parseWebhookPayload(body: string): { ok: true; payload: WebhookPayload } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'body is not a JSON object' };
  const { scope, data, hash, store_id: storeId, created_at: createdAt, producer } = parsed as Record<string, unknown>;
  if (typeof scope !== 'string' || !SCOPE.test(scope)) return { ok: false, reason: 'scope is missing or malformed' };
  const normalisedScope = scope.replace(/\/+$/, '');
  if (typeof hash !== 'string' || !HASH.test(hash)) return { ok: false, reason: 'hash is missing or malformed' };
  if (typeof data !== 'object' || data === null) return { ok: false, reason: 'data is missing' };
  if (storeId !== undefined && typeof storeId !== 'string') return { ok: false, reason: 'store_id is malformed' };
  if (createdAt !== undefined && typeof createdAt !== 'number') return { ok: false, reason: 'created_at is malformed' };
  if (producer !== undefined && typeof producer !== 'string') return { ok: false, reason: 'producer is malformed' };
  return { ok: true, payload: { scope: normalisedScope, data, hash, storeId, createdAt, producer } };
}
