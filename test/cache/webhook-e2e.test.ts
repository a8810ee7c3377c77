// The whole invalidation chain over real HTTP, as in production (issue 15, "Done when"): one sandbox store, one
// gateway with the response cache ON (TTL 300 s: within a test only an invalidation can refresh an entry), its
// webhooks registered with the sandbox exactly as `npm start` does in sandbox mode (registerSandboxWebhooks with the
// gateway's host and port). Changes are made only through the sandbox's admin REST; the sandbox then delivers its
// signed callbacks to POST /webhooks/bigcommerce, and the test watches shoppers' next queries (X-Cache and bytes).
// Nothing here calls gateway.cacheInvalidator: if the chain breaks anywhere, a poll below times out.
import { createHash, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startSandbox, type Sandbox, type WebhookDeliveryAttempt } from '../../sandbox';
import { gatewayWebhookScopes, registerSandboxWebhooks, WEBHOOK_PATH, WEBHOOK_SECRET_HEADER, type WebhookRegistration } from '../../src/webhooks';
import type { GatewayServer } from '../helpers/stack';
import { CACHE_ON, CATALOG_PAGE, query, shoppers, startCachedGateway, type RawAnswer, type Shopper } from './helpers';

/** BC_WEBHOOK_SECRET of the gateway: its hooks are registered with it as the X-Webhook-Secret custom header. */
const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789-abcdefghijklmnop';
/** The bound issue 15 sets from a change in the store to the affected group's next query. */
const BOUND_MS = 2000;

// sandbox/seed.json: price list 1 "Wholesale (channel 1)" is assigned to group 2 (Wholesale) on channel 1, and has a
// record for variant 1004 (product 102's only variant). Product 139 (variants 1065-1067, price 13.49, no sale price)
// has no record in either wholesale list, so a new catalog price reaches every group: guests, retail and wholesale
// pay it, VIP 10 % less (group 3's discount rule). Both products are on the first page of 50 (ids 100-149).
const WHOLESALE_PRICE_LIST = 1;
const RECORD_PRODUCT = 102;
const RECORD_VARIANT = 1004;
const NEW_RECORD_PRICE = 11.11;
const CATALOG_PRODUCT = 139;
const NEW_CATALOG_PRICE = 19.99;

let sandbox: Sandbox;
let gateway: GatewayServer;
let people: Shopper[];
let registrations: WebhookRegistration[];
let destination: string;
const registrationLog: string[] = [];
/** Each shopper's last answer to CATALOG_PAGE known to be cached (bytes), by shopper name. */
const cached: Record<string, string> = {};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, rateLimitQuota: 100_000, webhookRetryScale: 0.001 });
  gateway = await startCachedGateway(sandbox, CACHE_ON, { config: { webhookSecret: WEBHOOK_SECRET } });
  const { config } = gateway.gateway;
  // As src/main.ts (runGateway) does once the gateway listens in sandbox mode.
  const port = Number(new URL(gateway.url).port);
  const logger = {
    info: (fields: Record<string, unknown>, message: string) => void registrationLog.push(`info ${message} ${JSON.stringify(fields)}`),
    warn: (fields: Record<string, unknown>, message: string) => void registrationLog.push(`warn ${message} ${JSON.stringify(fields)}`),
    error: (fields: Record<string, unknown>, message: string) => void registrationLog.push(`error ${message} ${JSON.stringify(fields)}`),
  };
  registrations = await registerSandboxWebhooks({ store: config.store, host: config.host, port, webhookSecret: config.webhookSecret, logger, timeoutMs: config.upstreamTimeoutMs });
  destination = `${gateway.url}${WEBHOOK_PATH}`;
  people = await shoppers(gateway.graphqlUrl);
});

