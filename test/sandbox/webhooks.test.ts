// The Webhooks API (/v3/hooks) and webhook callbacks over real HTTP: payload shape and hash
// (developer.bigcommerce.com/docs/integrations/webhooks/events, "Callback structure"), custom headers and Standard
// Webhooks signatures (/docs/integrations/webhooks, "Security"), verified with the `standardwebhooks` package as
// BigCommerce's receiver sample does, and retries on the documented schedule (scaled down).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_RETRY_SCHEDULE_SECONDS, type Sandbox, type WebhookPayload } from '../../sandbox';
import { eventually, rest, restUrl, start, startDestination, type Destination } from './helpers';

const SCALE = 0.001;
let s: Sandbox;
let dest: Destination;
beforeAll(async () => {
  s = await start({ rateLimitQuota: 10_000, webhookRetryScale: SCALE });
  // /fail-twice answers 500 twice, then 200; /always-fail always 500; everything else 200.
  dest = await startDestination((path, nth) => (path === '/fail-twice' ? (nth <= 2 ? 500 : 200) : path.startsWith('/always-fail') ? 500 : 200));
});
afterAll(async () => {
  await s.close();
  await dest.close();
});

interface Hook {
  id: number;
  client_id: string;
  store_hash: string;
  scope: string;
  destination: string;
  headers: Record<string, string> | null;
  is_active: boolean;
  events_history_enabled: boolean;
  created_at: number;
  updated_at: number;
}

async function createHook(body: Record<string, unknown>): Promise<Hook> {
  const res = await rest(s, 'POST', '/v3/hooks', body);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Hook }).data;
}

const receivedAt = (path: string) => dest.received.filter((r) => r.path === path);
const deliveriesOf = (hookId: number) => s.webhookDeliveries.filter((d) => d.hookId === hookId);

