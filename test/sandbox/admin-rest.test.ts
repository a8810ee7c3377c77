// Admin REST over HTTP: product updates (developer.bigcommerce.com/docs/rest-catalog/products), price list records
// and assignments (/docs/rest-management/price-lists), as storefront GraphQL and REST pricing see them.
import { describeSandbox, type Sandbox } from '../../sandbox';
import { createToken, gql, rest, restCalculatedPrice, restUrl, start, storefrontPrice } from './helpers';

let s: Sandbox;
let cit: string;
beforeAll(async () => {
  s = await start({ rateLimitQuota: 10_000 });
  cit = await createToken(s, 'impersonation');
});
afterAll(() => s.close());

const RETAIL = 1;
const WHOLESALE = 2;
const VIP = 3;

describe('PUT /v3/catalog/products/{id}', () => {
  it('changes storefront prices and REST pricing; GET answers the product resource', async () => {
    const res = await rest(s, 'PUT', '/v3/catalog/products/107', { price: 50, sale_price: 45.5, retail_price: 60, name: 'Modern Planter XL' });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { data: Record<string, unknown>; meta: object };
    expect(json.meta).toEqual({});
    expect(json.data).toMatchObject({ id: 107, name: 'Modern Planter XL', price: 50, sale_price: 45.5, retail_price: 60, calculated_price: 45.5, is_visible: true, base_variant_id: 1013 });
    expect(await storefrontPrice(s, cit, 107)).toBe(45.5);
    expect(await restCalculatedPrice(s, 107)).toBe(45.5);
    expect(await restCalculatedPrice(s, 107, RETAIL)).toBe(45.5);
    expect(await restCalculatedPrice(s, 107, undefined, 'EUR')).toBeCloseTo(45.5 * 0.92, 2);
    const name = await gql(s, cit, '{ site { product(entityId: 107) { name } } }');
    expect(name.body.data).toEqual({ site: { product: { name: 'Modern Planter XL' } } });

    // sale_price 0 means "no sale price", as in BigCommerce's product resource.
    await rest(s, 'PUT', '/v3/catalog/products/107', { sale_price: 0 });
    expect(await storefrontPrice(s, cit, 107)).toBe(50);
    const got = await rest(s, 'GET', '/v3/catalog/products/107');
    expect(((await got.json()) as { data: Record<string, unknown> }).data).toMatchObject({ price: 50, sale_price: 0, calculated_price: 50 });
  });

  it('leaves a group with a price record on the record (wholesale), and changes the others', async () => {
    const wholesaleBefore = await storefrontPrice(s, cit, 108, 2);
    await rest(s, 'PUT', '/v3/catalog/products/108', { price: 99 });
    expect(await storefrontPrice(s, cit, 108)).toBe(99);
    expect(await storefrontPrice(s, cit, 108, 1)).toBe(99);
    expect(await storefrontPrice(s, cit, 108, 3)).toBeCloseTo(99 * 0.9, 2);
    expect(await storefrontPrice(s, cit, 108, 2)).toBe(wholesaleBefore);
  });

  it('hides a product from the storefront with is_visible false', async () => {
    await rest(s, 'PUT', '/v3/catalog/products/111', { is_visible: false });
    expect(await storefrontPrice(s, cit, 111)).toBeNull();
    const list = await gql(s, cit, '{ site { products(entityIds: [110, 111]) { edges { node { entityId } } } } }');
    expect(list.body.data).toEqual({ site: { products: { edges: [{ node: { entityId: 110 } }] } } });
    await rest(s, 'PUT', '/v3/catalog/products/111', { is_visible: true });
    expect(await storefrontPrice(s, cit, 111)).toBe(57.49);
  });

  it('answers 404, 405, 409 and 422 like BigCommerce', async () => {
    expect((await rest(s, 'PUT', '/v3/catalog/products/99999', { price: 1 })).status).toBe(404);
    expect((await rest(s, 'PUT', '/v3/catalog/products/abc', { price: 1 })).status).toBe(404);
    expect((await rest(s, 'DELETE', '/v3/catalog/products/100')).status).toBe(405);
    const negative = await rest(s, 'PUT', '/v3/catalog/products/100', { price: -1, is_visible: 'yes' });
    expect(negative.status).toBe(422);
    expect(((await negative.json()) as { errors: Record<string, string> }).errors).toEqual({ price: expect.any(String), is_visible: expect.any(String) });
    const duplicate = await rest(s, 'PUT', '/v3/catalog/products/100', { name: 'Compact Whisk' });
    expect(duplicate.status).toBe(409);
    expect(await storefrontPrice(s, cit, 100)).toBe(10.49);
  });

  it('needs X-Auth-Token like every REST route', async () => {
    const res = await fetch(restUrl(s, '/v3/catalog/products/100'), { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"price":1}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('X-Rate-Limit-Requests-Quota')).toBe('10000');
  });
});

