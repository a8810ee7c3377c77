// POST /webhooks/bigcommerce in process (yoga.fetch): who is let in (Standard Webhooks signatures keyed with the
// client secret, or the custom header secret; developer.bigcommerce.com/docs/integrations/webhooks, "Security"), what
// is refused and how, deduplication, and the asynchronous invalidation with its failure handling.
import { createHash } from 'node:crypto';
import type { CacheScope } from '../../src/cache/invalidation';
import { createMemorySingleUseStore } from '../../src/state/memory';
import { StoreUnavailableError, type SingleUseStore } from '../../src/state/types';
import { WEBHOOK_DEDUPE_SECONDS, type WebhookEndpointDeps } from '../../src/webhooks/endpoint';
import { WEBHOOK_SECRET_HEADER } from '../../src/webhooks/verify';
import { eventually, recordingInvalidator, recordingLogger, signedHeaders, webhookApp, type RecordingInvalidator, type RecordingLogger } from './helpers';

const CLIENT_SECRET = 'client-secret-of-the-test-app-0123456789';
const CUSTOM_SECRET = 'custom-header-secret-abcdefghijklmnopqrstuvwxyz';
const URL_ = 'http://gateway.test/webhooks/bigcommerce';
/** Appears in every test body: no log line may contain it. */
const SENTINEL = 'body-sentinel-7f3a';

function payload(scope: string, data: unknown, createdAt = Math.floor(Date.now() / 1000)): string {
  const unsigned = { scope, store_id: '1000001', data, created_at: createdAt, producer: 'stores/abc123' };
  const hash = createHash('sha1').update(JSON.stringify(unsigned)).digest('hex');
  return JSON.stringify({ ...unsigned, hash });
}
const productUpdated = (id = 104) => payload('store/product/updated', { type: 'product', id, note: SENTINEL });

interface Setup {
  invalidator: RecordingInvalidator;
  logger: RecordingLogger;
  claims: string[];
  app: ReturnType<typeof webhookApp>;
  post(body: string, headers: Record<string, string>): Promise<Response>;
}

function setup(overrides: Partial<WebhookEndpointDeps> & { singleUse?: SingleUseStore } = {}): Setup {
  const invalidator = (overrides.invalidator as RecordingInvalidator | undefined) ?? recordingInvalidator();
  const logger = recordingLogger();
  const claims: string[] = [];
  const memory = createMemorySingleUseStore(Date.now);
  const inner = overrides.singleUse ?? memory;
  const singleUse: SingleUseStore = {
    claim: (id, forgetAt) => {
      claims.push(id);
      return inner.claim(id, forgetAt);
    },
  };
  const app = webhookApp({
    clientSecret: CLIENT_SECRET,
    customSecret: { header: WEBHOOK_SECRET_HEADER, value: CUSTOM_SECRET },
    resolveGroupsOfPriceList: async (id) => (id === 1 ? [2] : undefined),
    now: Date.now,
    maxBodyBytes: 4096,
    storeHash: 'abc123',
    retryDelayMs: 20,
    ...overrides,
    singleUse,
    invalidator,
    logger,
  });
  return { invalidator, logger, claims, app, post: (body, headers) => Promise.resolve(app.yoga.fetch(URL_, { method: 'POST', headers, body })) };
}

function expectNoSecretsOrBodyInLogs(logger: RecordingLogger, ...bodies: string[]): void {
  for (const line of logger.lines) {
    expect(line).not.toContain(CLIENT_SECRET);
    expect(line).not.toContain(CUSTOM_SECRET);
    expect(line).not.toContain(SENTINEL);
    for (const body of bodies) expect(line).not.toContain(body);
  }
}

