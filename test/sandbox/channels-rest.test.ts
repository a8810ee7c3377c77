// Channels and currencies (developer.bigcommerce.com/docs/rest-management/channels, /docs/rest-management/currencies):
// `GET /v3/channels` with BigCommerce's envelope and filters, `GET /v2/currencies` as v2's bare array, and REST
// pricing answering for every listed channel and refusing others.
import type { Sandbox } from '../../sandbox';
import { rest, start } from './helpers';

let s: Sandbox;
beforeAll(async () => {
  s = await start({ rateLimitQuota: 10_000 });
});
afterAll(() => s.close());

interface Channel {
  id: number;
  name: string;
  type: string;
  platform: string;
  status: string;
}

it('lists both channels, filtered by status:in, type:in and platform:in, paginated', async () => {
  const all = (await (await rest(s, 'GET', '/v3/channels')).json()) as { data: Channel[]; meta: { pagination: { total: number; current_page: number } } };
  expect(all.data.map((c) => [c.id, c.type, c.status])).toEqual([
    [1, 'storefront', 'active'],
    [2, 'storefront', 'active'],
  ]);
  expect(all.meta.pagination).toMatchObject({ total: 2, current_page: 1 });
  const ids = async (query: string) => ((await (await rest(s, 'GET', `/v3/channels${query}`)).json()) as { data: Channel[] }).data.map((c) => c.id);
  expect(await ids('?platform:in=bigcommerce')).toEqual([1]);
  expect(await ids('?status:in=archived')).toEqual([]);
  expect(await ids('?type:in=marketplace')).toEqual([]);
  expect(await ids('?limit=1&page=2')).toEqual([2]);
  expect((await rest(s, 'POST', '/v3/channels', {})).status).toBe(405);
});

it('lists the store currencies as v2 does (a bare array)', async () => {
  const currencies = (await (await rest(s, 'GET', '/v2/currencies')).json()) as Array<{ currency_code: string; is_default: boolean; enabled: boolean; currency_exchange_rate: string }>;
  expect(currencies.map((c) => [c.currency_code, c.is_default, c.enabled])).toEqual([
    ['USD', true, true],
    ['EUR', false, true],
  ]);
  expect(Number(currencies[1].currency_exchange_rate)).toBeCloseTo(0.92, 5);
});

it.each([
  [1, 200],
  [2, 200],
  [3, 422],
])('prices for channel %i: %i', async (channelId, status) => {
  const res = await rest(s, 'POST', '/v3/pricing/products', { channel_id: channelId, currency_code: 'USD', items: [{ product_id: 139 }] });
  expect(res.status).toBe(status);
});