describe('price list records', () => {
  it('a batch upsert into the wholesale list changes wholesale prices only', async () => {
    const guest = await storefrontPrice(s, cit, 102);
    const retail = await storefrontPrice(s, cit, 102, 1);
    const vip = await storefrontPrice(s, cit, 102, 3);
    const res = await rest(s, 'PUT', '/v3/pricelists/1/records', [
      { variant_id: 1004, currency: 'usd', price: 42.5 },
      { sku: 'SB-106-S', currency: 'USD', price: 30, sale_price: 25 },
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: {}, meta: {} });
    expect(await storefrontPrice(s, cit, 102, 2)).toBe(42.5);
    expect(await restCalculatedPrice(s, 102, WHOLESALE)).toBe(42.5);
    expect(await storefrontPrice(s, cit, 106, 2)).toBe(25);
    expect(await storefrontPrice(s, cit, 102)).toBe(guest);
    expect(await storefrontPrice(s, cit, 102, 1)).toBe(retail);
    expect(await storefrontPrice(s, cit, 102, 3)).toBe(vip);
    expect(await restCalculatedPrice(s, 102)).toBe(guest);
    expect(await restCalculatedPrice(s, 102, RETAIL)).toBe(retail);
  });

  it('rejects a batch with an invalid item as a whole (422 batch_errors)', async () => {
    const before = await storefrontPrice(s, cit, 104, 2);
    const res = await rest(s, 'PUT', '/v3/pricelists/1/records', [
      { variant_id: 1008, currency: 'USD', price: 1 },
      { variant_id: 999999, currency: 'USD', price: 1 },
      { variant_id: 1008, currency: 'XXX' },
    ]);
    expect(res.status).toBe(422);
    const json = (await res.json()) as { batch_errors: { data: Record<string, unknown>; field_errors: Record<string, string> }[] };
    expect(json.batch_errors).toHaveLength(2);
    expect(json.batch_errors[0]).toMatchObject({ data: { price_list_id: 1, variant_id: 999999 }, field_errors: { variant_id: expect.any(String) } });
    expect(json.batch_errors[1].field_errors).toEqual({ currency: expect.any(String), price: expect.any(String) });
    expect(await storefrontPrice(s, cit, 104, 2)).toBe(before);
  });

  it('sets, reads and deletes a single record; a deleted record falls back to the catalog price', async () => {
    const put = await rest(s, 'PUT', '/v3/pricelists/1/records/1013/USD', { price: 20, sale_price: 18, retail_price: 30 });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { data: unknown }).data).toEqual({
      price_list_id: 1,
      variant_id: 1013,
      product_id: 107,
      sku: 'SB-107',
      currency: 'usd',
      price: 20,
      sale_price: 18,
      retail_price: 30,
      calculated_price: 18,
      bulk_pricing_tiers: [],
    });
    expect(await storefrontPrice(s, cit, 107, 2)).toBe(18);
    const got = await rest(s, 'GET', '/v3/pricelists/1/records/1013/usd');
    expect(((await got.json()) as { data: { price: number } }).data.price).toBe(20);
    const del = await rest(s, 'DELETE', '/v3/pricelists/1/records/1013/USD');
    expect(del.status).toBe(204);
    expect(await storefrontPrice(s, cit, 107, 2)).toBe(await storefrontPrice(s, cit, 107));
    expect((await rest(s, 'GET', '/v3/pricelists/1/records/1013/USD')).status).toBe(404);
  });

  it('uses a record in the requested currency instead of converting the default-currency one', async () => {
    const converted = await restCalculatedPrice(s, 110, WHOLESALE, 'EUR');
    expect(converted).toBeCloseTo(14.34 * 0.92, 2);
    await rest(s, 'PUT', '/v3/pricelists/1/records/1018/EUR', { price: 11.11 });
    expect(await restCalculatedPrice(s, 110, WHOLESALE, 'EUR')).toBe(11.11);
    expect(await restCalculatedPrice(s, 110, WHOLESALE, 'USD')).toBe(14.34);
  });

  it('deletes records in batch by variant_id:in / sku:in', async () => {
    expect((await rest(s, 'DELETE', '/v3/pricelists/1/records')).status).toBe(422);
    const res = await fetch(restUrl(s, '/v3/pricelists/1/records?variant_id:in=1019&currency=USD'), { method: 'DELETE', headers: { 'X-Auth-Token': s.identity.accessToken } });
    expect(res.status).toBe(204);
    expect(await storefrontPrice(s, cit, 111, 2)).toBe(57.49);
  });

  it('404 for an unknown price list or variant, 422 for a disabled currency', async () => {
    expect((await rest(s, 'PUT', '/v3/pricelists/77/records', [{ variant_id: 1000, currency: 'USD', price: 1 }])).status).toBe(404);
    expect((await rest(s, 'PUT', '/v3/pricelists/1/records/999999/USD', { price: 1 })).status).toBe(404);
    expect((await rest(s, 'PUT', '/v3/pricelists/1/records/1000/JPY', { price: 1 })).status).toBe(422);
  });
});