afterAll(async () => {
  // Sandbox first: it stops pending retries and callbacks in flight to the gateway.
  await sandbox?.close();
  await gateway?.close();
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const shopper = (name: Shopper['name']): Shopper => people.find((p) => p.name === name) as Shopper;
const names = (): Array<Shopper['name']> => people.map((p) => p.name);

interface ProductNode {
  entityId: number;
  prices: { price: { value: number } } | null;
  pricing: { calculatedPrice: { asEntered: number } } | null;
}

function productsOf(answer: RawAnswer | string): ProductNode[] {
  const text = typeof answer === 'string' ? answer : answer.text;
  const body = JSON.parse(text) as { data?: { site: { products: { edges: Array<{ node: ProductNode }> } } }; errors?: unknown };
  if (!body.data || body.errors) throw new Error(`unexpected answer: ${text.slice(0, 300)}`);
  return body.data.site.products.edges.map((edge) => edge.node);
}

/** A product's storefront price and REST (gateway `pricing`) calculated price in an answer. */
function pricesOf(answer: RawAnswer | string, productId: number): { storefront: number; rest: number } {
  const node = productsOf(answer).find((p) => p.entityId === productId);
  if (!node?.prices || !node.pricing) throw new Error(`product ${productId} has no prices in the answer`);
  return { storefront: node.prices.price.value, rest: node.pricing.calculatedPrice.asEntered };
}

/** The answer with one product left out: what must not have changed when only that product's price did. */
function withoutProduct(text: string, productId: number): unknown {
  return productsOf(text).filter((p) => p.entityId !== productId);
}

const catalogPage = (who: Shopper): Promise<RawAnswer> => query(gateway.graphqlUrl, CATALOG_PAGE, {}, who.headers);

/**
 * Queries `who`'s catalog page until `isFresh` holds, at most until `deadline` (bounded polling, no fixed sleep).
 * Every answer before the fresh one must be the cached one, byte for byte (a HIT): nothing is refetched early.
 */
async function pollUntilFresh(who: Shopper, deadline: number, isFresh: (answer: RawAnswer) => boolean): Promise<{ fresh: RawAnswer; staleHits: number }> {
  let staleHits = 0;
  for (;;) {
    const answer = await catalogPage(who);
    expect(answer.status).toBe(200);
    if (isFresh(answer)) return { fresh: answer, staleHits };
    expect({ who: who.name, cache: answer.cache, sameBytes: answer.text === cached[who.name] }).toEqual({ who: who.name, cache: 'HIT', sameBytes: true });
    staleHits++;
    if (Date.now() > deadline) throw new Error(`${who.name}: the change did not reach the next query within ${BOUND_MS} ms (${staleHits} stale HITs)`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every shopper's catalog page is a HIT with exactly the bytes cached for them. */
async function expectAllCached(): Promise<void> {
  const answers = await Promise.all(people.map(catalogPage));
  expect(answers.map((a, i) => ({ who: people[i].name, cache: a.cache, sameBytes: a.text === cached[people[i].name] }))).toEqual(
    names().map((who) => ({ who, cache: 'HIT', sameBytes: true })),
  );
}

async function adminRest(method: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${sandbox.url}/stores/${sandbox.identity.storeHash}${path}`, {
    method,
    headers: { 'X-Auth-Token': sandbox.identity.accessToken, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The gateway's webhook counters from /metrics: deliveries and invalidations by outcome. */
async function webhookCounters(): Promise<Record<string, number>> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const counters: Record<string, number> = {};
  for (const match of text.matchAll(/^gateway_webhook_(deliveries|invalidations)_total\{outcome="(\w+)"\} (\d+)$/gm)) counters[`${match[1]}.${match[2]}`] = Number(match[3]);
  return counters;
}

/**
 * Waits (bounded) until every callback the sandbox sent to the gateway has been answered, and every accepted one has
 * been applied: then no invalidation is still on its way, and a HIT observed afterwards says the cache is settled.
 */
async function settled(expectedDeliveries: number): Promise<Record<string, number>> {
  const deadline = Date.now() + BOUND_MS;
  for (;;) {
    const mine = sandbox.webhookDeliveries.filter((d) => d.destination === destination);
    const counters = await webhookCounters();
    const applied = (counters['invalidations.invalidated'] ?? 0) + (counters['invalidations.failed'] ?? 0) + (counters['invalidations.nothing_to_invalidate'] ?? 0);
    if (mine.length >= expectedDeliveries && applied >= (counters['deliveries.accepted'] ?? 0)) return counters;
    if (Date.now() > deadline) throw new Error(`not settled: ${mine.length}/${expectedDeliveries} deliveries, counters ${JSON.stringify(counters)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const postWebhook = (headers: Record<string, string>, body: string) => fetch(destination, { method: 'POST', headers, body });

// ---------------------------------------------------------------------------------------------------------------

describe('registration (npm start in sandbox mode)', () => {
  it("registers every hook the cache depends on, pointing at the gateway, with the gateway's secret header", async () => {
    // The channel events of both sandbox channels (its own, and its second one, which `pricing` may be asked for).
    const channels = [sandbox.identity.channelId, sandbox.identity.channelId + 1];
    expect(registrations.map((r) => [r.scope, r.action])).toEqual(gatewayWebhookScopes(channels).map((scope) => [scope, 'created']));
    expect(registrations.filter((r) => r.scope.startsWith(`store/channel/${channels[1]}/`)).length).toBeGreaterThan(5);
    const listed = (await (await fetch(`${sandbox.url}/stores/${sandbox.identity.storeHash}/v3/hooks?limit=250`, { headers: { 'X-Auth-Token': sandbox.identity.accessToken } })).json()) as {
      data: Array<{ destination: string; is_active: boolean; headers: Record<string, string> | null }>;
    };
    expect(listed.data).toHaveLength(registrations.length);
    for (const hook of listed.data) expect(hook).toMatchObject({ destination, is_active: true, headers: { [WEBHOOK_SECRET_HEADER]: WEBHOOK_SECRET } });
    expect(registrationLog.filter((line) => !line.startsWith('info'))).toEqual([]);
  });
});

describe('the cache, invalidated by the store through its webhooks', () => {
  it('1. guest, retail, wholesale and VIP each query 50 products with prices twice: the second answer is a HIT, same bytes', async () => {
    for (const who of people) {
      const first = await catalogPage(who);
      expect({ who: who.name, status: first.status, cache: first.cache }).toEqual({ who: who.name, status: 200, cache: 'MISS' });
      const products = productsOf(first);
      expect(products).toHaveLength(50);
      for (const product of products) expect(product.prices && product.pricing).toBeTruthy();
      const second = await catalogPage(who);
      expect({ who: who.name, cache: second.cache, sameBytes: second.text === first.text }).toEqual({ who: who.name, cache: 'HIT', sameBytes: true });
      cached[who.name] = first.text;
    }
    // Each group its own prices: the wholesale record, the catalog price for retail, VIP's discount.
    const wholesale = pricesOf(cached.wholesale, RECORD_PRODUCT);
    const retail = pricesOf(cached.retail, RECORD_PRODUCT);
    expect(wholesale.storefront).not.toBe(retail.storefront);
    expect(pricesOf(cached.guest, RECORD_PRODUCT)).toEqual(retail);
    expect(pricesOf(cached.vip, RECORD_PRODUCT).storefront).toBeCloseTo(retail.storefront * 0.9, 2);
    expect(sandbox.webhookDeliveries).toEqual([]);
  });

  it('2. a wholesale price-list record changed through the admin REST reaches the next wholesale query within 2 s (MISS, then HIT); other groups keep their entries', async () => {
    const before = pricesOf(cached.wholesale, RECORD_PRODUCT);
    expect(before.storefront).not.toBe(NEW_RECORD_PRICE);
    const started = Date.now();
    const put = await adminRest('PUT', `/v3/pricelists/${WHOLESALE_PRICE_LIST}/records`, [{ variant_id: RECORD_VARIANT, currency: 'USD', price: NEW_RECORD_PRICE }]);
    expect(put.status).toBe(200);

    const { fresh } = await pollUntilFresh(shopper('wholesale'), started + BOUND_MS, (answer) => answer.text !== cached.wholesale);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(BOUND_MS);
    expect(fresh.cache).toBe('MISS');
    // Both the storefront price and the REST price (its own cache, same scope) are the new record's.
    expect(pricesOf(fresh, RECORD_PRODUCT)).toEqual({ storefront: NEW_RECORD_PRICE, rest: NEW_RECORD_PRICE });
    // Nothing else in the page changed.
    expect(withoutProduct(fresh.text, RECORD_PRODUCT)).toEqual(withoutProduct(cached.wholesale, RECORD_PRODUCT));
    const again = await catalogPage(shopper('wholesale'));
    expect({ cache: again.cache, sameBytes: again.text === fresh.text }).toEqual({ cache: 'HIT', sameBytes: true });
    cached.wholesale = fresh.text;

    // The invalidation came from the sandbox's signed callback, one delivery, accepted at the first attempt.
    const counters = await settled(1);
    const delivered = sandbox.webhookDeliveries.filter((d) => d.destination === destination);
    expect(delivered.map((d) => [d.scope, d.attempt, d.status])).toEqual([['store/priceList/records/updated', 1, 200]]);
    expect(counters).toMatchObject({ 'deliveries.accepted': 1, 'invalidations.invalidated': 1 });

    // Guests, retail and VIP: still HITs with the bytes they had (their entries were not evicted).
    await expectAllCached();
  });

  it('3. a product price changed through the admin REST reaches every group\'s next query within 2 s (catalog scope)', async () => {
    const old = Object.fromEntries(people.map((p) => [p.name, pricesOf(cached[p.name], CATALOG_PRODUCT)]));
    expect(old.guest.storefront).not.toBe(NEW_CATALOG_PRICE);
    const started = Date.now();
    const put = await adminRest('PUT', `/v3/catalog/products/${CATALOG_PRODUCT}`, { price: NEW_CATALOG_PRICE });
    expect(put.status).toBe(200);

    const results = await Promise.all(
      people.map((who) => pollUntilFresh(who, started + BOUND_MS, (answer) => answer.text !== cached[who.name]).then((r) => ({ ...r, at: Date.now() }))),
    );
    for (const [i, who] of people.entries()) {
      const { fresh, at } = results[i];
      expect({ who: who.name, elapsedWithinBound: at - started < BOUND_MS, cache: fresh.cache }).toEqual({ who: who.name, elapsedWithinBound: true, cache: 'MISS' });
      expect(withoutProduct(fresh.text, CATALOG_PRODUCT)).toEqual(withoutProduct(cached[who.name], CATALOG_PRODUCT));
    }
    const fresh = Object.fromEntries(people.map((p, i) => [p.name, pricesOf(results[i].fresh, CATALOG_PRODUCT)]));
    for (const who of ['guest', 'retail', 'wholesale'] as const) expect({ who, ...fresh[who] }).toEqual({ who, storefront: NEW_CATALOG_PRICE, rest: NEW_CATALOG_PRICE });
    expect(fresh.vip.storefront).toBeCloseTo(NEW_CATALOG_PRICE * 0.9, 2);
    expect(fresh.vip.rest).toBeCloseTo(NEW_CATALOG_PRICE * 0.9, 2);

    // Then HITs again, with the fresh bytes.
    for (const [i, who] of people.entries()) cached[who.name] = results[i].fresh.text;
    await expectAllCached();

    const counters = await settled(2);
    const delivered = sandbox.webhookDeliveries.filter((d) => d.destination === destination);
    expect(delivered.map((d) => [d.scope, d.attempt, d.status])).toEqual([
      ['store/priceList/records/updated', 1, 200],
      ['store/product/updated', 1, 200],
    ]);
    expect(counters).toMatchObject({ 'deliveries.accepted': 2, 'invalidations.invalidated': 2 });
    await expectAllCached();
  });

  it('4. an unsigned, a wrongly signed and a wrong-secret POST for that product get 401 and change nothing', async () => {
    const before = await settled(2);
    await expectAllCached();
    // A well-formed callback for the product, in BigCommerce's shape (hash = SHA-1 of the rest), for this store.
    const unsigned = {
      scope: 'store/product/updated',
      store_id: sandbox.storeId,
      data: { type: 'product', id: CATALOG_PRODUCT },
      created_at: Math.floor(Date.now() / 1000),
      producer: `stores/${sandbox.identity.storeHash}`,
    };
    const payload = { ...unsigned, hash: createHash('sha1').update(JSON.stringify(unsigned)).digest('hex') };
    const body = JSON.stringify(payload);
    const json = { 'content-type': 'application/json' };
    const signedWith = (secret: string, id: string, text: string): Record<string, string> => {
      const timestamp = new Date();
      const signature = new Webhook(Buffer.from(secret, 'utf8').toString('base64')).sign(id, timestamp, text);
      return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature };
    };
    const realDelivery = sandbox.webhookDeliveries.find((d) => d.destination === destination && d.scope === 'store/product/updated') as WebhookDeliveryAttempt;

    const attempts: Array<[string, Record<string, string>, string]> = [
      ['unsigned', json, body],
      ['signed with a wrong secret', { ...json, ...signedWith('not-the-client-secret-of-this-store-0123456789', `msg_${randomUUID()}`, body) }, body],
      ['wrong X-Webhook-Secret', { ...json, [WEBHOOK_SECRET_HEADER]: `${WEBHOOK_SECRET}-wrong` }, body],
      ['wrong X-Webhook-Secret with the right length', { ...json, [WEBHOOK_SECRET_HEADER]: WEBHOOK_SECRET.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')) }, body],
      // A real delivery's signature headers (right secret) on another body: the signature covers the bytes.
      ['a real signature on another body', { ...json, 'webhook-id': realDelivery.headers['webhook-id'], 'webhook-timestamp': realDelivery.headers['webhook-timestamp'], 'webhook-signature': realDelivery.headers['webhook-signature'] }, body],
    ];
    for (const [what, headers, text] of attempts) {
      const response = await postWebhook(headers, text);
      expect({ what, status: response.status }).toEqual({ what, status: 401 });
    }

    // Refused before anything is claimed or scheduled: the counters say so at once (an accepted delivery is counted
    // before its answer is sent), and every entry is still a HIT with the same bytes.
    const after = await webhookCounters();
    expect(after).toEqual({ ...before, 'deliveries.unauthorized': (before['deliveries.unauthorized'] ?? 0) + attempts.length });
    await expectAllCached();
  });

  it('5. a redelivered (identical) callback is answered 200 and does not invalidate a second time', async () => {
    const before = await settled(2);
    const delivery = sandbox.webhookDeliveries.find((d) => d.destination === destination && d.scope === 'store/product/updated') as WebhookDeliveryAttempt;
    expect(delivery.delivered).toBe(true);

    // Byte for byte what the sandbox sent (headers, signature and body).
    const identical = await postWebhook(delivery.headers, delivery.body);
    expect(identical.status).toBe(200);
    expect(await identical.json()).toEqual({ received: true, duplicate: true });

    // A retry as BigCommerce sends it: the same webhook-id and body, signed afresh with a new timestamp.
    const timestamp = new Date();
    const resigned = {
      ...delivery.headers,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(Buffer.from(sandbox.identity.clientSecret, 'utf8').toString('base64')).sign(delivery.headers['webhook-id'], timestamp, delivery.body),
    };
    const retried = await postWebhook(resigned, delivery.body);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ received: true, duplicate: true });

    // The price-list delivery too.
    const records = sandbox.webhookDeliveries.find((d) => d.destination === destination && d.scope === 'store/priceList/records/updated') as WebhookDeliveryAttempt;
    const recordsAgain = await postWebhook(records.headers, records.body);
    expect(recordsAgain.status).toBe(200);
    expect(await recordsAgain.json()).toEqual({ received: true, duplicate: true });

    const after = await webhookCounters();
    expect(after).toEqual({ ...before, 'deliveries.duplicate': (before['deliveries.duplicate'] ?? 0) + 3 });
    await expectAllCached();
  });
});
