// The event → cache scope mapping, for every callback BigCommerce documents a payload schema for
// (github.com/bigcommerce/docs, docs/webhooks/callbacks/*.yml; read from ../shared/bigcommerce/docs/webhooks/callbacks
// beside the project, never copied into it), plus the events documented only on the events pages
// (developer.bigcommerce.com/docs/integrations/webhooks/events and .../events/channels).
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { CacheScope } from '../../src/cache/invalidation';
import { planForEvent, resolvePlan, uniqueScopes, type PriceListGroupResolver } from '../../src/webhooks/event-scopes';
import { gatewayWebhookScopes } from '../../src/webhooks/register';

const CALLBACKS = resolve(__dirname, '../../../shared/bigcommerce/docs/webhooks/callbacks');
const GATEWAY_CHANNEL = 1;

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** Values chosen by field name so the expectations below can name them. */
const VALUES: Record<string, number | string> = { price_list_id: 1, customer_group_id: 3, channel_id: 2, type: 'product', currency_code: 'USD', locale: 'fr', method: 'absolute' };

/** An example value for a schema node; array items come twice, the second with price_list_id 2. */
function example(node: SchemaNode, name = '', index = 0): unknown {
  if (node.type === 'object' || node.properties) {
    return Object.fromEntries(Object.entries(node.properties ?? {}).map(([key, child]) => [key, example(child, key, index)]));
  }
  if (node.type === 'array') {
    if (!node.items) return [];
    return [example(node.items, name, 0), example(node.items, name, 1)];
  }
  if (name === 'price_list_id') return 1 + index;
  if (name in VALUES) return VALUES[name];
  if (node.type === 'integer') return 7;
  return 'x';
}

/** `store_priceList_record_created.yml` → `store/priceList/record/created`. (The file of records/updated names its event `records/created` inside: the file name is the one to trust.) */
const scopeOfFile = (file: string) => file.replace(/\.yml$/, '').split('_').join('/');

const callbackFiles = readdirSync(CALLBACKS).filter((f) => f.endsWith('.yml')).sort();

function examplePayloadData(file: string): unknown {
  const doc = parse(readFileSync(resolve(CALLBACKS, file), 'utf8')) as { properties: Record<string, SchemaNode> };
  const [event] = Object.values(doc.properties);
  const data = event.properties?.data;
  if (!data) throw new Error(`${file}: no data schema`);
  return example(data, 'data');
}

const catalog = (channelId: number): CacheScope => ({ kind: 'catalog', channelId });
const group = (customerGroupId: number): CacheScope => ({ kind: 'group', customerGroupId });
const ALL: CacheScope = { kind: 'all' };

/** Price list 1 is assigned to group 2, price list 2 to groups 2 and 4. */
const groupsOf: PriceListGroupResolver = async (id) => ({ 1: [2], 2: [2, 4] })[id];

// A store-wide catalog change is every channel's catalog: `all` (other channels' `pricing` is cached too).
const EXPECTED: Record<string, CacheScope[]> = {
  'store/category/created': [ALL],
  'store/category/deleted': [ALL],
  'store/category/updated': [ALL],
  'store/priceList/activated': [group(2)],
  'store/priceList/created': [group(2)],
  'store/priceList/deactivated': [group(2)],
  'store/priceList/assignment/updated': [group(3)],
  'store/priceList/record/created': [group(2)],
  'store/priceList/record/deleted': [group(2)],
  'store/priceList/record/updated': [group(2)],
  'store/priceList/records/created': [group(2), group(4)],
  'store/priceList/records/deleted': [group(2), group(4)],
  'store/priceList/records/updated': [group(2), group(4)],
  'store/product/created': [ALL],
  'store/product/deleted': [ALL],
  'store/product/inventory/order/updated': [ALL],
  'store/product/inventory/updated': [ALL],
  // The schema's `context.channel_id` (an override made for channel 2): that channel's catalog only.
  'store/product/updated': [catalog(2)],
  'store/sku/created': [ALL],
  'store/sku/deleted': [ALL],
  'store/sku/inventory/order/updated': [ALL],
  'store/sku/inventory/updated': [ALL],
  'store/sku/updated': [ALL],
};

async function scopesFor(scope: string, data: unknown, resolver: PriceListGroupResolver = groupsOf): Promise<CacheScope[] | null> {
  const plan = planForEvent(scope, data);
  return plan ? resolvePlan(plan, resolver) : null;
}

