// Over real HTTP: the sandbox store (BigCommerce's /v3/hooks API and signed, retried callbacks) delivering to a small
// yoga server that hosts only the webhook plugin, with a recording CacheInvalidator and in-memory stores. Registration
// goes through registerWebhooks against the sandbox's REST, as an operator's would against a real store.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox } from '../../sandbox';
import { createMemorySingleUseStore } from '../../src/state/memory';
import { StoreUnavailableError, type SingleUseStore } from '../../src/state/types';
import { createAdminRestClient } from '../../src/remote/admin-rest';
import { WEBHOOK_PATH } from '../../src/webhooks/endpoint';
import { createPriceListGroupResolver } from '../../src/webhooks/price-list-groups';
import { gatewayWebhookScopes, registerWebhooks } from '../../src/webhooks/register';
import { registerSandboxWebhooks } from '../../src/webhooks/sandbox-registration';
import { WEBHOOK_SECRET_HEADER } from '../../src/webhooks/verify';
import { eventually, recordingInvalidator, recordingLogger, webhookApp, type RecordingInvalidator } from './helpers';

/** From sandbox/seed.json: price list 1 ("Wholesale (channel 1)") is assigned to customer group 2 (Wholesale) on channel 1. */
const WHOLESALE_PRICE_LIST = 1;
const WHOLESALE_GROUP = 2;
const WHOLESALE_VARIANT = 1000;
const CUSTOM_SECRET = 'custom-header-secret-for-the-sandbox-test-0123';
/**
 * The store-wide scopes of the gateway. The channel scopes (`store/channel/1/...`) are left out here: the sandbox's
 * /v3/hooks refuses scopes with a numeric segment, although BigCommerce documents them
 * (developer.bigcommerce.com/docs/integrations/webhooks/events/channels).
 */
const STORE_SCOPES = gatewayWebhookScopes(1).filter((scope) => !scope.startsWith('store/channel/'));