describe('accepted deliveries', () => {
  it('a valid signature: 200 at once, then the catalog of the channel is invalidated', async () => {
    const s = setup();
    const body = productUpdated();
    const res = await s.post(body, signedHeaders(CLIENT_SECRET, body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
    // Answered before the invalidation ran: it is applied after the answer.
    expect(s.invalidator.calls).toEqual([]);
    await eventually(() => s.invalidator.calls.length === 1, 1000, 'the invalidation');
    expect(s.invalidator.calls).toEqual([[{ kind: 'all' }]]);
    expect(s.app.outcomes).toEqual({ deliveries: ['accepted'], invalidations: ['invalidated'] });
    expectNoSecretsOrBodyInLogs(s.logger, body);
  });

  it('the custom header secret alone (no signature) is accepted', async () => {
    const s = setup();
    const body = productUpdated();
    const res = await s.post(body, { 'content-type': 'application/json', [WEBHOOK_SECRET_HEADER.toLowerCase()]: CUSTOM_SECRET });
    expect(res.status).toBe(200);
    await s.app.plugin.idle();
    expect(s.invalidator.calls).toEqual([[{ kind: 'all' }]]);
    // Without a webhook-id, the payload hash is the dedupe key.
    expect(s.claims).toEqual([`webhook:hash:${(JSON.parse(body) as { hash: string }).hash}`]);
  });

  it('a price-list record event invalidates the groups the list is assigned to', async () => {
    const s = setup();
    const body = payload('store/priceList/record/updated', { price_list_id: 1, variant_id: 1000, currency_code: 'USD' });
    expect((await s.post(body, signedHeaders(CLIENT_SECRET, body))).status).toBe(200);
    await s.app.plugin.idle();
    expect(s.invalidator.calls).toEqual([[{ kind: 'group', customerGroupId: 2 }]]);
  });

  it('a price-list lookup slower than its deadline widens to everything instead of waiting', async () => {
    let lookupAnswered = false;
    const s = setup({
      resolveGroupsOfPriceList: () =>
        new Promise((resolve) =>
          setTimeout(() => {
            lookupAnswered = true;
            resolve([2]);
          }, 2000).unref(),
        ),
      lookupTimeoutMs: 50,
    });
    const body = payload('store/priceList/record/updated', { price_list_id: 1, variant_id: 1000, currency_code: 'USD' });
    await s.post(body, signedHeaders(CLIENT_SECRET, body));
    await eventually(() => s.invalidator.calls.length === 1, 1900, 'the invalidation');
    // Applied before the slow lookup answered: it did not wait for it (checked by order, not by a stopwatch).
    expect(lookupAnswered).toBe(false);
    expect(s.invalidator.calls).toEqual([[{ kind: 'all' }]]);
  });
});

describe('refused deliveries: 401, nothing claimed, nothing invalidated, nothing secret logged', () => {
  const cases: Array<[string, () => { body: string; headers: Record<string, string> }]> = [
    ['no credentials at all', () => ({ body: productUpdated(), headers: { 'content-type': 'application/json' } })],
    ['signed with another secret', () => {
      const body = productUpdated();
      return { body, headers: signedHeaders('another-secret-entirely', body) };
    }],
    ['a tampered body', () => {
      const body = productUpdated();
      return { body: body.replace('"id":104', '"id":105'), headers: signedHeaders(CLIENT_SECRET, body) };
    }],
    ['a stale timestamp (6 minutes old, correctly signed)', () => {
      const body = productUpdated();
      return { body, headers: signedHeaders(CLIENT_SECRET, body, { timestampSeconds: Math.floor(Date.now() / 1000) - 360 }) };
    }],
    ['a timestamp 6 minutes in the future', () => {
      const body = productUpdated();
      return { body, headers: signedHeaders(CLIENT_SECRET, body, { timestampSeconds: Math.floor(Date.now() / 1000) + 360 }) };
    }],
    ['a replayed webhook-id and signature with a new timestamp', () => {
      const body = productUpdated();
      const old = signedHeaders(CLIENT_SECRET, body, { timestampSeconds: Math.floor(Date.now() / 1000) - 400 });
      return { body, headers: { ...old, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) } };
    }],
    ['webhook-signature missing', () => {
      const body = productUpdated();
      const { 'webhook-signature': _, ...headers } = signedHeaders(CLIENT_SECRET, body);
      return { body, headers };
    }],
    ['webhook-id missing', () => {
      const body = productUpdated();
      const { 'webhook-id': _, ...headers } = signedHeaders(CLIENT_SECRET, body);
      return { body, headers };
    }],
    ['webhook-timestamp missing', () => {
      const body = productUpdated();
      const { 'webhook-timestamp': _, ...headers } = signedHeaders(CLIENT_SECRET, body);
      return { body, headers };
    }],
    ['a signature of another scheme version', () => {
      const body = productUpdated();
      const headers = signedHeaders(CLIENT_SECRET, body);
      return { body, headers: { ...headers, 'webhook-signature': headers['webhook-signature'].replace(/^v1,/, 'v2,') } };
    }],
    ['a wrong custom header secret', () => ({ body: productUpdated(), headers: { 'content-type': 'application/json', [WEBHOOK_SECRET_HEADER]: 'wrong' } })],
    ['the custom secret with a different case', () => ({ body: productUpdated(), headers: { 'content-type': 'application/json', [WEBHOOK_SECRET_HEADER]: CUSTOM_SECRET.toUpperCase() } })],
    ['an empty custom header', () => ({ body: productUpdated(), headers: { 'content-type': 'application/json', [WEBHOOK_SECRET_HEADER]: '' } })],
    ['a bad signature and a wrong custom header', () => {
      const body = productUpdated();
      return { body, headers: { ...signedHeaders('another-secret-entirely', body), [WEBHOOK_SECRET_HEADER]: 'wrong' } };
    }],
  ];

  it.each(cases)('%s', async (_name, make) => {
    const s = setup();
    const { body, headers } = make();
    const res = await s.post(body, headers);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'Webhook signature or secret is missing or invalid' });
    await s.app.plugin.idle();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.claims).toEqual([]);
    expect(s.invalidator.attempts).toBe(0);
    expect(s.app.outcomes.deliveries).toEqual(['unauthorized']);
    expectNoSecretsOrBodyInLogs(s.logger, body);
  });

  it('without a custom secret configured, the custom header opens nothing', async () => {
    const s = setup({ customSecret: undefined });
    const body = productUpdated();
    expect((await s.post(body, { [WEBHOOK_SECRET_HEADER]: CUSTOM_SECRET })).status).toBe(401);
    expect(s.invalidator.attempts).toBe(0);
  });
});

