// The price list → customer groups lookup behind price-list events: `GET /v3/pricelists/assignments?price_list_id=X`
// (developer.bigcommerce.com/docs/rest-management/price-lists/price-lists-assignments), against a fake REST client.
import { gatewayError } from '../../src/errors';
import type { RestClient, RestRequest, RestResponse } from '../../src/remote/rest-client';
import { createPriceListGroupResolver } from '../../src/webhooks/price-list-groups';

type Assignment = { id: number; price_list_id: number; customer_group_id?: number; channel_id?: number };

function fakeRest(pages: Assignment[][] | Error): { rest: RestClient; requests: RestRequest[] } {
  const requests: RestRequest[] = [];
  const rest: RestClient = {
    async request<T>(request: RestRequest): Promise<RestResponse<T>> {
      requests.push(request);
      if (pages instanceof Error) throw pages;
      const page = Number(/[?&]page=(\d+)/.exec(request.path)?.[1] ?? '1');
      const body = { data: pages[page - 1] ?? [], meta: { pagination: { current_page: page, total_pages: pages.length } } };
      return { status: 200, body: body as T, header: () => undefined };
    },
  };
  return { rest, requests };
}

it('reads every page of the list assignments, as an essential, idempotent GET', async () => {
  const { rest, requests } = fakeRest([
    [{ id: 1, price_list_id: 4, customer_group_id: 2, channel_id: 1 }],
    [{ id: 2, price_list_id: 4, customer_group_id: 5 }, { id: 3, price_list_id: 4, customer_group_id: 2, channel_id: 2 }],
  ]);
  expect((await createPriceListGroupResolver(rest)(4))?.sort()).toEqual([2, 5]);
  expect(requests.map((r) => [r.method, r.path, r.priority, r.idempotent])).toEqual([
    ['GET', '/v3/pricelists/assignments?price_list_id=4&limit=250&page=1', 'essential', true],
    ['GET', '/v3/pricelists/assignments?price_list_id=4&limit=250&page=2', 'essential', true],
  ]);
});

it('a list assigned to no group: no groups', async () => {
  expect(await createPriceListGroupResolver(fakeRest([[]]).rest)(4)).toEqual([]);
});

it('a channel-wide assignment (no group) cannot be narrowed: undefined', async () => {
  expect(await createPriceListGroupResolver(fakeRest([[{ id: 1, price_list_id: 4, customer_group_id: 2 }, { id: 2, price_list_id: 4, channel_id: 1 }]]).rest)(4)).toBeUndefined();
});

it('a failed lookup: undefined, reported to onError', async () => {
  const errors: unknown[] = [];
  const resolve = createPriceListGroupResolver(fakeRest(gatewayError('UPSTREAM_ERROR', 'BigCommerce REST API answered 500')).rest, (e) => errors.push(e));
  expect(await resolve(4)).toBeUndefined();
  expect(errors).toHaveLength(1);
});
