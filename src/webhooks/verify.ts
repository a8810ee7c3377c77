import { createHash, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Who may call the webhook endpoint. BigCommerce signs callbacks with Standard Webhooks
 * (developer.bigcommerce.com/docs/integrations/webhooks, "Security" and "Webhook signature"): `webhook-id`,
 * `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the
 * app's client secret. BigCommerce's own receiver samples build the verifier with `new Webhook(base64(client_secret))`
 * — a Standard Webhooks secret is the base64 of the key bytes, so the key is the client secret's UTF-8 bytes.
 *
 * Besides the signature, a hook carries the custom `headers` given when it was created ("Create webhook requests to
 * accept a header object ... which you can use to authenticate callback requests"): BC_WEBHOOK_SECRET, sent as
 * `X-Webhook-Secret` by the gateway's own registration (register.ts), is accepted on its own, compared in constant time.
 *
 * Replay: the package refuses a `webhook-timestamp` more than 5 minutes from the system clock, and the timestamp is
 * signed, so an old delivery cannot be re-stamped. The window is kept as is: BigCommerce signs each attempt afresh, a
 * replay inside the window is deduplicated by its `webhook-id` anyway, and replaying an invalidation costs at most a
 * cache miss, whereas a tighter window turns ordinary clock skew into refused deliveries, which BigCommerce retries
 * for 48 hours and then answers by deactivating the hook.
 */

/** The custom header the gateway registers its hooks with when BC_WEBHOOK_SECRET is set. */
export const WEBHOOK_SECRET_HEADER = 'X-Webhook-Secret';

export interface CustomHeaderSecret {
  /** Header name (any case). */
  header: string;
  value: string;
}

export type Verification =
  | { ok: true; method: 'signature'; webhookId: string }
  | { ok: true; method: 'custom-header'; webhookId: string | undefined }
  | { ok: false; reason: 'missing-credentials' | 'bad-signature' | 'bad-custom-header' };

export interface WebhookVerifier {
  /** `body` exactly as received: the signature covers these bytes. */
  verify(body: string, headers: Headers): Verification;
}

/** Equal-length digests, so the comparison takes the same time whatever the inputs' lengths and contents. */
function constantTimeEqual(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function createWebhookVerifier(options: { clientSecret: string; customSecret?: CustomHeaderSecret }): WebhookVerifier {
  const { clientSecret, customSecret } = options;
  const signatures = clientSecret ? new Webhook(Buffer.from(clientSecret, 'utf8').toString('base64')) : undefined;
  return {
    verify(body, headers) {
      const id = headers.get('webhook-id') ?? undefined;
      const timestamp = headers.get('webhook-timestamp');
      const signature = headers.get('webhook-signature');
      const signed = id !== undefined && timestamp !== null && signature !== null;
      let signatureFailed = false;
      if (signatures && signed) {
        try {
          signatures.verify(body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, { jsonParse: false });
          return { ok: true, method: 'signature', webhookId: id };
        } catch {
          signatureFailed = true;
        }
      }
      if (customSecret) {
        const sent = headers.get(customSecret.header);
        if (sent !== null) {
          return constantTimeEqual(sent, customSecret.value) ? { ok: true, method: 'custom-header', webhookId: id } : { ok: false, reason: 'bad-custom-header' };
        }
      }
      return { ok: false, reason: signatureFailed ? 'bad-signature' : 'missing-credentials' };
    },
  };
}
