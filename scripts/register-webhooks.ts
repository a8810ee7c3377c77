// `npm run webhooks:register`: registers the gateway's BigCommerce webhooks on a real store, so that catalog and
// price-list changes invalidate the response cache (developer.bigcommerce.com/docs/integrations/webhooks, "Creating a
// webhook"). Reads the same BC_* variables as the gateway, plus GATEWAY_PUBLIC_URL: the public https base at which
// BigCommerce reaches the gateway (it delivers only to https on port 443). With BC_WEBHOOK_SECRET set, every hook also
// sends it back as the X-Webhook-Secret header. Idempotent: missing hooks are created, inactive ones reactivated.
// In sandbox mode (BC_STOREFRONT_URL unset) `npm start` registers with the embedded sandbox itself.
import { ConfigError, parseConfig } from '../src/config';
import { WEBHOOK_PATH } from '../src/webhooks/endpoint';
import { createAdminRestClient } from '../src/remote/admin-rest';
import { channelsToWatch, describeRegistrations, gatewayWebhookScopes, registerWebhooks } from '../src/webhooks/register';
import { WEBHOOK_SECRET_HEADER } from '../src/webhooks/verify';

/** The destination for a public base URL, or why it cannot be one. */
export function webhookDestination(publicUrl: string | undefined): { ok: true; destination: string } | { ok: false; problem: string } {
  if (!publicUrl?.trim()) return { ok: false, problem: 'GATEWAY_PUBLIC_URL is required: the public https base URL of the gateway, e.g. https://gateway.example.com' };
  let url: URL;
  try {
    url = new URL(publicUrl.trim());
  } catch {
    return { ok: false, problem: `GATEWAY_PUBLIC_URL must be an absolute URL (got "${publicUrl}")` };
  }
  // "The destination URL must be served on port 443; custom ports are not currently supported."
  if (url.protocol !== 'https:') return { ok: false, problem: 'GATEWAY_PUBLIC_URL must be https: BigCommerce delivers webhooks over https only' };
  if (url.port !== '' && url.port !== '443') return { ok: false, problem: 'GATEWAY_PUBLIC_URL must use port 443: BigCommerce does not deliver webhooks to custom ports' };
  if (url.search || url.hash || url.username || url.password) return { ok: false, problem: 'GATEWAY_PUBLIC_URL must be a plain base URL (no query, fragment or credentials)' };
  return { ok: true, destination: `${url.origin}${url.pathname.replace(/\/+$/, '')}${WEBHOOK_PATH}` };
}

async function main(): Promise<number> {
  const config = parseConfig(process.env);
  if (!config.store) {
    process.stderr.write('BC_STOREFRONT_URL is unset (sandbox mode): `npm start` registers its webhook with the embedded sandbox store itself.\n');
    return 1;
  }
  const target = webhookDestination(process.env.GATEWAY_PUBLIC_URL);
  if (!target.ok) {
    process.stderr.write(`${target.problem}\n`);
    return 1;
  }
  const secret = process.env.BC_WEBHOOK_SECRET?.trim() || undefined;
  const { store } = config;
  const admin = createAdminRestClient({ apiUrl: store.apiUrl, storeHash: store.storeHash, accessToken: store.accessToken, timeoutMs: config.upstreamTimeoutMs });
  try {
    const results = await registerWebhooks(admin.rest, {
      destination: target.destination,
      scopes: gatewayWebhookScopes(await channelsToWatch(admin.rest, store.channelId)),
      headers: secret ? { [WEBHOOK_SECRET_HEADER]: secret } : undefined,
    });
    process.stdout.write(`Webhooks of store ${store.storeHash} → ${target.destination}${secret ? ` (with ${WEBHOOK_SECRET_HEADER})` : ''}:\n`);
    for (const line of describeRegistrations(results)) process.stdout.write(`  ${line}\n`);
    const failed = results.filter((r) => r.action === 'failed').length;
    process.stdout.write(`${results.length - failed} registered, ${failed} failed. New hooks can take up to a minute to start firing.\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    await admin.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError) process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
      else process.stderr.write(`Webhook registration failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