describe('deduplication', () => {
  it('a redelivery (same webhook-id, signed afresh, as a retry is) is acknowledged and invalidates nothing more', async () => {
    const s = setup();
    const body = productUpdated();
    const first = signedHeaders(CLIENT_SECRET, body, { id: 'msg_retry', timestampSeconds: Math.floor(Date.now() / 1000) - 60 });
    const retry = signedHeaders(CLIENT_SECRET, body, { id: 'msg_retry' });
    expect((await s.post(body, first)).status).toBe(200);
    const again = await s.post(body, retry);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    // The very same request replayed within the timestamp window: also a duplicate.
    expect((await s.post(body, first)).status).toBe(200);
    await s.app.plugin.idle();
    expect(s.invalidator.calls).toHaveLength(1);
    expect(s.app.outcomes.deliveries).toEqual(['accepted', 'duplicate', 'duplicate']);
  });

  it('claims are kept for the whole retry schedule (49 h), under a key of their own', async () => {
    const forgetAts: number[] = [];
    const s = setup({ singleUse: { claim: async (_id, forgetAt) => (forgetAts.push(forgetAt), true) } });
    const body = productUpdated();
    await s.post(body, signedHeaders(CLIENT_SECRET, body, { id: 'msg_1' }));
    expect(s.claims).toEqual(['webhook:id:msg_1']);
    expect(forgetAts[0] - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(WEBHOOK_DEDUPE_SECONDS - 2);
    expect(WEBHOOK_DEDUPE_SECONDS).toBeGreaterThanOrEqual(173_040); // 60 + 180 + ... + 86400 s
  });
});

describe('shared state and invalidation failures', () => {
  it('dedupe store down: 503 so that BigCommerce redelivers; nothing applied; accepted once it is back', async () => {
    let down = true;
    const memory = createMemorySingleUseStore(Date.now);
    const s = setup({
      singleUse: {
        claim: (id, forgetAt) => (down ? Promise.reject(new StoreUnavailableError('single-use')) : memory.claim(id, forgetAt)),
      },
    });
    const body = productUpdated();
    const res = await s.post(body, signedHeaders(CLIENT_SECRET, body, { id: 'msg_503' }));
    expect(res.status).toBe(503);
    await s.app.plugin.idle();
    expect(s.invalidator.attempts).toBe(0);
    down = false;
    expect((await s.post(body, signedHeaders(CLIENT_SECRET, body, { id: 'msg_503' }))).status).toBe(200);
    await s.app.plugin.idle();
    expect(s.invalidator.calls).toHaveLength(1);
    expect(s.app.outcomes.deliveries).toEqual(['unavailable', 'accepted']);
  });

  it('an invalidation that fails is retried once', async () => {
    const s = setup({ invalidator: recordingInvalidator(1) });
    const body = productUpdated();
    expect((await s.post(body, signedHeaders(CLIENT_SECRET, body))).status).toBe(200);
    await s.app.plugin.idle();
    expect(s.invalidator.attempts).toBe(2);
    expect(s.invalidator.calls).toEqual([[{ kind: 'all' }]]);
    expect(s.app.outcomes.invalidations).toEqual(['retried', 'invalidated']);
  });

  it('an invalidation that fails twice is logged as an error and counted; the answer was 200 all the same', async () => {
    const s = setup({ invalidator: recordingInvalidator(5) });
    const body = productUpdated();
    expect((await s.post(body, signedHeaders(CLIENT_SECRET, body))).status).toBe(200);
    await s.app.plugin.idle();
    expect(s.invalidator.attempts).toBe(2);
    expect(s.app.outcomes.invalidations).toEqual(['retried', 'failed']);
    expect(s.logger.lines.some((l) => l.includes('"level":"error"') && l.includes('invalidation failed twice'))).toBe(true);
    expectNoSecretsOrBodyInLogs(s.logger, body);
  });

  it('a resolver that throws synchronously never reaches the request', async () => {
    const s = setup({
      resolveGroupsOfPriceList: () => {
        throw new Error('boom');
      },
    });
    const body = payload('store/priceList/record/updated', { price_list_id: 1, variant_id: 1, currency_code: 'USD' });
    expect((await s.post(body, signedHeaders(CLIENT_SECRET, body))).status).toBe(200);
    await s.app.plugin.idle();
    const scopes: CacheScope[][] = s.invalidator.calls;
    expect(scopes).toEqual([[{ kind: 'all' }]]);
  });
});

describe('other answers', () => {
  it('another method: 405 with Allow: POST', async () => {
    const s = setup();
    const res = await s.app.yoga.fetch(URL_, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(s.app.outcomes.deliveries).toEqual(['method_not_allowed']);
  });

  it('an oversized body: 413 by Content-Length, and by counting when it is streamed without one', async () => {
    const s = setup();
    const big = JSON.stringify({ scope: 'store/product/updated', data: { pad: 'x'.repeat(5000) }, hash: 'a' });
    const res = await s.post(big, signedHeaders(CLIENT_SECRET, big));
    expect(res.status).toBe(413);
    const chunks = [new TextEncoder().encode(big.slice(0, 3000)), new TextEncoder().encode(big.slice(3000))];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    const streamed = await s.app.yoga.fetch(URL_, { method: 'POST', headers: signedHeaders(CLIENT_SECRET, big), body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(s.claims).toEqual([]);
    expect(s.app.outcomes.deliveries).toEqual(['too_large', 'too_large']);
  });

  it.each([
    ['not JSON', 'scope=store/product/updated'],
    ['a JSON array', '[]'],
    ['no scope', JSON.stringify({ data: { id: 1 }, hash: 'abc' })],
    ['no hash', JSON.stringify({ scope: 'store/product/updated', data: { id: 1 } })],
    ['no data', JSON.stringify({ scope: 'store/product/updated', hash: 'abc' })],
  ])('a signed body that is not a callback envelope (%s): 400, nothing applied', async (_name, body) => {
    const s = setup();
    const res = await s.post(body, signedHeaders(CLIENT_SECRET, body));
    expect(res.status).toBe(400);
    await s.app.plugin.idle();
    expect(s.claims).toEqual([]);
    expect(s.invalidator.attempts).toBe(0);
  });

  it('an event the cache does not depend on: 200 (BigCommerce retries anything else) and ignored', async () => {
    const s = setup();
    const body = payload('store/order/created', { type: 'order', id: 250 });
    const res = await s.post(body, signedHeaders(CLIENT_SECRET, body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, ignored: true });
    await s.app.plugin.idle();
    expect(s.claims).toEqual([]);
    expect(s.invalidator.attempts).toBe(0);
  });

  it("another store's event (producer) is acknowledged and ignored", async () => {
    const s = setup();
    const body = JSON.stringify({ ...(JSON.parse(productUpdated()) as Record<string, unknown>), producer: 'stores/someoneelse' });
    expect((await s.post(body, signedHeaders(CLIENT_SECRET, body))).status).toBe(200);
    await s.app.plugin.idle();
    expect(s.invalidator.attempts).toBe(0);
    expect(s.app.outcomes.deliveries).toEqual(['ignored']);
  });

  it('other paths are left to the rest of the server', async () => {
    const s = setup();
    const res = await s.app.yoga.fetch('http://gateway.test/webhooks/other', { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(s.app.outcomes.deliveries).toEqual([]);
  });
});
