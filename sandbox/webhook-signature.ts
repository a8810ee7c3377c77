// Standard Webhooks signatures of webhook callbacks (developer.bigcommerce.com/docs/integrations/webhooks, "Webhook
// signature"; the scheme is www.standardwebhooks.com). Written with node:crypto rather than the `standardwebhooks`
// package so that the sandbox's tests, which verify with that package, check two independent implementations.
import { createHmac } from 'node:crypto';

/**
 * The signing key. BigCommerce's receiver samples build the verifier with `new Webhook(base64(client_secret))`, and a
 * Standard Webhooks secret is the base64 of the key bytes: so the key is the client secret's own UTF-8 bytes.
 */
export function signingKey(clientSecret: string): Buffer {
  return Buffer.from(clientSecret, 'utf8');
}

/** `webhook-signature`: `v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`. */
export function signWebhook(key: Buffer, messageId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}