describe('every documented callback schema (docs/webhooks/callbacks/*.yml)', () => {
  it('finds the callback schemas, and every one has an expectation here (a new file fails until mapped)', () => {
    expect(callbackFiles.length).toBeGreaterThanOrEqual(23);
    expect(callbackFiles.map(scopeOfFile).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(callbackFiles)('%s → the scopes it makes stale', async (file) => {
    const scope = scopeOfFile(file);
    expect(await scopesFor(scope, examplePayloadData(file))).toEqual(EXPECTED[scope]);
  });
});

describe('events documented on the events pages only', () => {
  it.each<[string, unknown, CacheScope[] | null]>([
    // Price lists: a deleted list's assignments cannot be looked up any more.
    ['store/priceList/deleted', { price_list_id: 1 }, [ALL]],
    ['store/priceLists/deleted', { price_list_ids: [1, 2] }, [ALL]],
    ['store/priceList/updated', { price_list_id: 2 }, [group(2), group(4)]],
    // Assignments: that group; a channel-wide assignment (no group) prices the whole channel; neither: everything.
    ['store/priceList/assignment/deleted', { price_list_id: 2, channel_id: 1, customer_group_id: 3 }, [group(3)]],
    ['store/priceList/assignment/updated', { price_list_id: 2, channel_id: 1 }, [catalog(1)]],
    ['store/priceList/assignment/updated', { price_list_id: 2 }, [ALL]],
    // The events page's example spells the record currency `currency`: it does not matter to the mapping.
    ['store/priceList/record/created', { price_list_id: 1, variant_id: 179, currency: 'USD' }, [group(2)]],
    // Channel events name their channel in the scope.
    ['store/channel/1/product/assigned', { product_id: 127 }, [catalog(1)]],
    ['store/channel/3/product/unassigned', { product_id: 127 }, [catalog(3)]],
    ['store/channel/1/category/product/assigned', { product_id: 127, category_id: 3 }, [catalog(1)]],
    ['store/channel/1/category/created', { category_id: 35, tree_id: 1 }, [catalog(1)]],
    ['store/channel/1/categoryTree/updated', { tree_id: 1 }, [catalog(1)]],
    ['store/channel/1/settings/currency/updated', {}, [catalog(1)]],
    ['store/channel/1/settings/defaultCustomerGroup/updated', {}, [{ kind: 'guests' }]],
    // Catalog metafields are catalog data; other metafields are not cached.
    ['store/metafield/created', { metafield_id: 12, resource_id: '118', resource_type: 'product' }, [ALL]],
    ['store/metafield/updated', { metafield_id: 12, resource_id: '270', resource_type: 'order' }, null],
    ['store/product/metafield/created', { metafield_id: 12, resource_id: '118', resource_type: 'product' }, [ALL]],
    // Events the cache does not depend on are not mapped (acknowledged and ignored by the endpoint).
    ['store/order/created', { type: 'order', id: 250 }, null],
    ['store/cart/updated', { type: 'cart', id: 'abc' }, null],
    // A customer's group may have changed: looked up before sessions end or groups are bumped (customer-changes.ts).
    ['store/customer/updated', { type: 'customer', id: 1 }, [{ kind: 'customer', customerId: 1, change: 'updated' }]],
    ['store/customer/deleted', { type: 'customer', id: 9 }, [{ kind: 'customer', customerId: 9, change: 'deleted' }]],
    ['store/customer/address/updated', { type: 'customer', id: 1 }, null],
    ['store/channel/1/order/created', { type: 'order', id: 1 }, null],
    ['store/channel/1/settings/logo/updated', {}, null],
  ])('%s %j', async (scope, data, expected) => {
    expect(await scopesFor(scope, data)).toEqual(expected);
  });
});

describe('when the mapping cannot be precise it widens, never narrows', () => {
  it('a catalog event that names no channel invalidates every channel (everything); one that names a channel, it', async () => {
    expect(await scopesFor('store/product/updated', { type: 'product', id: 1 })).toEqual([ALL]);
    expect(await scopesFor('store/sku/updated', { type: 'sku', id: 1, context: { channel_id: 3 } })).toEqual([catalog(3)]);
  });

  it('a price-list event whose lookup fails, or cannot be narrowed to groups, invalidates everything', async () => {
    expect(await scopesFor('store/priceList/record/updated', { price_list_id: 1 }, async () => undefined)).toEqual([ALL]);
    expect(await scopesFor('store/priceList/record/updated', { price_list_id: 1 }, () => Promise.reject(new Error('down')))).toEqual([ALL]);
    expect(await scopesFor('store/priceList/records/updated', [{ price_list_id: 1 }, { price_list_id: 9 }])).toEqual([ALL]);
  });

  it('a price-list event without the ids the mapping needs invalidates everything', async () => {
    expect(await scopesFor('store/priceList/records/updated', [{ variant_id: 1 }])).toEqual([ALL]);
    expect(await scopesFor('store/priceList/records/updated', [])).toEqual([ALL]);
    expect(await scopesFor('store/priceList/activated', {})).toEqual([ALL]);
  });

  it('a list assigned to no group yet invalidates nothing', async () => {
    expect(await scopesFor('store/priceList/created', { price_list_id: 5 }, async () => [])).toEqual([]);
  });

  it('scopes come out unique, and `all` alone', () => {
    expect(uniqueScopes([group(2), group(2), catalog(1)])).toEqual([group(2), catalog(1)]);
    expect(uniqueScopes([group(2), ALL, catalog(1)])).toEqual([ALL]);
  });
});

it('every scope the gateway registers is mapped', () => {
  for (const scope of gatewayWebhookScopes(GATEWAY_CHANNEL)) {
    const concrete = scope.replace(/\*$/, 'updated');
    expect([scope, planForEvent(concrete, { type: 'x', id: 1, price_list_id: 1, customer_group_id: 2 })]).not.toEqual([scope, null]);
  }
});
