// Invalidation through CacheInvalidator (what the webhook endpoint calls): a group's bump touches only that
// group, a catalog bump every group of the channel, `all` everything; and a price changed through the sandbox's
// admin REST reaches the affected group right after its invalidation.
import type { Sandbox } from '../../sandbox';
import type { GatewayServer } from '../helpers/stack';
import { CATALOG_PAGE, query, shoppers, startCacheSandbox, startCachedGateway, type Shopper } from './helpers';

let sandbox: Sandbox;
let gateway: GatewayServer;
let people: Shopper[];
const WHOLESALE_GROUP = 2;

beforeAll(async () => {
  sandbox = await startCacheSandbox();
  gateway = await startCachedGateway(sandbox);
  people = await shoppers(gateway.graphqlUrl);
});
afterAll(async () => {
  await gateway?.close();
  await sandbox?.close();
});

/** Each shopper's X-Cache for the catalog page, by name. */
async function statuses(): Promise<Record<string, string | null>> {
  const answers = await Promise.all(people.map((shopper) => query(gateway.graphqlUrl, CATALOG_PAGE, {}, shopper.headers)));
  return Object.fromEntries(people.map((shopper, i) => [shopper.name, answers[i].cache]));
}

async function warm(): Promise<void> {
  await statuses();
  expect(await statuses()).toEqual({ guest: 'HIT', retail: 'HIT', wholesale: 'HIT', vip: 'HIT' });
}

describe('CacheInvalidator', () => {
  it('a group bump invalidates only that group', async () => {
    await warm();
    await gateway.gateway.cacheInvalidator.invalidate([{ kind: 'group', customerGroupId: WHOLESALE_GROUP }]);
    expect(await statuses()).toEqual({ guest: 'HIT', retail: 'HIT', wholesale: 'MISS', vip: 'HIT' });
  });

  it('guests are a scope of their own', async () => {
    await warm();
    await gateway.gateway.cacheInvalidator.invalidate([{ kind: 'guests' }]);
    expect(await statuses()).toEqual({ guest: 'MISS', retail: 'HIT', wholesale: 'HIT', vip: 'HIT' });
  });

  it('a catalog bump invalidates every group of that channel, and another channel changes nothing', async () => {
    await warm();
    await gateway.gateway.cacheInvalidator.invalidate([{ kind: 'catalog', channelId: 2 }]);
    expect(await statuses()).toEqual({ guest: 'HIT', retail: 'HIT', wholesale: 'HIT', vip: 'HIT' });
    await gateway.gateway.cacheInvalidator.invalidate([{ kind: 'catalog', channelId: 1 }]);
    expect(await statuses()).toEqual({ guest: 'MISS', retail: 'MISS', wholesale: 'MISS', vip: 'MISS' });
  });

  it('`all` invalidates everything', async () => {
    await warm();
    await gateway.gateway.cacheInvalidator.invalidate([{ kind: 'all' }]);
    expect(await statuses()).toEqual({ guest: 'MISS', retail: 'MISS', wholesale: 'MISS', vip: 'MISS' });
  });

  it('a price list change reaches the group after its invalidation (answers and REST prices), others keep their entries', async () => {
    await warm();
    const wholesale = people.find((shopper) => shopper.name === 'wholesale') as Shopper;
    const product = '{ site { product(entityId: 102) { prices { price { value } } pricing { calculatedPrice { asEntered } } } } }';
    const before = JSON.parse((await query(gateway.graphqlUrl, product, {}, wholesale.headers)).text).data.site.product;
    const put = await fetch(`${sandbox.url}/stores/${sandbox.identity.storeHash}/v3/pricelists/1/records`, {
      method: 'PUT',
      headers: { 'x-auth-token': sandbox.identity.accessToken, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify([{ variant_id: 1004, currency: 'USD', price: 12.34 }]),
    });
    expect(put.status).toBe(200);
    // Still cached until the webhook's invalidation arrives.
    const stale = await query(gateway.graphqlUrl, product, {}, wholesale.headers);
    expect(stale.cache).toBe('HIT');
    expect(JSON.parse(stale.text).data.site.product).toEqual(before);

    await gateway.gateway.cacheInvalidator.invalidate([{ kind: 'group', customerGroupId: WHOLESALE_GROUP }]);
    const fresh = await query(gateway.graphqlUrl, product, {}, wholesale.headers);
    expect(fresh.cache).toBe('MISS');
    expect(JSON.parse(fresh.text).data.site.product).toEqual({ prices: { price: { value: 12.34 } }, pricing: { calculatedPrice: { asEntered: 12.34 } } });
    expect(await statuses()).toEqual({ guest: 'HIT', retail: 'HIT', wholesale: 'MISS', vip: 'HIT' });
  });
});
