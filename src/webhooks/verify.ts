import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Who may call the webhook endpoint. BigCommerce signs callbacks with Standard Webhooks
 * (developer.bigcommerce.com/docs/integrations/webhooks, "Security" and "Webhook signature"; the scheme is
 * standardwebhooks.com): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "{id}.{timestamp}.{body}">` (several space-separated during a key rotation), keyed with the app's client secret.
 * BigCommerce's own receiver samples build the verifier with `new Webhook(base64(client_secret))` — a Standard
 * Webhooks secret is the base64 of the key bytes, so the key is the client secret's UTF-8 bytes.
 *
 * Besides the signature, a hook carries the custom `headers` given when it was created ("Create webhook requests to
 * accept a header object ... which you can use to authenticate callback requests"): BC_WEBHOOK_SECRET, sent as
 * `X-Webhook-Secret` by the gateway's own registration (register.ts), is accepted on its own, compared in constant time.
 *
 * Cheap first: everything that can be decided from the headers — the custom header, the presence and form of the
 * signature headers, the timestamp window — is, before the body is read; only a well-formed, current signature costs
 * the HMAC of the body (node:crypto, over the bytes as received).
 *
 * Replay: a `webhook-timestamp` more than 5 minutes from the clock is refused, and the timestamp is signed, so an old
 * delivery cannot be re-stamped. The window is Standard Webhooks' own: BigCommerce signs each attempt afresh, a replay
 * inside the window is deduplicated by its `webhook-id` anyway, and replaying an invalidation costs at most a cache
 * miss, whereas a tighter window turns ordinary clock skew into refused deliveries, which BigCommerce retries for 48
 * hours and then answers by deactivating the hook.
 */

/** The custom header the gateway registers its hooks with when BC_WEBHOOK_SECRET is set. */
export const WEBHOOK_SECRET_HEADER = 'X-Webhook-Secret';

/** Standard Webhooks' tolerance between `webhook-timestamp` and the receiver's clock, both ways. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** A message id longer than this, or more signatures than this in one header, is not a real delivery. */
const MAX_ID_LENGTH = 256;
const MAX_SIGNATURES = 8;
const HMAC_SHA256_BYTES = 32;

export interface CustomHeaderSecret {
  /** Header name (any case). */
  header: string;
  value: string;
}

export type VerificationFailure = 'missing-credentials' | 'malformed-signature' | 'stale-timestamp' | 'bad-signature' | 'bad-custom-header';

export type Verification =
  | { ok: true; method: 'signature'; webhookId: string }
  | { ok: true; method: 'custom-header'; webhookId: string | undefined }
  | { ok: false; reason: VerificationFailure };

/** Headers that passed every check but the signature itself, which needs the body. */
export interface PendingSignature {
  ok: 'needs-body';
  /** What to answer if the signature does not verify (a wrong custom header sent beside it, say). */
  failure: VerificationFailure;
  id: string;
  timestamp: string;
  signatures: Buffer[];
}

export interface WebhookVerifier {
  /** Decides from the headers alone when it can; otherwise says what the body must be signed with. */
  inspect(headers: Headers): Verification | PendingSignature;
  /** `body` exactly as received: the signature covers these bytes. */
  verifyBody(pending: PendingSignature, body: Uint8Array): Verification;
}

/** Equal-length digests, so the comparison takes the same time whatever the inputs' lengths and contents. */
function constantTimeEqual(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** The `v1` signatures of a `webhook-signature` header, decoded; other versions are skipped, as the scheme says. */
function v1Signatures(header: string): Buffer[] | undefined {
  const entries = header.trim().split(/\s+/);
  if (entries.length > MAX_SIGNATURES) return undefined;
  const signatures: Buffer[] = [];
  for (const entry of entries) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || value === undefined || !/^[A-Za-z0-9+/]{43}=$/.test(value)) continue;
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length === HMAC_SHA256_BYTES) signatures.push(bytes);
  }
  return signatures.length > 0 ? signatures : undefined;
}

export function createWebhookVerifier(options: {
  clientSecret: string;
  customSecret?: CustomHeaderSecret;
  /** Unix ms of the timestamp window (the system clock, which BigCommerce's timestamps follow). */
  clock?: () => number;
}): WebhookVerifier {
  const { clientSecret, customSecret } = options;
  const clock = options.clock ?? Date.now;
  const key = Buffer.from(clientSecret, 'utf8');
  return {
    inspect(headers) {
      const id = headers.get('webhook-id') ?? undefined;
      const timestamp = headers.get('webhook-timestamp');
      const signature = headers.get('webhook-signature');
      let failure: VerificationFailure = 'missing-credentials';
      if (customSecret) {
        const sent = headers.get(customSecret.header);
        if (sent !== null) {
          if (constantTimeEqual(sent, customSecret.value)) return { ok: true, method: 'custom-header', webhookId: id };
          failure = 'bad-custom-header';
        }
      }
      // A wrong custom header still lets a valid signature in (as before the header was configured).
      if (!clientSecret || id === undefined || timestamp === null || signature === null) return { ok: false, reason: failure };
      const fail = (reason: VerificationFailure): Verification => ({ ok: false, reason: failure === 'bad-custom-header' ? failure : reason });
      if (id === '' || id.length > MAX_ID_LENGTH || !/^\d{1,12}$/.test(timestamp)) return fail('malformed-signature');
      if (Math.abs(clock() / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) return fail('stale-timestamp');
      const signatures = v1Signatures(signature);
      if (!signatures) return fail('malformed-signature');
      return { ok: 'needs-body', failure: failure === 'bad-custom-header' ? failure : 'bad-signature', id, timestamp, signatures };
    },
    verifyBody(pending, body) {
      const expected = createHmac('sha256', key).update(`${pending.id}.${pending.timestamp}.`, 'utf8').update(body).digest();
      // Every candidate compared (no early exit), each in constant time.
      let matched = false;
      for (const candidate of pending.signatures) matched = timingSafeEqual(candidate, expected) || matched;
      return matched ? { ok: true, method: 'signature', webhookId: pending.id } : { ok: false, reason: pending.failure };
    },
  };
}