describe('price list assignments', () => {
  it('lists the seeded assignments', async () => {
    const res = await rest(s, 'GET', '/v3/pricelists/assignments?customer_group_id=2');
    const json = (await res.json()) as { data: unknown[]; meta: { pagination: { total: number } } };
    expect(json.data).toEqual([
      { id: 1, price_list_id: 1, customer_group_id: 2, channel_id: 1 },
      { id: 2, price_list_id: 2, customer_group_id: 2 },
    ]);
    expect(json.meta.pagination.total).toBe(2);
  });

  it('assigning the VIP price list to the VIP group on the channel switches VIP prices only; deleting it switches back', async () => {
    const guest = await storefrontPrice(s, cit, 105);
    const wholesale = await storefrontPrice(s, cit, 105, 2);
    expect(await storefrontPrice(s, cit, 105, 3)).toBeCloseTo(guest! * 0.9, 2);

    const res = await rest(s, 'PUT', '/v3/pricelists/3/assignments', { customer_group_id: VIP, channel_id: 1 });
    expect(res.status).toBe(200);
    const assigned = ((await res.json()) as { data: { id: number } }).data;
    expect(assigned).toEqual({ id: expect.any(Number), price_list_id: 3, customer_group_id: 3, channel_id: 1 });
    expect(await storefrontPrice(s, cit, 105, 3)).toBe(13.17);
    expect(await restCalculatedPrice(s, 105, VIP)).toBe(13.17);
    expect(await storefrontPrice(s, cit, 105)).toBe(guest);
    expect(await storefrontPrice(s, cit, 105, 2)).toBe(wholesale);

    // A product without a VIP record falls back to the catalog price (no group discount: the list wins).
    expect(await storefrontPrice(s, cit, 125, 3)).toBe(await storefrontPrice(s, cit, 125));

    const del = await fetch(restUrl(s, `/v3/pricelists/assignments?id=${assigned.id}`), { method: 'DELETE', headers: { 'X-Auth-Token': s.identity.accessToken } });
    expect(del.status).toBe(204);
    expect(await storefrontPrice(s, cit, 105, 3)).toBeCloseTo(guest! * 0.9, 2);
  });

  it('creates assignments in batch and refuses conflicts and unknown groups or channels', async () => {
    const created = await rest(s, 'POST', '/v3/pricelists/assignments', [{ price_list_id: 3, customer_group_id: RETAIL, channel_id: 1 }]);
    expect(created.status).toBe(200);
    expect(await storefrontPrice(s, cit, 100, 1)).toBe(8.92);
    const conflict = await rest(s, 'POST', '/v3/pricelists/assignments', [{ price_list_id: 2, customer_group_id: RETAIL, channel_id: 1 }]);
    expect(conflict.status).toBe(422);
    expect(((await conflict.json()) as { errors: Record<string, string> }).errors).toEqual({ '0.customer_group_id': expect.any(String) });
    expect((await rest(s, 'PUT', '/v3/pricelists/3/assignments', { customer_group_id: 77, channel_id: 1 })).status).toBe(404);
    expect((await rest(s, 'PUT', '/v3/pricelists/3/assignments', { customer_group_id: RETAIL, channel_id: 9 })).status).toBe(404);
    expect((await rest(s, 'PUT', '/v3/pricelists/3/assignments', { customer_group_id: RETAIL })).status).toBe(422);
    expect((await rest(s, 'DELETE', '/v3/pricelists/assignments')).status).toBe(422);
    await fetch(restUrl(s, '/v3/pricelists/assignments?customer_group_id=1'), { method: 'DELETE', headers: { 'X-Auth-Token': s.identity.accessToken } });
    expect(await storefrontPrice(s, cit, 100, 1)).toBe(10.49);
  });
});

describe('banner', () => {
  it('documents the VIP account and the webhooks endpoint', () => {
    const banner = describeSandbox(s);
    for (const text of ['vip@example.com', 'Vip1!', 'price list 3', '/v3/hooks', `store_id ${s.storeId}`]) expect(banner).toContain(text);
  });
});

describe('isolation', () => {
  it("one sandbox's edits never reach another sandbox", async () => {
    await rest(s, 'PUT', '/v3/catalog/products/101', { price: 1, sale_price: 0 });
    const other = await start();
    try {
      const token = await createToken(other, 'impersonation');
      expect(await storefrontPrice(other, token, 101)).toBe(42.74);
    } finally {
      await other.close();
    }
  });
});
