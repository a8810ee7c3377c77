// `pricing(input: { channelId, currencyCode, countryCode })`: a channel or currency the store does not have and a
// country that is not ISO 3166-1 alpha-2 are refused (BAD_USER_INPUT) before any pricing call, the store's channels
// and currencies learned over REST (`GET /v3/channels`, `GET /v2/currencies`) once and refreshed; another channel's
// prices are cached in that channel's scope, so a change of the store's catalog reaches them through the webhooks.
import type { Sandbox } from '../../sandbox';
import { createPricingScopeGuard, type StoreScopes } from '../../src/remote/pricing';
import { registerSandboxWebhooks } from '../../src/webhooks';
import type { GatewayServer } from '../helpers/stack';
import { CACHE_ON, query, sleep, startCacheSandbox, startCachedGateway, upstreamCalls } from './helpers';

describe('the pricing scope guard', () => {
  function guard(load: () => Promise<StoreScopes>) {
    let clock = 0;
    let reads = 0;
    const check = createPricingScopeGuard({
      load: () => {
        reads++;
        return load();
      },
      channelId: 1,
      currencyCode: 'USD',
      now: () => clock,
      refreshMs: 60_000,
      retryMs: 10_000,
    });
    const refused = (scope: { channelId: number; currencyCode: string; countryCode?: string }) =>
      check.check(scope).then(
        () => undefined,
        (error: { extensions?: { code?: string } }) => error.extensions?.code,
      );
    return { refused, reads: () => reads, advance: (ms: number) => (clock += ms) };
  }
  const STORE: StoreScopes = { channelIds: new Set([1, 2]), currencyCodes: new Set(['USD', 'EUR']) };

  it('accepts what the store has and refuses the rest, reading the lists once', async () => {
    const g = guard(async () => STORE);
    expect(await g.refused({ channelId: 2, currencyCode: 'EUR', countryCode: 'DE' })).toBeUndefined();
    for (const scope of [
      { channelId: 3, currencyCode: 'USD' },
      { channelId: 0, currencyCode: 'USD' },
      { channelId: 1, currencyCode: 'JPY' },
      ...['ZZ', 'XX', 'EU', 'UK', 'AA', 'QZ'].map((countryCode) => ({ channelId: 1, currencyCode: 'USD', countryCode })),
    ]) {
      expect([scope, await g.refused(scope)]).toEqual([scope, 'BAD_USER_INPUT']);
    }
    // Junk read the lists again at most once per retry interval.
    expect(g.reads()).toBe(1);
    g.advance(10_000);
    expect(await g.refused({ channelId: 7, currencyCode: 'USD' })).toBe('BAD_USER_INPUT');
    expect(await g.refused({ channelId: 8, currencyCode: 'USD' })).toBe('BAD_USER_INPUT');
    expect(g.reads()).toBe(2);
  });

  it('learns a channel created later, at most a retry interval after it is first asked for', async () => {
    let store: StoreScopes = STORE;
    const g = guard(async () => store);
    expect(await g.refused({ channelId: 2, currencyCode: 'USD' })).toBeUndefined();
    store = { ...STORE, channelIds: new Set([1, 2, 3]) };
    expect(await g.refused({ channelId: 3, currencyCode: 'USD' })).toBe('BAD_USER_INPUT');
    g.advance(10_000);
    expect(await g.refused({ channelId: 3, currencyCode: 'USD' })).toBeUndefined();
  });

  it('keeps what it knew when a reading fails; before any, only the gateway’s own channel and currency', async () => {
    let fail = true;
    const g = guard(async () => {
      if (fail) throw new Error('REST down');
      return STORE;
    });
    expect(await g.refused({ channelId: 1, currencyCode: 'USD', countryCode: 'US' })).toBeUndefined();
    expect(await g.refused({ channelId: 2, currencyCode: 'USD' })).toBe('BAD_USER_INPUT');
    fail = false;
    g.advance(10_000);
    expect(await g.refused({ channelId: 2, currencyCode: 'USD' })).toBeUndefined();
    fail = true;
    g.advance(60_000);
    // Due for refresh, read beside the request; the failure keeps the lists.
    expect(await g.refused({ channelId: 2, currencyCode: 'EUR' })).toBeUndefined();
    await sleep(0);
    expect(await g.refused({ channelId: 2, currencyCode: 'EUR' })).toBeUndefined();
  });
});