describe('/v3/hooks', () => {
  it('creates, lists, reads, updates and deletes hooks with BigCommerce shapes', async () => {
    const created = await createHook({ scope: 'store/order/created', destination: `${dest.url}/crud`, is_active: true, headers: { 'X-Secret': 's3cret' }, events_history_enabled: true });
    expect(created).toEqual({
      id: expect.any(Number),
      client_id: s.identity.clientId,
      store_hash: s.identity.storeHash,
      scope: 'store/order/created',
      destination: `${dest.url}/crud`,
      headers: { 'X-Secret': 's3cret' },
      is_active: true,
      events_history_enabled: true,
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });

    const list = await rest(s, 'GET', '/v3/hooks?scope=store/order/created');
    const listed = (await list.json()) as { data: Hook[]; meta: { pagination: { total: number; count: number; current_page: number } } };
    expect(listed.data).toEqual([created]);
    expect(listed.meta.pagination).toMatchObject({ total: 1, count: 1, current_page: 1 });

    const one = await rest(s, 'GET', `/v3/hooks/${created.id}`);
    expect(await one.json()).toEqual({ data: created, meta: {} });

    const updated = await rest(s, 'PUT', `/v3/hooks/${created.id}`, { is_active: false, headers: null });
    expect(((await updated.json()) as { data: Hook }).data).toMatchObject({ id: created.id, is_active: false, headers: null, scope: 'store/order/created' });
    expect(((await (await rest(s, 'GET', '/v3/hooks?is_active=false')).json()) as { data: Hook[] }).data.map((h) => h.id)).toContain(created.id);

    const deleted = await rest(s, 'DELETE', `/v3/hooks/${created.id}`);
    expect(deleted.status).toBe(200);
    expect(((await deleted.json()) as { data: Hook }).data.id).toBe(created.id);
    const gone = await rest(s, 'GET', `/v3/hooks/${created.id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ status: 404, title: `Webhook with id [${created.id}] not found` });
  });

  it('validates hooks: required fields, scope, destination, headers, duplicates', async () => {
    const bad = async (body: unknown): Promise<Record<string, string>> => {
      const res = await rest(s, 'POST', '/v3/hooks', body);
      expect(res.status).toBe(422);
      return ((await res.json()) as { errors: Record<string, string> }).errors;
    };
    expect(await bad({ scope: 'store/product/updated' })).toEqual({ destination: 'error.path.missing' });
    expect(Object.keys(await bad({ scope: 'product updated', destination: `${dest.url}/x` }))).toEqual(['scope']);
    expect(Object.keys(await bad({ scope: 'store/product/updated', destination: 'ftp://example.com/' }))).toEqual(['destination']);
    expect(Object.keys(await bad({ scope: 'store/product/updated', destination: `${dest.url}/x`, headers: { 'webhook-signature': 'forged' } }))).toEqual(['headers.webhook-signature']);
    expect(Object.keys(await bad({ scope: 'store/product/updated', destination: `${dest.url}/x`, headers: { 'X-A': 'line\nbreak' } }))).toEqual(['headers.X-A']);
    const hook = await createHook({ scope: 'store/category/created', destination: `${dest.url}/dup` });
    expect(Object.keys(await bad({ scope: 'store/category/created', destination: `${dest.url}/dup` }))).toEqual(['destination']);
    expect((await rest(s, 'PUT', `/v3/hooks/${hook.id}`, {})).status).toBe(422);
    expect((await rest(s, 'PUT', '/v3/hooks/999999', { is_active: true })).status).toBe(404);
    expect((await fetch(restUrl(s, '/v3/hooks'))).status).toBe(401);
    await rest(s, 'DELETE', `/v3/hooks/${hook.id}`);
  });
});

describe('callbacks', () => {
  it('delivers a correctly shaped, signed callback with the custom headers', async () => {
    const hook = await createHook({ scope: 'store/product/updated', destination: `${dest.url}/products`, headers: { 'X-Webhook-Secret': 'shared-secret' } });
    const put = await rest(s, 'PUT', '/v3/catalog/products/104', { price: 150 });
    expect(put.status).toBe(200);
    const [received] = await eventually(() => receivedAt('/products').length === 1 && receivedAt('/products'), 10_000, 'the callback');

    // Verified as BigCommerce's sample receiver does: new Webhook(base64(client secret)).verify(raw body, headers).
    const verifier = new Webhook(Buffer.from(s.identity.clientSecret).toString('base64'));
    const payload = verifier.verify(received.body, received.headers) as WebhookPayload;
    expect(received.headers['x-webhook-secret']).toBe('shared-secret');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers['webhook-id']).toEqual(expect.any(String));
    expect(received.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Object.keys(payload)).toEqual(['scope', 'store_id', 'data', 'hash', 'created_at', 'producer']);
    expect(payload).toEqual({
      scope: 'store/product/updated',
      store_id: s.storeId,
      data: { type: 'product', id: 104 },
      hash: expect.stringMatching(/^[0-9a-f]{40}$/),
      created_at: expect.any(Number),
      producer: `stores/${s.identity.storeHash}`,
    });
    const { hash, ...rest_ } = payload;
    expect(hash).toBe(createHash('sha1').update(JSON.stringify(rest_)).digest('hex'));
    expect(Math.abs(payload.created_at - Date.now() / 1000)).toBeLessThan(60);

    // Signed with another secret, the same callback does not verify.
    expect(() => new Webhook(Buffer.from('another-secret').toString('base64')).verify(received.body, received.headers)).toThrow();

    await eventually(() => deliveriesOf(hook.id).length === 1, 10_000, 'the delivery record');
    expect(deliveriesOf(hook.id)[0]).toMatchObject({ attempt: 1, status: 200, delivered: true, error: null, nextRetryInMs: null, scope: 'store/product/updated', body: received.body, messageId: received.headers['webhook-id'] });
    await rest(s, 'DELETE', `/v3/hooks/${hook.id}`);
  });

  it('answers the admin call without waiting for the destination (delivery is asynchronous)', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const hook = await createHook({ scope: 'store/product/updated', destination: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hang` });
      const answered = await rest(s, 'PUT', '/v3/catalog/products/114', { price: 3 });
      expect(answered.status).toBe(200);
      expect(deliveriesOf(hook.id)).toEqual([]);
      await rest(s, 'DELETE', `/v3/hooks/${hook.id}`);
    } finally {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });

  it('sends no callback for a PUT that changes nothing', async () => {
    await rest(s, 'PUT', '/v3/catalog/products/104', { price: 151 });
    const hook = await createHook({ scope: 'store/product/updated', destination: `${dest.url}/no-change` });
    await rest(s, 'PUT', '/v3/catalog/products/104', { price: 151 });
    await rest(s, 'PUT', '/v3/catalog/products/105', { name: 'Essential Saucepan 2' });
    await eventually(() => deliveriesOf(hook.id).length === 1, 10_000, 'the second product');
    expect(receivedAt('/no-change').map((r) => (JSON.parse(r.body) as WebhookPayload).data)).toEqual([{ type: 'product', id: 105 }]);
    await rest(s, 'DELETE', `/v3/hooks/${hook.id}`);
  });

  it('fires the price-list record, records and assignment events with their data shapes', async () => {
    const hook = await createHook({ scope: 'store/priceList/*', destination: `${dest.url}/price-lists` });
    await rest(s, 'PUT', '/v3/pricelists/3/records/1040/USD', { price: 5 });
    await rest(s, 'PUT', '/v3/pricelists/3/records/1040/USD', { price: 6 });
    await rest(s, 'PUT', '/v3/pricelists/3/records', [
      { variant_id: 1000, currency: 'USD', price: 1 },
      { variant_id: 1041, currency: 'EUR', price: 2 },
    ]);
    await fetch(restUrl(s, '/v3/pricelists/3/records/1040/USD'), { method: 'DELETE', headers: { 'X-Auth-Token': s.identity.accessToken } });
    await fetch(restUrl(s, '/v3/pricelists/3/records?variant_id:in=1000,1041'), { method: 'DELETE', headers: { 'X-Auth-Token': s.identity.accessToken } });
    await rest(s, 'PUT', '/v3/pricelists/3/assignments', { customer_group_id: 3, channel_id: 1 });
    await fetch(restUrl(s, '/v3/pricelists/assignments?price_list_id=3'), { method: 'DELETE', headers: { 'X-Auth-Token': s.identity.accessToken } });

    const events = await eventually(() => {
      const got = receivedAt('/price-lists');
      return got.length === 8 && got.map((r) => JSON.parse(r.body) as WebhookPayload);
    }, 10_000, 'eight price-list callbacks');
    const byScope = new Map(events.map((e) => [e.scope, e.data]));
    expect(byScope).toEqual(
      new Map<string, unknown>([
        ['store/priceList/record/created', { price_list_id: 3, variant_id: 1040, currency_code: 'USD' }],
        ['store/priceList/record/updated', { price_list_id: 3, variant_id: 1040, currency_code: 'USD' }],
        ['store/priceList/records/created', [{ price_list_id: 3, variant_id: 1041, currency_code: 'EUR' }]],
        ['store/priceList/records/updated', [{ price_list_id: 3, variant_id: 1000, currency_code: 'USD' }]],
        ['store/priceList/record/deleted', { price_list_id: 3, variant_id: 1040, currency_code: 'USD' }],
        [
          'store/priceList/records/deleted',
          [
            { price_list_id: 3, variant_id: 1000, currency_code: 'USD' },
            { price_list_id: 3, variant_id: 1041, currency_code: 'EUR' },
          ],
        ],
        ['store/priceList/assignment/updated', { price_list_id: 3, channel_id: 1, customer_group_id: 3 }],
        ['store/priceList/assignment/deleted', { price_list_id: 3, channel_id: 1, customer_group_id: 3 }],
      ]),
    );
    await rest(s, 'DELETE', `/v3/hooks/${hook.id}`);
  });

  it('retries a destination that answers 500 on the scaled schedule, with the same id and body', async () => {
    const hook = await createHook({ scope: 'store/product/updated', destination: `${dest.url}/fail-twice` });
    await rest(s, 'PUT', '/v3/catalog/products/106', { price: 61 });
    const attempts = await eventually(() => deliveriesOf(hook.id).length === 3 && deliveriesOf(hook.id), 10_000, 'three attempts');
    expect(attempts.map((a) => [a.attempt, a.status, a.delivered, a.nextRetryInMs])).toEqual([
      [1, 500, false, WEBHOOK_RETRY_SCHEDULE_SECONDS[0] * 1000 * SCALE],
      [2, 500, false, WEBHOOK_RETRY_SCHEDULE_SECONDS[1] * 1000 * SCALE],
      [3, 200, true, null],
    ]);
    const received = receivedAt('/fail-twice');
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    // Every attempt is signed afresh and verifies.
    const verifier = new Webhook(Buffer.from(s.identity.clientSecret).toString('base64'));
    for (const r of received) expect(() => verifier.verify(r.body, r.headers)).not.toThrow();
    await rest(s, 'DELETE', `/v3/hooks/${hook.id}`);
  });

  it('after the last retry fails, deactivates the hook (11 retries, 12 attempts)', async () => {
    const fast = await start({ rateLimitQuota: 10_000, webhookRetryScale: 0.000_01 });
    try {
      const res = await rest(fast, 'POST', '/v3/hooks', { scope: 'store/product/updated', destination: `${dest.url}/always-fail-fast` });
      const hook = ((await res.json()) as { data: Hook }).data;
      await rest(fast, 'PUT', '/v3/catalog/products/100', { price: 11 });
      const attempts = await eventually(() => {
        const mine = fast.webhookDeliveries.filter((d) => d.hookId === hook.id);
        return mine.length === WEBHOOK_RETRY_SCHEDULE_SECONDS.length + 1 && mine;
      }, 20_000, 'twelve attempts');
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(attempts.slice(0, -1).map((a) => a.nextRetryInMs)).toEqual(WEBHOOK_RETRY_SCHEDULE_SECONDS.map((sec) => sec * 1000 * 0.000_01));
      expect(attempts[11]).toMatchObject({ status: 500, delivered: false, nextRetryInMs: null, hookDeactivated: true });
      const after = await rest(fast, 'GET', `/v3/hooks/${hook.id}`);
      expect(((await after.json()) as { data: Hook }).data.is_active).toBe(false);
    } finally {
      await fast.close();
    }
  });

  it('records a destination that does not answer (status null, error) and retries it', async () => {
    const closed = await startDestination();
    const url = `${closed.url}/gone`;
    await closed.close();
    const hook = await createHook({ scope: 'store/product/updated', destination: url });
    await rest(s, 'PUT', '/v3/catalog/products/112', { price: 9 });
    const [first] = await eventually(() => deliveriesOf(hook.id).length >= 1 && deliveriesOf(hook.id), 10_000, 'a failed attempt');
    expect(first).toMatchObject({ attempt: 1, status: null, delivered: false, error: expect.any(String), nextRetryInMs: 60 });
    await rest(s, 'DELETE', `/v3/hooks/${hook.id}`);
  });

  it('sends nothing to inactive, deleted or non-matching hooks', async () => {
    const inactive = await createHook({ scope: 'store/product/updated', destination: `${dest.url}/inactive`, is_active: false });
    const deleted = await createHook({ scope: 'store/product/updated', destination: `${dest.url}/deleted` });
    const otherScope = await createHook({ scope: 'store/priceList/record/updated', destination: `${dest.url}/other-scope` });
    const control = await createHook({ scope: 'store/product/*', destination: `${dest.url}/control` });
    await rest(s, 'DELETE', `/v3/hooks/${deleted.id}`);
    await rest(s, 'PUT', '/v3/catalog/products/113', { price: 77 });
    await eventually(() => receivedAt('/control').length === 1, 10_000, 'the control callback');
    // The control hook was served from the same event; give stragglers a moment anyway.
    await new Promise((r) => setTimeout(r, 100));
    expect(receivedAt('/inactive')).toEqual([]);
    expect(receivedAt('/deleted')).toEqual([]);
    expect(receivedAt('/other-scope')).toEqual([]);
    for (const h of [inactive, deleted, otherScope]) expect(deliveriesOf(h.id)).toEqual([]);
    await rest(s, 'DELETE', `/v3/hooks/${control.id}`);
  });

  it('drops pending retries of a hook deleted meanwhile', async () => {
    const slow = await start({ rateLimitQuota: 10_000, webhookRetryScale: 0.01 });
    try {
      const res = await rest(slow, 'POST', '/v3/hooks', { scope: 'store/product/updated', destination: `${dest.url}/always-fail-deleted` });
      const hook = ((await res.json()) as { data: Hook }).data;
      await rest(slow, 'PUT', '/v3/catalog/products/100', { price: 12 });
      await eventually(() => slow.webhookDeliveries.length === 1, 10_000, 'the first attempt');
      await rest(slow, 'DELETE', `/v3/hooks/${hook.id}`);
      // The first retry was due 600 ms after the first attempt.
      await new Promise((r) => setTimeout(r, 1500));
      expect(slow.webhookDeliveries).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});
