/**
 * A customer moved to another group (or deleted) in the store keeps a session naming the old group: its prices,
 * and the cache entries it would be answered from, would be the old group's. BigCommerce's `store/customer/updated`
 * says only which customer changed (and also fires for profile edits), so the gateway looks the customer up
 * (`GET /v3/customers?id:in=`) and ends their sessions only when the group changed, the customer is gone, a password
 * reset was forced, or the lookup fails. In process: the webhook is signed as BigCommerce signs it and posted
 * through `yoga.fetch`.
 */
import { randomUUID } from 'node:crypto';
import { createInProcessGateway, TEST_STORE, WHOLESALE_CUSTOMER, type InProcessGateway } from '../helpers/inprocess';
import { signedHeaders } from '../webhooks/helpers';

const LOGIN = `mutation Login($email: String!, $pass: String!) { login(email: $email, password: $pass) { sessionToken } }`;
const WHO = `{ currentCustomer { entityId } }`;

let clock = Date.UTC(2031, 4, 17, 9, 30, 0);
let t: InProcessGateway;
/** What `GET /v3/customers?id:in=` answers for the wholesale customer: its group, a forced reset, or gone. */
let inStore: { group: number; forceReset?: boolean } | 'deleted' | 'failing';
beforeEach(async () => {
  t = await createInProcessGateway({ now: () => clock });
  inStore = { group: WHOLESALE_CUSTOMER.customerGroupId };
  t.http.onRest('GET', '/v3/customers', (call) => {
    if (inStore === 'failing') return { status: 500, body: { status: 500, title: 'Internal Server Error' } };
    const asked = new URL(call.url).searchParams.get('id:in');
    const data =
      inStore === 'deleted' || asked !== String(WHOLESALE_CUSTOMER.entityId)
        ? []
        : [{ id: WHOLESALE_CUSTOMER.entityId, email: WHOLESALE_CUSTOMER.email, customer_group_id: inStore.group, authentication: { force_password_reset: inStore.forceReset ?? false } }];
    return { status: 200, body: { data, meta: { pagination: { total: data.length, count: data.length, per_page: 50, current_page: 1, total_pages: 1 } } } };
  });
});
afterEach(() => t.close());

async function login(email: string, pass: string): Promise<string> {
  const response = await t.fetchGraphQL(LOGIN, { email, pass });
  return (response.body.data as { login: { sessionToken: string } }).login.sessionToken;
}

async function deliver(scope: string, customerId: number): Promise<Response> {
  const body = JSON.stringify({
    scope,
    store_id: '1001',
    data: { type: 'customer', id: customerId },
    hash: randomUUID().replace(/-/g, ''),
    created_at: Math.floor(clock / 1000),
    producer: `stores/${TEST_STORE.storeHash}`,
  });
  return t.fetch('/webhooks/bigcommerce', { method: 'POST', headers: signedHeaders(TEST_STORE.clientSecret, body), body });
}

async function statusOf(token: string): Promise<number> {
  return (await t.fetchGraphQL(WHO, {}, { authorization: `Bearer ${token}` })).status;
}

async function eventuallyStatus(token: string, status: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while ((await statusOf(token)) !== status) {
    if (Date.now() > deadline) throw new Error(`session did not answer ${status} within 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Delivers the event and waits until the gateway logged it as applied. */
async function applied(delivery: () => Promise<Response>): Promise<void> {
  const before = t.logEntries('webhook: cache invalidated').length;
  expect((await delivery()).status).toBe(200);
  const deadline = Date.now() + 2000;
  while (t.logEntries('webhook: cache invalidated').length === before) {
    if (Date.now() > deadline) throw new Error('the webhook was not applied within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it.each([
  ['moved to another group', 'store/customer/updated', () => (inStore = { group: 1 })],
  ['deleted (event)', 'store/customer/deleted', () => (inStore = 'deleted')],
  ['gone from the store (updated, then not found)', 'store/customer/updated', () => (inStore = 'deleted')],
  ['given a forced password reset', 'store/customer/updated', () => (inStore = { group: WHOLESALE_CUSTOMER.customerGroupId, forceReset: true })],
  ['not found out (the lookup fails)', 'store/customer/updated', () => (inStore = 'failing')],
])('a customer %s: their sessions issued before end, and only theirs', async (_name, scope, change) => {
  const wholesale = await login(WHOLESALE_CUSTOMER.email, 'Wholesale1!');
  const retail = await login('retail@example.com', 'Retail1!');
  expect(await statusOf(wholesale)).toBe(200);

  clock += 5_000;
  change();
  expect((await deliver(scope, WHOLESALE_CUSTOMER.entityId)).status).toBe(200);
  await eventuallyStatus(wholesale, 401);
  const refused = await t.fetchGraphQL(WHO, {}, { authorization: `Bearer ${wholesale}` });
  expect(refused.body.errors?.[0]).toMatchObject({ message: 'Your account changed; log in again', extensions: { code: 'UNAUTHENTICATED' } });
  expect(await statusOf(retail)).toBe(200);

  // A login after the change carries who the customer is now.
  clock += 1_000;
  const again = await login(WHOLESALE_CUSTOMER.email, 'Wholesale1!');
  expect(await statusOf(again)).toBe(200);
});

it('a profile edit (same group, no forced reset) ends no session, however often it comes', async () => {
  const wholesale = await login(WHOLESALE_CUSTOMER.email, 'Wholesale1!');
  for (let i = 0; i < 3; i++) {
    clock += 5_000;
    await applied(() => deliver('store/customer/updated', WHOLESALE_CUSTOMER.entityId));
    expect(await statusOf(wholesale)).toBe(200);
  }
  expect(t.http.calls.filter((call) => call.kind === 'rest' && call.path === '/v3/customers')).toHaveLength(3);
});

it('a moved customer: the old and the new group are invalidated, other groups are not', async () => {
  const invalidate = jest.spyOn(t.gateway.cacheInvalidator, 'invalidate');
  await login(WHOLESALE_CUSTOMER.email, 'Wholesale1!');
  clock += 5_000;
  inStore = { group: 5 };
  await applied(() => deliver('store/customer/updated', WHOLESALE_CUSTOMER.entityId));
  const groups = invalidate.mock.calls.flatMap(([scopes]) => scopes.filter((scope) => scope.kind === 'group'));
  expect(groups).toEqual([
    { kind: 'group', customerGroupId: 2 },
    { kind: 'group', customerGroupId: 5 },
  ]);
  // A second event for the same state changes nothing more.
  invalidate.mockClear();
  await applied(() => deliver('store/customer/updated', WHOLESALE_CUSTOMER.entityId));
  expect(invalidate.mock.calls.flatMap(([scopes]) => scopes.filter((scope) => scope.kind === 'group'))).toEqual([]);
});

it('refuses an unsigned customer event: sessions stay', async () => {
  const wholesale = await login(WHOLESALE_CUSTOMER.email, 'Wholesale1!');
  const body = JSON.stringify({ scope: 'store/customer/updated', store_id: '1001', data: { type: 'customer', id: WHOLESALE_CUSTOMER.entityId }, hash: 'x1', created_at: 1, producer: `stores/${TEST_STORE.storeHash}` });
  const response = await t.fetch('/webhooks/bigcommerce', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(response.status).toBe(401);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await statusOf(wholesale)).toBe(200);
});