describe('over HTTP, against the sandbox (two channels, USD and EUR)', () => {
  let sandbox: Sandbox;
  let gateway: GatewayServer;
  /** The sandbox's request log before the first GraphQL request (the webhook registration lists channels too). */
  let served = 0;
  beforeAll(async () => {
    sandbox = await startCacheSandbox();
    gateway = await startCachedGateway(sandbox, CACHE_ON);
    const { config } = gateway.gateway;
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
    await registerSandboxWebhooks({ store: config.store, host: config.host, port: Number(new URL(gateway.url).port), logger: silent, timeoutMs: 5000 });
    served = sandbox.requestLog.length;
  });
  afterAll(async () => {
    await sandbox?.close();
    await gateway?.close();
  });

  const PRICING = `query P($input: PricingInput!) { pricing(input: $input) { productId calculatedPrice { asEntered } } }`;
  const price = async (input: Record<string, unknown>) => {
    const answer = await query(gateway.graphqlUrl, PRICING, { input: { items: [{ productId: 139 }], ...input } });
    const body = JSON.parse(answer.text) as { data?: { pricing: Array<{ calculatedPrice: { asEntered: number } }> }; errors?: Array<{ extensions: { code: string } }> };
    return { price: body.data?.pricing[0]?.calculatedPrice.asEntered, code: body.errors?.[0]?.extensions.code };
  };
  const pricingCalls = (from: number) => upstreamCalls(sandbox, from, /\/v3\/pricing\/products$/);

  it.each([
    ['an unknown channel', { channelId: 99 }],
    ['an unknown channel, currency given', { channelId: 3, currencyCode: 'EUR' }],
    ['a currency the store does not have', { currencyCode: 'JPY' }],
    ['a made-up currency', { currencyCode: 'ABC' }],
    ['a user-assigned country code', { countryCode: 'ZZ' }],
    ['a reserved country code', { countryCode: 'UK' }],
    ['a region that is not a country', { countryCode: 'EU' }],
  ])('refuses %s with BAD_USER_INPUT before any pricing call', async (_name, input) => {
    const before = sandbox.requestLog.length;
    expect(await price(input)).toEqual({ price: undefined, code: 'BAD_USER_INPUT' });
    expect(pricingCalls(before)).toBe(0);
  });

  it('refuses an unknown currency of Product.pricing too', async () => {
    const before = sandbox.requestLog.length;
    const answer = await query(gateway.graphqlUrl, '{ site { product(entityId: 139) { entityId pricing(currencyCode: "JPY") { price { asEntered } } } } }');
    expect(JSON.parse(answer.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(pricingCalls(before)).toBe(0);
  });

  it('accepts what the store has, in any letter case, reading its channels and currencies once', async () => {
    const before = sandbox.requestLog.length;
    for (const input of [{ channelId: 2 }, { channelId: 2, currencyCode: 'eur' }, { currencyCode: 'EUR', countryCode: 'de' }, { channelId: 1, countryCode: 'US' }]) {
      expect([input, (await price(input)).code]).toEqual([input, undefined]);
    }
    expect(upstreamCalls(sandbox, served, /\/v3\/channels$/)).toBe(1);
    expect(upstreamCalls(sandbox, served, /\/v2\/currencies$/)).toBe(1);
    expect(pricingCalls(before)).toBeGreaterThan(0);
  });

  it("caches another channel's prices in that channel's scope: a store-wide catalog change reaches them", async () => {
    const first = await price({ channelId: 2 });
    const before = sandbox.requestLog.length;
    expect(await price({ channelId: 2 })).toEqual(first);
    expect(pricingCalls(before)).toBe(0);

    const response = await fetch(`${sandbox.url}/stores/${sandbox.identity.storeHash}/v3/catalog/products/139`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': sandbox.identity.accessToken, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ price: 21.5 }),
    });
    expect(response.status).toBe(200);
    const deadline = Date.now() + 5000;
    let fresh = first;
    while (fresh.price !== 21.5 && Date.now() < deadline) {
      await sleep(25);
      fresh = await price({ channelId: 2 });
    }
    expect(fresh).toEqual({ price: 21.5, code: undefined });
    expect(first.price).not.toBe(21.5);
  });
});
