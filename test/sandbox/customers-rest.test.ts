// Customers admin REST (developer.bigcommerce.com/docs/rest-management/customers; customers.v3.yml): GET with
// filters, batch PUT (all or nothing, at most 10), DELETE by ids; the changes storefront GraphQL, pricing and
// validate-credentials see; and the store/customer/* webhooks each change fires (which customer, never what changed).
import type { Sandbox } from '../../sandbox';
import { createToken, eventually, gql, rest, start, startDestination, storefrontPrice, type Destination } from './helpers';

let s: Sandbox;
let dest: Destination;
let cit: string;
beforeAll(async () => {
  s = await start({ rateLimitQuota: 10_000 });
  dest = await startDestination();
  cit = await createToken(s, 'impersonation');
  for (const scope of ['store/customer/updated', 'store/customer/deleted']) {
    expect((await rest(s, 'POST', '/v3/hooks', { scope, destination: `${dest.url}/customers`, is_active: true })).status).toBe(200);
  }
});
afterAll(async () => {
  await s.close();
  await dest.close();
});

interface Customer {
  id: number;
  email: string;
  first_name: string;
  customer_group_id: number;
  authentication: { force_password_reset: boolean };
  channel_ids: number[];
}
const list = async (query: string) => (await (await rest(s, 'GET', `/v3/customers${query}`)).json()) as { data: Customer[]; meta: { pagination: { total: number } } };
const callbacks = (scope: string) => dest.received.map((r) => JSON.parse(r.body) as { scope: string; data: unknown }).filter((p) => p.scope === scope);

describe('GET /v3/customers', () => {
  it('filters by id:in, email:in and customer_group_id:in, with the customer_Full fields', async () => {
    const byId = await list('?id:in=2,3');
    expect(byId.data.map((c) => c.id)).toEqual([2, 3]);
    expect(byId.data[0]).toMatchObject({ id: 2, email: 'wholesale@example.com', customer_group_id: 2, authentication: { force_password_reset: false }, channel_ids: [1] });
    expect(byId.meta.pagination.total).toBe(2);
    expect((await list('?email:in=RETAIL@example.com')).data.map((c) => c.id)).toEqual([1]);
    expect((await list('?customer_group_id:in=3')).data.map((c) => c.id)).toEqual([3]);
    expect((await list('?id:in=999')).data).toEqual([]);
    expect((await rest(s, 'GET', '/v3/customers?id:in=abc')).status).toBe(422);
  });
});

