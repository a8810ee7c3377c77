import type { StoreConfig } from '../config';
import type { HttpClient } from '../remote/http';
import { createAdminRestClient } from '../remote/admin-rest';
import { WEBHOOK_PATH, type WebhookLogger } from './endpoint';
import { channelsToWatch, describeRegistrations, gatewayWebhookScopes, registerWebhooks, type WebhookRegistration } from './register';
import { WEBHOOK_SECRET_HEADER } from './verify';

/** Where a gateway listening on `host:port` receives callbacks from a store on the same machine. */
export function localWebhookDestination(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}${WEBHOOK_PATH}`;
}

/**
 * Sandbox mode: registers the gateway's webhook with the embedded sandbox store through its `/v3/hooks` API, with
 * the same code and scopes an operator uses on a real store (`npm run webhooks:register`), so price changes made
 * through the sandbox's admin REST reach the cache the way they would in production. Never throws: a gateway whose
 * hooks could not be registered still serves, with the cache TTL as the bound on staleness.
 */
export async function registerSandboxWebhooks(options: {
  /** The sandbox as a store: a StoreConfig, or (in the primary of several workers) its url and identity. */
  store: Pick<StoreConfig, 'apiUrl' | 'storeHash' | 'accessToken' | 'channelId'>;
  /** The address the gateway listens on (config.host) and its actual port. */
  host: string;
  port: number;
  /** BC_WEBHOOK_SECRET, sent back as WEBHOOK_SECRET_HEADER. */
  webhookSecret?: string;
  logger: WebhookLogger;
  timeoutMs: number;
  http?: HttpClient;
}): Promise<WebhookRegistration[]> {
  const { store, logger } = options;
  const destination = localWebhookDestination(options.host, options.port);
  const admin = createAdminRestClient({ apiUrl: store.apiUrl, storeHash: store.storeHash, accessToken: store.accessToken, timeoutMs: options.timeoutMs, http: options.http });
  try {
    const results = await registerWebhooks(admin.rest, {
      destination,
      scopes: gatewayWebhookScopes(await channelsToWatch(admin.rest, store.channelId)),
      headers: options.webhookSecret ? { [WEBHOOK_SECRET_HEADER]: options.webhookSecret } : undefined,
    });
    const failed = results.filter((r) => r.action === 'failed');
    logger.info({ destination, hooks: results.length - failed.length }, 'sandbox mode: webhooks registered with the sandbox store');
    if (failed.length > 0) logger.warn({ destination, failed: describeRegistrations(failed) }, 'sandbox mode: the sandbox store refused some webhook scopes');
    return results;
  } catch (error) {
    logger.error({ destination, error: error instanceof Error ? error.message : String(error) }, 'sandbox mode: could not register webhooks; cached data refreshes on its TTL only');
    return [];
  } finally {
    await admin.close();
  }
}