let sandbox: Sandbox;
let admin: ReturnType<typeof createAdminRestClient>;
let server: Server;
let destination: string;
let invalidator: RecordingInvalidator;
let app: ReturnType<typeof webhookApp>;
/** When set, the next claim fails as if Redis were down. */
let failNextClaim = false;
const claimedKeys: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, rateLimitQuota: 10_000, webhookRetryScale: 0.001 });
  const { identity } = sandbox;
  admin = createAdminRestClient({ apiUrl: sandbox.url, storeHash: identity.storeHash, accessToken: identity.accessToken, timeoutMs: 5000 });
  invalidator = recordingInvalidator();
  const memory = createMemorySingleUseStore(Date.now);
  const singleUse: SingleUseStore = {
    claim(id, forgetAt) {
      if (failNextClaim) {
        failNextClaim = false;
        return Promise.reject(new StoreUnavailableError('single-use'));
      }
      claimedKeys.push(id);
      return memory.claim(id, forgetAt);
    },
  };
  app = webhookApp({
    clientSecret: identity.clientSecret,
    customSecret: { header: WEBHOOK_SECRET_HEADER, value: CUSTOM_SECRET },
    singleUse,
    invalidator,
    resolveGroupsOfPriceList: createPriceListGroupResolver(admin.rest),
    logger: recordingLogger(),
    now: Date.now,
    maxBodyBytes: 1024 * 1024,
    storeHash: identity.storeHash,
  });
  server = createServer(app.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  destination = `http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
});

afterAll(async () => {
  await sandbox.close();
  await admin.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function adminRest(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${sandbox.url}/stores/${sandbox.identity.storeHash}${path}`, {
    method,
    headers: { 'X-Auth-Token': sandbox.identity.accessToken, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  return res;
}

/** Runs `change`, then waits (at most 2 s) for exactly one new invalidation and returns it. */
async function nextInvalidation(change: () => Promise<unknown>): Promise<unknown> {
  const before = invalidator.calls.length;
  const started = Date.now();
  await change();
  await eventually(() => invalidator.calls.length > before, 2000, 'the invalidation (2 s after the change)');
  expect(Date.now() - started).toBeLessThan(2000);
  return invalidator.calls.slice(before);
}

describe('registration through /v3/hooks', () => {
  it('creates every hook once, with the custom secret header, and is idempotent', async () => {
    const headers = { [WEBHOOK_SECRET_HEADER]: CUSTOM_SECRET };
    const first = await registerWebhooks(admin.rest, { destination, scopes: STORE_SCOPES, headers });
    expect(first.map((r) => [r.scope, r.action])).toEqual(STORE_SCOPES.map((scope) => [scope, 'created']));
    const second = await registerWebhooks(admin.rest, { destination, scopes: STORE_SCOPES, headers });
    expect(second.every((r) => r.action === 'unchanged')).toBe(true);

    const listed = (await (await adminRest('GET', `/v3/hooks?destination=${encodeURIComponent(destination)}&limit=250`)).json()) as {
      data: Array<{ id: number; scope: string; is_active: boolean; headers: Record<string, string> | null }>;
    };
    expect(listed.data.map((h) => h.scope).sort()).toEqual([...STORE_SCOPES].sort());
    expect(listed.data.every((h) => h.is_active && h.headers?.[WEBHOOK_SECRET_HEADER] === CUSTOM_SECRET)).toBe(true);

    // BigCommerce deactivates a hook whose deliveries failed for 48 hours: the next registration reactivates it.
    const product = listed.data.find((h) => h.scope === 'store/product/*');
    await adminRest('PUT', `/v3/hooks/${product?.id}`, { is_active: false });
    const third = await registerWebhooks(admin.rest, { destination, scopes: STORE_SCOPES, headers });
    expect(third.filter((r) => r.action !== 'unchanged')).toEqual([{ scope: 'store/product/*', action: 'reactivated', hookId: product?.id }]);
  });
});

describe('callbacks → invalidations', () => {
  it('a product price change through the admin REST (store-wide: every channel) invalidates the catalog within 2 s', async () => {
    expect(await nextInvalidation(() => adminRest('PUT', '/v3/catalog/products/104', { price: 123.45 }))).toEqual([[{ kind: 'all' }]]);
  });

  it('a wholesale price-list record upsert invalidates the wholesale group only', async () => {
    const calls = await nextInvalidation(() => adminRest('PUT', `/v3/pricelists/${WHOLESALE_PRICE_LIST}/records/${WHOLESALE_VARIANT}/USD`, { price: 6.66 }));
    expect(calls).toEqual([[{ kind: 'group', customerGroupId: WHOLESALE_GROUP }]]);
  });

  it('a price-list assignment invalidates that group', async () => {
    // Seeded unassigned: price list 3 (VIP) assigned to group 3 on channel 1.
    expect(await nextInvalidation(() => adminRest('PUT', '/v3/pricelists/3/assignments', { customer_group_id: 3, channel_id: 1 }))).toEqual([[{ kind: 'group', customerGroupId: 3 }]]);
  });

  it('a redelivery of the same event (same webhook-id, same hash) invalidates once', async () => {
    await nextInvalidation(() => adminRest('PUT', '/v3/catalog/products/105', { price: 55.5 }));
    const of105 = () => sandbox.webhookDeliveries.filter((d) => d.scope === 'store/product/updated' && (d.payload.data as { id?: number }).id === 105);
    // The sandbox records an attempt once it has read the answer, which may be after the invalidation.
    await eventually(() => of105().length === 1, 2000, 'the record of the delivery');
    const delivery = of105()[0];
    expect(delivery.delivered).toBe(true);
    const before = invalidator.calls.length;
    const again = await fetch(destination, { method: 'POST', headers: delivery.headers, body: delivery.body });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    await app.plugin.idle();
    expect(invalidator.calls.length).toBe(before);
  });

  it('shared state down: 503, BigCommerce (the sandbox) redelivers on its schedule, and the event is applied once', async () => {
    failNextClaim = true;
    const before = invalidator.calls.length;
    const calls = await nextInvalidation(() => adminRest('PUT', '/v3/catalog/products/106', { price: 66.6 }));
    expect(calls).toEqual([[{ kind: 'all' }]]);
    const attemptsOf106 = () => sandbox.webhookDeliveries.filter((d) => (d.payload.data as { id?: number }).id === 106);
    // The sandbox records an attempt once it has read the answer, which may be after the invalidation.
    await eventually(() => attemptsOf106().length === 2, 2000, 'the record of the second attempt');
    const attempts = attemptsOf106();
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 503],
      [2, 200],
    ]);
    expect(new Set(attempts.map((a) => a.messageId)).size).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    await app.plugin.idle();
    expect(invalidator.calls.length).toBe(before + 1);
    expect(claimedKeys.filter((k) => k === `webhook:id:${attempts[0].messageId}`)).toEqual([`webhook:id:${attempts[0].messageId}`]);
  });

  it('an unsigned POST, or one signed with another secret, is refused with 401 and invalidates nothing', async () => {
    const delivery = sandbox.webhookDeliveries.find((d) => d.delivered && d.scope === 'store/product/updated');
    if (!delivery) throw new Error('an earlier test delivers a product event');
    const body = delivery.body;
    const before = invalidator.attempts;
    const unsigned = await fetch(destination, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    const forged = await fetch(destination, {
      method: 'POST',
      headers: { ...delivery.headers, 'webhook-signature': 'v1,' + Buffer.from('forged').toString('base64'), [WEBHOOK_SECRET_HEADER.toLowerCase()]: 'wrong' },
      body,
    });
    expect(forged.status).toBe(401);
    await app.plugin.idle();
    expect(invalidator.attempts).toBe(before);
  });
});