describe('PUT /v3/customers', () => {
  it('moves a customer to another group: storefront prices follow, and store/customer/updated names only the id', async () => {
    const before = await storefrontPrice(s, cit, 102, 2);
    const res = await rest(s, 'PUT', '/v3/customers', [{ id: 2, customer_group_id: 1 }]);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: Customer[] }).data[0]).toMatchObject({ id: 2, customer_group_id: 1 });
    expect(await storefrontPrice(s, cit, 102, 2)).toBe(await storefrontPrice(s, cit, 102, 1));
    expect(await storefrontPrice(s, cit, 102, 2)).not.toBe(before);
    const who = await gql(s, cit, '{ customer { entityId customerGroupId } }', {}, { 'X-Bc-Customer-Id': '2' });
    expect(who.body.data).toEqual({ customer: { entityId: 2, customerGroupId: 1 } });
    const [event] = await eventually(() => callbacks('store/customer/updated').length >= 1 && callbacks('store/customer/updated'), 5000, 'the callback');
    expect(event.data).toEqual({ type: 'customer', id: 2 });
    const back = dest.received.length;
    await rest(s, 'PUT', '/v3/customers', [{ id: 2, customer_group_id: 2 }]);
    expect(await storefrontPrice(s, cit, 102, 2)).toBe(before);
    await eventually(() => dest.received.length > back, 5000, 'the callback of the move back');
  });

  it('changes profile fields and the password (validate-credentials sees the new one), one event per customer', async () => {
    const seen = callbacks('store/customer/updated').length;
    const res = await rest(s, 'PUT', '/v3/customers', [
      { id: 1, first_name: 'Rita', authentication: { new_password: 'Another1!pass' } },
      { id: 3, authentication: { force_password_reset: true } },
    ]);
    expect(res.status).toBe(200);
    expect((await list('?id:in=1')).data[0].first_name).toBe('Rita');
    expect((await list('?id:in=3')).data[0].authentication).toEqual({ force_password_reset: true });
    const check = async (password: string) =>
      ((await (await rest(s, 'POST', '/v3/customers/validate-credentials', { email: 'retail@example.com', password, channel_id: 1 })).json()) as { is_valid: boolean }).is_valid;
    expect(await check('Another1!pass')).toBe(true);
    expect(await check('Retail1!')).toBe(false);
    await eventually(() => callbacks('store/customer/updated').length >= seen + 2, 5000, 'two callbacks');
    expect(callbacks('store/customer/updated').slice(seen).map((p) => p.data)).toEqual(
      expect.arrayContaining([
        { type: 'customer', id: 1 },
        { type: 'customer', id: 3 },
      ]),
    );
    const restored = dest.received.length;
    await rest(s, 'PUT', '/v3/customers', [{ id: 1, authentication: { new_password: 'Retail1!' } }]);
    await eventually(() => dest.received.length > restored, 5000, 'the callback of the restore');
  });

  it.each([
    ['an unknown customer', [{ id: 999, first_name: 'X' }], '0.id'],
    ['no id', [{ first_name: 'X' }], '0.id'],
    ['an unknown group', [{ id: 1, customer_group_id: 77 }], '0.customer_group_id'],
    ['an email in use', [{ id: 1, email: 'vip@example.com' }], '0.email'],
    ['a short password', [{ id: 1, authentication: { new_password: 'x' } }], '0.authentication.new_password'],
    ['one bad item of two (nothing applied)', [{ id: 1, first_name: 'Changed' }, { id: 2, customer_group_id: 'two' }], '1.customer_group_id'],
  ])('refuses %s with 422, changing nothing', async (_name, body, field) => {
    const seen = dest.received.length;
    const res = await rest(s, 'PUT', '/v3/customers', body);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: Record<string, string> }).errors).toHaveProperty([field]);
    expect((await list('?id:in=1')).data[0]).toMatchObject({ email: 'retail@example.com', first_name: 'Rita', customer_group_id: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(dest.received.length).toBe(seen);
  });

  it('takes at most 10 customers per call (413)', async () => {
    const res = await rest(s, 'PUT', '/v3/customers', Array.from({ length: 11 }, () => ({ id: 1 })));
    expect(res.status).toBe(413);
  });
});

describe('holdWebhooks (tests act inside the window before a delivery)', () => {
  it('holds first deliveries until released, then sends them as they would have been sent', async () => {
    const seen = dest.received.length;
    const window = s.holdWebhooks();
    await rest(s, 'PUT', '/v3/customers', [{ id: 1, phone: '555-0199' }]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(dest.received.length).toBe(seen);
    window.release();
    await eventually(() => dest.received.length > seen, 5000, 'the held callback');
    const body = JSON.parse(dest.received[seen].body) as { scope: string; data: unknown };
    expect(body).toMatchObject({ scope: 'store/customer/updated', data: { type: 'customer', id: 1 } });
  });
});

describe('DELETE /v3/customers', () => {
  it('deletes by id:in: the login and the storefront customer are gone, store/customer/deleted fires', async () => {
    expect((await rest(s, 'DELETE', '/v3/customers')).status).toBe(422);
    expect((await rest(s, 'DELETE', '/v3/customers?id:in=3')).status).toBe(204);
    expect((await list('?id:in=3')).data).toEqual([]);
    const who = await gql(s, cit, '{ customer { entityId } }', {}, { 'X-Bc-Customer-Id': '3' });
    expect((who.body.data as { customer: unknown } | undefined)?.customer ?? null).toBeNull();
    const [event] = await eventually(() => callbacks('store/customer/deleted').length >= 1 && callbacks('store/customer/deleted'), 5000, 'the callback');
    expect(event.data).toEqual({ type: 'customer', id: 3 });
  });
});