describe('registerSandboxWebhooks (npm start in sandbox mode)', () => {
  it("registers the gateway's hooks with the sandbox as an operator would, and never throws", async () => {
    const { identity } = sandbox;
    const logger = recordingLogger();
    const store = {
      storeHash: identity.storeHash,
      channelId: identity.channelId,
      storefrontUrl: `${sandbox.url}/graphql`,
      storeUrl: sandbox.url,
      apiUrl: sandbox.url,
      accessToken: identity.accessToken,
      clientId: identity.clientId,
      clientSecret: identity.clientSecret,
      storefrontToken: 'unused',
      authMode: 'impersonation' as const,
    };
    const results = await registerSandboxWebhooks({ store, host: '0.0.0.0', port: 4999, logger, timeoutMs: 5000 });
    const byScope = new Map(results.map((r) => [r.scope, r.action]));
    for (const scope of STORE_SCOPES) expect(byScope.get(scope)).toBe('created');
    // Only the channel scopes may be refused (see STORE_SCOPES above).
    expect(results.filter((r) => r.action === 'failed').every((r) => r.scope.startsWith('store/channel/'))).toBe(true);
    const hooks = (await (await adminRest('GET', `/v3/hooks?destination=${encodeURIComponent('http://127.0.0.1:4999/webhooks/bigcommerce')}&limit=250`)).json()) as { data: unknown[] };
    expect(hooks.data.length).toBe(results.filter((r) => r.action !== 'failed').length);

    // An unreachable store: logged, not thrown.
    const down = await registerSandboxWebhooks({ store: { ...store, apiUrl: 'http://127.0.0.1:9' }, host: '127.0.0.1', port: 4999, logger, timeoutMs: 500 });
    expect(down).toEqual([]);
    expect(logger.lines.some((l) => l.includes('could not register webhooks'))).toBe(true);
    for (const line of logger.lines) expect(line).not.toContain(identity.accessToken);
  });
});
